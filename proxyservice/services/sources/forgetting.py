"""Removing a deleted file's upload: the copy kept on this host and the one staged in object storage."""

import logging
import shutil
from pathlib import Path

from ..store import Bucket, StoreFailed
from .errors import UploadNotRemoved
from .staging import UPLOADS
from .uploads import CONTENT_HASH

logger = logging.getLogger(__name__)


def forget_upload(upload_root: Path, staging: Bucket | None, file_id: str) -> bool:
    """Remove the upload kept under ``file_id`` (its content hash), here and staged; return whether there was one.

    Uploads of other bytes, and pages uploaded with their files (kept per set
    of files, which other pages may share), are left alone.

    Raises
    ------
    UploadNotRemoved
        Its folder or its staged object could not be removed; calling again finishes it.
    """
    if not CONTENT_HASH.match(file_id):
        return False
    folder, found = upload_root / file_id, False
    try:
        if staging is not None:
            staged = staging.names(staging.key(UPLOADS, file_id) + "/")
            for key in staged:
                staging.delete(key)
            found = bool(staged)
        if folder.is_dir():
            shutil.rmtree(folder)
            found = True
    except (OSError, StoreFailed) as e:
        logger.warning("cannot remove the upload %s: %s", file_id, e)
        reason = e.strerror if isinstance(e, OSError) else str(e)
        raise UploadNotRemoved(f"the upload of {file_id} could not be removed: {reason or type(e).__name__}; "
                               "try again later") from e
    if found:
        logger.info("removed the upload %s", file_id)
    return found
