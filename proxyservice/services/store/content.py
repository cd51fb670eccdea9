"""Where a stored proxy's bytes are, as :meth:`ProxyStore.get` answers: a local file, or an object.

A local store answers a :class:`~pathlib.Path`; an object-storage store a
:class:`StoredObject`, which the web app streams (:meth:`StoredObject.open`)
or redirects to (:meth:`StoredObject.presigned_url`).
"""

import logging
import os
import re
import uuid
from pathlib import Path

from .bucket import Bucket, ObjectBody
from .errors import DoesNotExist, StoreFailed

logger = logging.getLogger(__name__)

PRESIGN_LONGEST = 7 * 24 * 3600
"""The longest a presigned URL may live (Signature Version 4)."""
UNQUOTABLE = re.compile(r"[^A-Za-z0-9._-]")
"""What a file name in the object storage's Content-Disposition may not hold as it is."""


class StoredObject(os.PathLike[str]):
    """A proxy's bytes as an object in a bucket.

    It is also path-like, for the callers that need a file on disk (``plugins
    check`` opens proxies with Pillow): :func:`os.fspath` fetches a copy into
    the store's scratch folder once, which the workers sweep like any scratch
    file. The web app asks for one only to write a proxy in a modern format
    (:meth:`ProxyStore.local_file`, which removes it after).

    Parameters
    ----------
    bucket, key
        Where the object is.
    scratch
        The local folder a copy is fetched into when one is asked for.
    """

    def __init__(self, bucket: Bucket, key: str, scratch: Path) -> None:
        self.bucket = bucket
        self.key = key
        self.scratch = scratch
        self._copy: Path | None = None

    def __repr__(self) -> str:
        return f"StoredObject({self.bucket.url!r}, {self.key!r})"

    def open(self) -> ObjectBody:
        """Start reading the bytes: iterate over the answer for chunks, close it when done.

        Raises
        ------
        DoesNotExist
            The object is gone (a proxy replaced meanwhile).
        StoreFailed
            The object storage could not be read.
        """
        body = self.bucket.open(self.key)
        if body is None:
            raise DoesNotExist("the proxy's bytes are no longer in the store")
        return body

    def presigned_url(self, expires_in: int, mimetype: str, filename: str, cache_control: str) -> str:
        """A URL that fetches the bytes without credentials until ``expires_in`` seconds from now.

        Parameters
        ----------
        mimetype, filename, cache_control
            What the object storage answers in ``Content-Type``, ``Content-Disposition`` and ``Cache-Control``.

        Raises
        ------
        StoreFailed
            The URL cannot be signed (no credentials).
        """
        answer = {
            "ResponseContentType": mimetype,
            "ResponseContentDisposition": f'inline; filename="{UNQUOTABLE.sub("_", Path(filename).name)}"',
            "ResponseCacheControl": cache_control,
        }
        return self.bucket.presigned_url(self.key, max(1, min(expires_in, PRESIGN_LONGEST)), answer)

    def __fspath__(self) -> str:
        """A local copy of the bytes, fetched on first use.

        Raises
        ------
        DoesNotExist, StoreFailed
            As :meth:`open`; or the copy could not be written.
        """
        if self._copy is None:
            copy = self.scratch / f"{uuid.uuid4().hex}-{Path(self.key).name}"
            body = self.open()
            try:
                self.scratch.mkdir(parents=True, exist_ok=True)
                with copy.open("wb") as out:
                    for chunk in body:
                        out.write(chunk)
            except OSError as e:
                copy.unlink(missing_ok=True)
                raise StoreFailed(f"cannot keep a copy of a proxy: {e.strerror or type(e).__name__}") from e
            finally:
                body.close()
            self._copy = copy
        return str(self._copy)


ProxyContent = Path | StoredObject
"""Where a proxy's bytes are: a local file, or an object in a bucket."""

__all__ = ["StoredObject", "ProxyContent", "ObjectBody"]
