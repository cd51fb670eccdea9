"""The proxy store, the same suite on a real temp folder and on a bucket of a real S3 server (moto)."""

import io
import os
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from proxyservice.config import Settings, SettingInvalid
from proxyservice.services.store import DoesNotExist, ProxyContent, ProxyStore, StoredObject, StoreFailed, store_for
from proxyservice.services.store.s3 import S3ProxyStore
from tests.conftest import S3_CREDENTIALS, ObjectStorage
from tests.support import free_port

FILE_ID = "ab" * 32
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png(path: Path, size: tuple[int, int], colour: str = "red") -> Path:
    Image.new("RGB", size, colour).save(path, format="PNG")
    return path


def store_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings.from_environ({}, DATA_DIR=tmp_path / "data", STORE_MIN_FREE_MB=0, **overrides)


@pytest.fixture(params=["folder", "bucket"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ProxyStore:
    """The store as the settings choose it: a folder, or (STORE_URL) a fresh bucket."""
    if request.param == "folder":
        return store_for(store_settings(tmp_path))
    storage: ObjectStorage = request.getfixturevalue("s3_url")
    return store_for(store_settings(tmp_path, STORE_URL=storage.url))


def bytes_of(content: ProxyContent) -> bytes:
    """A proxy's bytes as the web app reads them: a file sent, or an object streamed."""
    if isinstance(content, Path):
        return content.read_bytes()
    body = content.open()
    try:
        return b"".join(body)
    finally:
        body.close()


def blobs_of(store: ProxyStore, file_id: str) -> list[str]:
    """The names of the byte files (or objects) a file's proxies keep."""
    if not isinstance(store, S3ProxyStore):
        return sorted(path.name for path in (store.root / file_id / "blobs").iterdir())
    import boto3

    bucket = store.bucket
    listing = boto3.client("s3").list_objects_v2(Bucket=bucket.name, Prefix=bucket.key("proxies", file_id, "blobs/"))
    return sorted(item["Key"].rsplit("/", 1)[-1] for item in listing.get("Contents", ()))


class TestChoice:
    """STORE_URL decides where proxies go."""

    def test_unset_is_the_folder_in_data_dir(self, tmp_path: Path) -> None:
        store = store_for(store_settings(tmp_path))
        assert store.location == str(tmp_path / "data" / "proxies")

    def test_an_s3_url_is_its_bucket(self, tmp_path: Path) -> None:
        store = store_for(store_settings(tmp_path, STORE_URL="s3://my-bucket/a/b/"))
        assert store.location == "s3://my-bucket/a/b/proxies"
        assert store.temp_dir.is_relative_to(tmp_path / "data" / "tmp"), "proxies are made on the worker's own disk"

    @pytest.mark.parametrize("url", ["http://my-bucket/x", "s3://", "s3://Not_A_Bucket/x", "/srv/proxies"])
    def test_anything_else_is_refused_naming_the_setting(self, tmp_path: Path, url: str) -> None:
        with pytest.raises(SettingInvalid, match="STORE_URL"):
            store_for(store_settings(tmp_path, STORE_URL=url))


class TestIngest:
    """A finished proxy is moved into the store."""

    def test_it_is_listed_with_its_size_and_checksum(self, store: ProxyStore) -> None:
        made = png(store.generate_temp_filename(".png"), (40, 30))
        proxy = store.ingest(FILE_ID, "html_preview", made, "preview", "preview.png", "image/png")

        assert (proxy.width, proxy.height) == (40, 30)
        assert not made.exists(), "the temp file is moved, not copied"
        assert store.list(FILE_ID) == [proxy]
        found, content = store.get(FILE_ID, "preview")
        assert found == proxy and bytes_of(content)[:8] == PNG_SIGNATURE
        assert len(bytes_of(content)) == proxy.bytes

    def test_replacing_a_proxy_leaves_one_proxy_and_no_stale_bytes(self, store: ProxyStore) -> None:
        first = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4), "red"), "preview", "p.png", "image/png")
        second = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (8, 8), "blue"), "preview", "p.png", "image/png")

        assert store.list(FILE_ID) == [second]
        assert blobs_of(store, FILE_ID) == [second.checksum] != [first.checksum]
        assert Image.open(io.BytesIO(bytes_of(store.get(FILE_ID, "preview")[1]))).size == (8, 8)

    def test_a_files_proxies_are_listed_by_type(self, store: ProxyStore) -> None:
        thumbnail = store.ingest(FILE_ID, "t", png(store.generate_temp_filename(), (4, 4)), "thumbnail", "t.png", "image/png")
        preview = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (6, 6)), "preview", "p.png", "image/png")
        assert store.list(FILE_ID) == [preview, thumbnail]
        assert store.list("cd" * 32) == []

    def test_nothing_is_left_in_the_temp_folder(self, store: ProxyStore) -> None:
        store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4)), "preview", "p.png", "image/png")
        assert list(store.temp_dir.iterdir()) == []

    @pytest.mark.parametrize("file_id, typeidentifier", [("../etc", "preview"), (FILE_ID, "../../x"), (FILE_ID, "A B")])
    def test_ids_that_could_leave_the_store_are_refused(
        self, store: ProxyStore, tmp_path: Path, file_id: str, typeidentifier: str
    ) -> None:
        with pytest.raises(ValueError):
            store.ingest(file_id, "p", png(tmp_path / "x.png", (4, 4)), typeidentifier, "p.png", "image/png")


class TestReading:
    """Asking for proxies that are not there."""

    def test_an_unknown_file_has_no_proxies(self, store: ProxyStore) -> None:
        assert store.list(FILE_ID) == []
        assert store.list("../../etc") == []

    def test_an_unknown_proxy_does_not_exist(self, store: ProxyStore) -> None:
        with pytest.raises(DoesNotExist):
            store.get(FILE_ID, "preview")
        with pytest.raises(DoesNotExist):
            store.get("..", "..")


class TestAvailability:
    """The readiness check writes for real (and asks the bucket)."""

    def test_a_writable_store_is_available(self, store: ProxyStore) -> None:
        assert store.is_available()

    def test_a_folder_under_a_file_is_not(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("x")
        assert not store_for(store_settings(tmp_path, PROXY_STORE_ROOT=tmp_path / "file" / "store")).is_available()

    def test_a_bucket_that_does_not_exist_is_not(self, tmp_path: Path, s3_url: ObjectStorage) -> None:
        store = store_for(store_settings(tmp_path, STORE_URL="s3://no-such-bucket-here/x"))
        assert not store.is_available()

    def test_an_endpoint_that_never_answers_is_not_within_the_readiness_timeout(
        self, tmp_path: Path, s3_url: ObjectStorage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import socket

        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections, never answers
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url, STATUS_CHECK_TIMEOUT=0.5))
        started = time.monotonic()
        try:
            assert not store.is_available()
        finally:
            silent.close()
        assert time.monotonic() - started < 2.5


class TestVisibleOnlyWhole:
    """A proxy shows only once its metadata is written, after its bytes."""

    def test_bytes_without_metadata_are_no_proxy(self, tmp_path: Path, s3_url: ObjectStorage) -> None:
        import boto3

        # What a worker killed between its two writes leaves.
        boto3.client("s3").put_object(Bucket=s3_url.bucket, Key=f"service/proxies/{FILE_ID}/blobs/{'0' * 64}",
                                      Body=b"half")
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url))
        assert store.list(FILE_ID) == []
        with pytest.raises(DoesNotExist):
            store.get(FILE_ID, "preview")

    def test_the_bucket_holds_the_layout_of_a_data_folder(self, tmp_path: Path, s3_url: ObjectStorage) -> None:
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url))
        proxy = store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4)), "preview", "p.png", "image/png")
        assert s3_url.keys() == [f"service/proxies/{FILE_ID}/blobs/{proxy.checksum}",
                                 f"service/proxies/{FILE_ID}/preview.json"]


class TestObjectContent:
    """A proxy in a bucket is streamed, linked to, or copied for a caller that needs a file."""

    @pytest.fixture
    def stored(self, tmp_path: Path, s3_url: ObjectStorage) -> tuple[ProxyStore, StoredObject, bytes]:
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url))
        made = png(store.generate_temp_filename(), (40, 30), "teal")
        expected = made.read_bytes()
        store.ingest(FILE_ID, "p", made, "preview", "preview.png", "image/png")
        _, content = store.get(FILE_ID, "preview")
        assert isinstance(content, StoredObject)
        return store, content, expected

    def test_a_presigned_url_fetches_the_bytes_without_credentials(
        self, stored: tuple[ProxyStore, StoredObject, bytes]
    ) -> None:
        _, content, expected = stored
        url = content.presigned_url(60, "image/png", "preview.png", "private, max-age=30")
        assert S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in url
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert answer.read() == expected
            assert answer.headers["Content-Type"] == "image/png"
            assert answer.headers["Cache-Control"] == "private, max-age=30"
            assert "preview.png" in answer.headers["Content-Disposition"]

    def test_a_caller_that_needs_a_file_gets_a_copy_in_the_scratch_folder(
        self, stored: tuple[ProxyStore, StoredObject, bytes]
    ) -> None:
        store, content, expected = stored
        copy = Path(os.fspath(content))
        assert copy.read_bytes() == expected and copy.is_relative_to(store.temp_dir)
        with Image.open(content) as image:  # as `plugins check` opens a proxy
            assert image.size == (40, 30)

    def test_bytes_gone_since_the_metadata_was_read_do_not_exist(
        self, stored: tuple[ProxyStore, StoredObject, bytes], s3_url: ObjectStorage
    ) -> None:
        import boto3

        _, content, _ = stored
        boto3.client("s3").delete_object(Bucket=s3_url.bucket, Key=content.key)
        with pytest.raises(DoesNotExist):
            content.open()


class TestErrorsNameNoPath:
    """Store errors end up in task errors that clients read: they give the reason, not the store's paths or keys."""

    def test_a_store_that_cannot_be_written(self, tmp_path: Path) -> None:
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the store's folder should be")
        store = store_for(store_settings(tmp_path, PROXY_STORE_ROOT=blocked))
        with pytest.raises(StoreFailed) as raised:
            store.generate_temp_filename(".png")
        assert str(tmp_path) not in str(raised.value) and "Not a directory" in str(raised.value)

    def test_object_storage_out_of_reach(self, tmp_path: Path, s3_url: ObjectStorage, monkeypatch: pytest.MonkeyPatch) -> None:
        port = free_port()  # nothing listens there
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url))
        made = png(store.generate_temp_filename(), (4, 4))
        with pytest.raises(StoreFailed) as raised:
            store.ingest(FILE_ID, "p", made, "preview", "p.png", "image/png")
        said = str(raised.value)
        assert "cannot be reached" in said and "AWS_ENDPOINT_URL" in said
        secrets_and_places = (S3_CREDENTIALS["AWS_ACCESS_KEY_ID"], S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                              str(port), s3_url.bucket, f"{FILE_ID}/")
        assert [shown for shown in secrets_and_places if shown in said] == []

    def test_a_bucket_that_does_not_exist(self, tmp_path: Path, s3_url: ObjectStorage) -> None:
        store = store_for(store_settings(tmp_path, STORE_URL="s3://no-such-bucket-here/x"))
        with pytest.raises(StoreFailed, match="the bucket STORE_URL names does not exist"):
            store.ingest(FILE_ID, "p", png(store.generate_temp_filename(), (4, 4)), "preview", "p.png", "image/png")

    def test_no_credentials(self, tmp_path: Path, s3_url: ObjectStorage, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name)
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        store = store_for(store_settings(tmp_path, STORE_URL=s3_url.url))
        with pytest.raises(StoreFailed, match="no credentials .*AWS_ACCESS_KEY_ID"):
            store.list(FILE_ID)


class TestSweep:
    """What a killed worker left in the temp folder goes once it is older than any task may run."""

    def test_old_files_and_folders_go_and_fresh_ones_stay(self, store: ProxyStore) -> None:
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
