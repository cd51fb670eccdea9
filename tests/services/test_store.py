"""The proxy store on a real temp folder."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.services.store import DoesNotExist, ProxyStore, StoreFailed

FILE_ID = "ab" * 32


def png(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


class TestIngest:
    """A finished proxy is moved into the store."""

    def test_it_is_listed_with_its_size_and_checksum(self, tmp_path: Path) -> None:
        store = ProxyStore(tmp_path / "store")
        made = png(store.generate_temp_filename(".png"), (40, 30))
        proxy = store.ingest(FILE_ID, "html_preview", made, "preview", "preview.png", "image/png")

        assert (proxy.width, proxy.height) == (40, 30)
        assert not made.exists(), "the temp file is moved, not copied"
        assert store.list(FILE_ID) == [proxy]
        found, blob = store.get(FILE_ID, "preview")
        assert found == proxy and blob.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def test_replacing_a_proxy_leaves_one_proxy_and_no_stale_bytes(self, tmp_path: Path) -> None:
        store = ProxyStore(tmp_path / "store")
        first = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4), "red"), "preview", "p.png", "image/png")
        second = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (8, 8), "blue"), "preview", "p.png", "image/png")

        assert store.list(FILE_ID) == [second]
        blobs = list((tmp_path / "store" / FILE_ID / "blobs").iterdir())
        assert [b.name for b in blobs] == [second.checksum] != [first.checksum]

    def test_nothing_is_left_in_the_temp_folder(self, tmp_path: Path) -> None:
        store = ProxyStore(tmp_path / "store")
        store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4)), "preview", "p.png", "image/png")
        assert list(store.temp_dir.iterdir()) == []

    @pytest.mark.parametrize("file_id, typeidentifier", [("../etc", "preview"), (FILE_ID, "../../x"), (FILE_ID, "A B")])
    def test_ids_that_could_leave_the_store_are_refused(self, tmp_path: Path, file_id: str, typeidentifier: str) -> None:
        store = ProxyStore(tmp_path / "store")
        with pytest.raises(ValueError):
            store.ingest(file_id, "p", png(tmp_path / "x.png", (4, 4)), typeidentifier, "p.png", "image/png")


class TestReading:
    """Asking for proxies that are not there."""

    def test_an_unknown_file_has_no_proxies(self, tmp_path: Path) -> None:
        assert ProxyStore(tmp_path).list(FILE_ID) == []
        assert ProxyStore(tmp_path).list("../../etc") == []

    def test_an_unknown_proxy_does_not_exist(self, tmp_path: Path) -> None:
        with pytest.raises(DoesNotExist):
            ProxyStore(tmp_path).get(FILE_ID, "preview")
        with pytest.raises(DoesNotExist):
            ProxyStore(tmp_path).get("..", "..")


class TestAvailability:
    """The readiness check writes for real."""

    def test_a_writable_folder_is_available(self, tmp_path: Path) -> None:
        assert ProxyStore(tmp_path / "new").is_available()

    def test_a_folder_under_a_file_is_not(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("x")
        assert not ProxyStore(tmp_path / "file" / "store").is_available()


class TestErrorsNameNoPath:
    """Store errors end up in task errors that clients read: they give the reason, not the store's paths."""

    def test_a_store_that_cannot_be_written(self, tmp_path: Path) -> None:
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the store's folder should be")
        store = ProxyStore(blocked)
        with pytest.raises(StoreFailed) as raised:
            store.generate_temp_filename(".png")
        assert str(tmp_path) not in str(raised.value) and "Not a directory" in str(raised.value)


class TestSweep:
    """What a killed worker left in the temp folder goes once it is older than any task may run."""

    def test_old_files_and_folders_go_and_fresh_ones_stay(self, tmp_path: Path) -> None:
        import os
        import time

        store = ProxyStore(tmp_path / "store")
        old_file = store.generate_temp_filename(".png")
        old_file.write_bytes(b"x" * 100)
        old_folder = store.temp_dir / ".render-abc"
        old_folder.mkdir()
        (old_folder / "render.png").write_bytes(b"x")
        fresh = store.generate_temp_filename(".png")
        fresh.write_bytes(b"y")
        hour_ago = time.time() - 3600
        for path in (old_file, old_folder):
            os.utime(path, (hour_ago, hour_ago))
        assert store.sweep_temp(older_than=150) == 2
        assert not old_file.exists() and not old_folder.exists() and fresh.exists()
        assert store.sweep_temp(older_than=150) == 0
