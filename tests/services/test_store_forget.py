"""Forgetting a file's proxies, on a real temp folder and on a bucket of a real S3 server (moto)."""

from pathlib import Path

import pytest

from proxyservice.services.store import DoesNotExist, ProxyStore, StoreFailed
from proxyservice.services.store.local import LocalProxyStore
from tests.services.test_store import FILE_ID, blobs_of, png, store  # noqa: F401  (the store fixture, both kinds)

OTHER_ID = "cd" * 32


def _ingest(store: ProxyStore, file_id: str, typeidentifier: str, made_from: str = "") -> None:
    made = png(store.generate_temp_filename(".png"), (8, 6))
    store.ingest(file_id, "p", made, typeidentifier, f"{typeidentifier}.png", "image/png", made_from)


class TestForget:
    """A file is deleted: every proxy of it, its copies in other formats and sizes, and their bytes go."""

    def test_every_proxy_and_its_bytes_go_and_other_files_stay(self, store: ProxyStore) -> None:
        _ingest(store, FILE_ID, "preview")
        _ingest(store, FILE_ID, "preview-400")
        _ingest(store, FILE_ID, "preview.webp", made_from="x")
        _ingest(store, OTHER_ID, "preview")

        assert store.forget(FILE_ID) is True

        assert store.list(FILE_ID) == []
        with pytest.raises(DoesNotExist):
            store.get(FILE_ID, "preview.webp")
        if isinstance(store, LocalProxyStore):
            assert not (store.root / FILE_ID).exists(), "the file's folder is gone"
        else:
            assert blobs_of(store, FILE_ID) == []
        assert [proxy.typeidentifier for proxy in store.list(OTHER_ID)] == ["preview"]

    def test_a_second_call_finds_nothing(self, store: ProxyStore) -> None:
        _ingest(store, FILE_ID, "preview")
        assert store.forget(FILE_ID) is True
        assert store.forget(FILE_ID) is False

    def test_bytes_left_by_a_call_that_failed_half_way_go_on_the_next(self, store: ProxyStore) -> None:
        _ingest(store, FILE_ID, "preview")
        for proxy in store.list(FILE_ID):
            store._drop_meta(FILE_ID, proxy.typeidentifier)  # as a call that failed after the metadata
        assert store.forget(FILE_ID) is True
        assert store.forget(FILE_ID) is False

    def test_ids_that_could_leave_the_store_forget_nothing(self, store: ProxyStore) -> None:
        assert store.forget("..") is False
        assert store.forget("../etc") is False

    def test_a_folder_that_cannot_be_written_fails_naming_no_path(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = LocalProxyStore(tmp_path / "store")
        _ingest(store, FILE_ID, "preview")

        def refused(path: Path) -> None:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr("proxyservice.services.store.local.shutil.rmtree", refused)
        with pytest.raises(StoreFailed) as failed:
            store.forget(FILE_ID)
        assert str(tmp_path) not in str(failed.value)
        monkeypatch.undo()
        assert store.forget(FILE_ID) is True, "the next call finishes it"
        assert not (store.root / FILE_ID).exists()
