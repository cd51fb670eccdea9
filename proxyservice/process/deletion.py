"""Deleting a file: everything the service keeps of it goes, and a second deletion finds nothing.

The parts are forgotten in an order that a deletion stopped half way (a part
away) is finished by the next call: the records first, so that a task still
queued is never run (a task without a record never is) and one running has
its result dropped when it ends (:func:`proxyservice.worker.jobs.drop_if_deleted`);
then the proxies; then the upload. Each part says whether it held anything,
so "nothing was known of the file" (404) is decided only when every part
answered.
"""

from dataclasses import dataclass
from typing import Protocol


class FileForgetter(Protocol):
    """The records' side: a file's metadata, index entries, tasks and callbacks."""

    def forget_file(self, file_id: str) -> bool: ...


class ProxyForgetter(Protocol):
    """The store's side: every proxy of a file, its copies in other formats and sizes, their bytes."""

    def forget(self, file_id: str) -> bool: ...


class UploadForgetter(Protocol):
    """The sources' side: the upload kept under the file's hash, here and staged."""

    def forget_upload(self, file_id: str) -> bool: ...


@dataclass(frozen=True)
class Deletion:
    """What a deletion found of a file, part by part."""

    file_id: str
    records: bool
    proxies: bool
    upload: bool

    @property
    def found(self) -> bool:
        """Whether anything of the file was there: otherwise the file is unknown (404)."""
        return self.records or self.proxies or self.upload


def delete_file(file_id: str, records: FileForgetter, store: ProxyForgetter, uploads: UploadForgetter) -> Deletion:
    """Forget everything of a file: its records, its proxies, its upload.

    Raises
    ------
    RecordsUnavailable, StoreFailed, UploadNotRemoved
        A part is away: what came before it is gone, the rest is not; calling again finishes it.
    """
    in_records = records.forget_file(file_id)
    in_store = store.forget(file_id)
    in_uploads = uploads.forget_upload(file_id)
    return Deletion(file_id, in_records, in_store, in_uploads)
