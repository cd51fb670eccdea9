"""A deleted file's upload goes: the copy on this host, and the one staged in object storage."""

import hashlib
import io
from pathlib import Path

import pytest

from proxyservice.services.sources import SourceFiles, UploadNotRemoved
from tests.conftest import ObjectStorage
from tests.services.test_sources import STAGED_PAGE, hosts, layout  # noqa: F401  (fixtures)


class TestForgetUpload:
    """The upload kept under the file's hash is removed; other uploads stay."""

    def test_the_kept_upload_goes_and_another_stays(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        gone = sources.save_upload(io.BytesIO(b"<p>one</p>"), "one.html")
        kept = sources.save_upload(io.BytesIO(b"<p>two</p>"), "two.html")

        assert sources.forget_upload(gone.parent.name) is True

        assert not gone.parent.exists() and kept.exists()
        assert sources.forget_upload(gone.parent.name) is False, "a second call finds nothing"

    def test_an_id_that_is_no_content_hash_removes_nothing(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        kept = sources.save_upload(io.BytesIO(b"<p>one</p>"), "one.html")
        assert sources.forget_upload("..") is False
        assert sources.forget_upload(kept.parent.name[:10]) is False
        assert kept.exists()

    def test_the_staged_object_goes_too(
        self, hosts: tuple[SourceFiles, SourceFiles], s3_url: ObjectStorage
    ) -> None:
        web, worker = hosts
        saved = web.save_upload(io.BytesIO(STAGED_PAGE), "page.html")
        other = web.save_upload(io.BytesIO(b"<p>other</p>"), "other.html")
        sha256 = hashlib.sha256(STAGED_PAGE).hexdigest()

        assert worker.forget_upload(sha256) is True, "any host removes the staged object"
        assert s3_url.keys() == [f"service/uploads/{other.parent.name}/other.html"]
        assert web.forget_upload(sha256) is True, "the web host removes its own copy"
        assert not saved.parent.exists()

    def test_a_folder_that_cannot_be_removed_is_a_passing_error(
        self, layout: tuple[SourceFiles, Path, Path], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        sources, _, _ = layout
        saved = sources.save_upload(io.BytesIO(b"<p>one</p>"), "one.html")

        def refused(path: Path) -> None:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr("proxyservice.services.sources.forgetting.shutil.rmtree", refused)
        with pytest.raises(UploadNotRemoved, match="try again later") as failed:
            sources.forget_upload(saved.parent.name)
        assert str(saved) not in str(failed.value)
