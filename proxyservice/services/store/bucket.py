"""One bucket (and key prefix) of S3-compatible object storage, through boto3.

The endpoint, region and credentials come from boto3's own environment
(``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``...): the service has no settings of its own for them.
Every failure becomes a :class:`StoreFailed` whose message says what went wrong
in words, never the credentials, the endpoint's address or the object's key
(task errors reach clients; the details go to the log).
"""

import json
import logging
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import urlsplit

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from ...config import SettingInvalid
from .errors import StoreFailed

if TYPE_CHECKING:  # the stubs are a test dependency only
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3.0
"""Seconds to open a connection to the object storage before calling it unreachable."""
READ_TIMEOUT = 20.0
"""Seconds to wait for the object storage's answer (or the next bytes of one)."""
ATTEMPTS = 3
"""Tries of one request, with botocore's standard backoff, before it counts as failed."""
STREAM_CHUNK = 64 * 1024
"""Bytes read from the object storage at a time when its bytes are passed on."""
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
NOT_A_STORE_URL = "use s3://bucket or s3://bucket/prefix (a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens)"
AWS_ENVIRONMENT = (
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
)
"""boto3's variables that change which client is made: a client is made again when one of them changes."""
MISSING = frozenset({"NoSuchKey", "404", "NotFound"})

REFUSED = frozenset({"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden",
                     "ExpiredToken", "InvalidToken", "AccountProblem", "AllAccessDisabled"})
NO_BUCKET = frozenset({"NoSuchBucket"})
BUSY = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "500", "502", "503", "504"})


def _reason(error: Exception) -> str:
    """What went wrong, for a person: never a credential, an address or a key."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "")) or "unknown"
        if code in REFUSED:
            return (f"the object storage refused the request ({code}): check AWS_ACCESS_KEY_ID, "
                    "AWS_SECRET_ACCESS_KEY and what they may do in the bucket")
        if code in NO_BUCKET:
            return "the bucket STORE_URL names does not exist: create it, or correct STORE_URL"
        if code in BUSY:
            return f"the object storage is failing or busy ({code}); try again shortly"
        return f"the object storage answered {code}"
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return "no credentials for the object storage: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, EndpointConnectionError):
        return "the object storage cannot be reached: check AWS_ENDPOINT_URL and the network"
    if isinstance(error, (ConnectTimeoutError, ReadTimeoutError)):
        return "the object storage did not answer in time"
    return f"the object storage could not be used ({type(error).__name__})"


@contextmanager
def _as_store_failed(doing: str) -> Iterator[None]:
    """Turn boto3's errors raised in the block into a :class:`StoreFailed` saying ``doing`` and why."""
    try:
        yield
    except (ClientError, BotoCoreError) as e:
        logger.warning("object storage: cannot %s: %s", doing, e)
        raise StoreFailed(f"cannot {doing}: {_reason(e)}") from e


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in MISSING


@lru_cache(maxsize=16)
def _cached_client(pid: int, environment: tuple[str | None, ...], timeout: float | None, attempts: int) -> "S3Client":
    """A client per process (connections do not cross fork()), per boto3 environment and per timeout."""
    del pid, environment  # only keys of the cache
    # Imported on first use: boto3 takes a fifth of a second to load, and hosts with a local store never need it.
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=timeout or CONNECT_TIMEOUT,
        read_timeout=timeout or READ_TIMEOUT,
        retries={"max_attempts": attempts, "mode": "standard"},
        signature_version="s3v4",
    )
    return boto3.session.Session().client("s3", config=config)


def s3_client(timeout: float | None = None, attempts: int = ATTEMPTS) -> "S3Client":
    """An S3 client configured by boto3's environment; made once per process and reused.

    Parameters
    ----------
    timeout
        Seconds to connect and to wait for an answer; the defaults when ``None``.
    attempts
        Tries of each request.
    """
    environment = tuple(os.environ.get(name) for name in AWS_ENVIRONMENT)
    return _cached_client(os.getpid(), environment, timeout, attempts)


class ObjectBody:
    """An object's bytes as they arrive: iterate over it for chunks, close it when done (a WSGI body).

    Parameters
    ----------
    answer
        The object storage's answer to GetObject.
    """

    def __init__(self, answer: "GetObjectOutputTypeDef") -> None:
        self._stream = answer["Body"]
        self.length = int(answer.get("ContentLength", 0))

    def __iter__(self) -> Iterator[bytes]:
        with _as_store_failed("read an object's bytes"):
            yield from self._stream.iter_chunks(STREAM_CHUNK)

    def close(self) -> None:
        """Give the connection back."""
        self._stream.close()


class Bucket:
    """The objects under one prefix of one bucket.

    Parameters
    ----------
    name
        The bucket.
    prefix
        Prefix of every key, without slashes at either end; ``""`` for the whole bucket.
    """

    def __init__(self, name: str, prefix: str = "") -> None:
        self.name = name
        self.prefix = prefix.strip("/")

    @classmethod
    def from_url(cls, url: str) -> "Bucket":
        """The bucket and prefix of ``s3://bucket/prefix``.

        Raises
        ------
        SettingInvalid
            ``url`` is not such a URL.
        """
        parsed = urlsplit(url)
        if parsed.scheme != "s3" or not BUCKET_NAME.match(parsed.netloc) or parsed.query or parsed.fragment:
            raise SettingInvalid(f"STORE_URL={url!r}: {NOT_A_STORE_URL}")
        return cls(parsed.netloc, parsed.path)

    @property
    def url(self) -> str:
        """``s3://bucket/prefix``: where these objects are, for people (and the references to uploads)."""
        return f"s3://{self.name}/{self.prefix}".rstrip("/")

    def key(self, *parts: str) -> str:
        """The key of ``parts`` joined by ``/`` under the prefix."""
        return "/".join(part for part in (self.prefix, *parts) if part)

    def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Write a local file as one object; readers see all of it or, before, none of it.

        Raises
        ------
        StoreFailed
            It could not be written.
        """
        with _as_store_failed("write to the object storage"), path.open("rb") as body:
            s3_client().put_object(Bucket=self.name, Key=key, Body=body, ContentType=content_type)

    def put_json(self, key: str, data: dict[str, Any]) -> None:
        """Write ``data`` as one JSON object.

        Raises
        ------
        StoreFailed
            It could not be written.
        """
        with _as_store_failed("write to the object storage"):
            s3_client().put_object(Bucket=self.name, Key=key, Body=json.dumps(data).encode(),
                                   ContentType="application/json")

    def read_json(self, key: str) -> Any:
        """The JSON object at ``key``, or ``None`` when there is none.

        Raises
        ------
        StoreFailed
            It could not be read, or is not JSON.
        """
        body = self.open(key)
        if body is None:
            return None
        try:
            return json.loads(b"".join(body))
        except ValueError as e:
            logger.warning("object %s of bucket %s is not JSON: %s", key, self.name, e)
            raise StoreFailed("an object of the store is unreadable (not JSON)") from e
        finally:
            body.close()

    def open(self, key: str) -> ObjectBody | None:
        """Start reading the object at ``key``; ``None`` when there is none.

        Raises
        ------
        StoreFailed
            It could not be read.
        """
        with _as_store_failed("read from the object storage"):
            try:
                return ObjectBody(s3_client().get_object(Bucket=self.name, Key=key))
            except ClientError as e:
                if _is_missing(e):
                    return None
                raise

    def names(self, folder: str) -> list[str]:
        """The keys directly in ``folder`` (a key prefix ending in ``/``), not those further down.

        Raises
        ------
        StoreFailed
            The bucket could not be listed.
        """
        keys: list[str] = []
        with _as_store_failed("list the object storage"):
            pages = s3_client().get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=folder,
                                                                          Delimiter="/")
            for page in pages:
                keys.extend(item["Key"] for item in page.get("Contents", ()))
        return keys

    def delete(self, key: str) -> None:
        """Remove the object at ``key`` (nothing happens when there is none).

        Raises
        ------
        StoreFailed
            It could not be removed.
        """
        with _as_store_failed("remove from the object storage"):
            s3_client().delete_object(Bucket=self.name, Key=key)

    def presigned_url(self, key: str, expires_in: int, answer_headers: dict[str, str]) -> str:
        """A URL anyone may GET the object at ``key`` with, for ``expires_in`` seconds.

        Parameters
        ----------
        answer_headers
            What the object storage should answer with (``ResponseContentType``,
            ``ResponseCacheControl``, ``ResponseContentDisposition``...).

        Raises
        ------
        StoreFailed
            No URL can be signed (no credentials).
        """
        with _as_store_failed("sign a link to the object storage"):
            return s3_client().generate_presigned_url(
                "get_object", Params={"Bucket": self.name, "Key": key, **answer_headers}, ExpiresIn=expires_in
            )

    def is_available(self, timeout: float) -> bool:
        """Whether the bucket answers (HEAD) within ``timeout`` seconds, in one try."""
        try:
            s3_client(timeout, attempts=1).head_bucket(Bucket=self.name)
        except (ClientError, BotoCoreError) as e:
            logger.warning("bucket %s is not available: %s", self.name, _reason(e))
            return False
        return True
