"""Source files: paths inside the roots, and uploads."""

import io
import os
from pathlib import Path

import pytest

from proxyservice.domain import ProxySize
from proxyservice.services.sources import (
    SourceEmpty, SourceFiles, SourceNotFound, SourceOutsideRoots, SourceTooLarge,
)


@pytest.fixture
def layout(tmp_path: Path) -> tuple[SourceFiles, Path, Path]:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "page.html").write_text("<p>hi</p>")
    (outside / "secret.html").write_text("<p>secret</p>")
    return SourceFiles((root,), tmp_path / "uploads", max_bytes=1000), root, outside


class TestResolve:
    """A path a client names."""

    def test_a_file_inside_a_root_resolves(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        assert sources.resolve(str(root / "page.html")) == (root / "page.html").resolve()

    @pytest.mark.parametrize("path", ["{root}/../outside/secret.html", "/etc/passwd", "relative/page.html", "{root}/.."])
    def test_paths_outside_the_roots_are_refused(self, layout: tuple[SourceFiles, Path, Path], path: str) -> None:
        sources, root, _ = layout
        with pytest.raises(SourceOutsideRoots):
            sources.resolve(path.format(root=root))

    def test_a_symlink_out_of_the_root_is_refused(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, outside = layout
        os.symlink(outside / "secret.html", root / "link.html")
        with pytest.raises(SourceOutsideRoots):
            sources.resolve(str(root / "link.html"))

    def test_a_missing_file_is_not_found(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        with pytest.raises(SourceNotFound):
            sources.resolve(str(root / "nope.html"))
        with pytest.raises(SourceNotFound):
            sources.resolve(str(root))  # a folder is not a file
        with pytest.raises(SourceNotFound):
            sources.resolve(str(root / "page\x00.html"))

    def test_empty_and_too_large_files_are_refused(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        (root / "empty.html").write_text("")
        (root / "big.html").write_bytes(b"x" * 1001)
        with pytest.raises(SourceEmpty):
            sources.resolve(str(root / "empty.html"))
        with pytest.raises(SourceTooLarge):
            sources.resolve(str(root / "big.html"))


class TestReadableFolder:
    """The folder a page's renderer may read."""

    def test_up_to_the_levels_asked_and_never_above_the_root(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        page = root / "html" / "library" / "os.html"
        page.parent.mkdir(parents=True)
        page.write_text("<p>os</p>")
        assert sources.readable_folder(page, 0) == page.parent.resolve()
        assert sources.readable_folder(page, 1) == (root / "html").resolve()
        assert sources.readable_folder(page, 5) == root.resolve()
        assert sources.readable_folder(root / "page.html", 1) == root.resolve()

    def test_an_upload_reads_only_its_own_folder(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        saved = sources.save_upload(io.BytesIO(b"<p>up</p>"), "up.html")
        assert sources.readable_folder(saved, 3) == saved.parent.resolve()

    def test_a_page_outside_every_root(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, outside = layout
        with pytest.raises(SourceOutsideRoots):
            sources.readable_folder(outside / "secret.html", 1)


def _png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


PNG_BYTES = _png_bytes()


class TestMediaType:
    """The type comes from the content, not only the name."""

    @pytest.mark.parametrize(
        "name, content, expected",
        [
            ("page.txt", b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "text/html"),
            ("picture", PNG_BYTES, "image/png"),
            ("style.css", b"body { color: red; }", "text/css"),
            ("notes.html", b"just some words, no markup at all", "text/html"),
        ],
    )
    def test_described_type(self, layout: tuple[SourceFiles, Path, Path], name: str, content: bytes, expected: str) -> None:
        sources, root, _ = layout
        (root / name).write_bytes(content)
        assert sources.describe(root / name, ProxySize(4, 3)).mimetype == expected


class TestUploads:
    """Files that arrive in a request."""

    def test_an_upload_is_kept_under_its_hash_with_a_safe_name(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        saved = sources.save_upload(io.BytesIO(b"<p>up</p>"), "../../evil name.html")
        described = sources.describe(saved, ProxySize(4, 3))
        assert saved.name == "evil_name.html"
        assert saved.parent.name == described.file_id
        assert described.mimetype == "text/html" and described.size == 9
        assert sources.resolve(str(saved)) == saved.resolve()

    def test_too_large_and_empty_uploads_leave_nothing(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        with pytest.raises(SourceTooLarge):
            sources.save_upload(io.BytesIO(b"x" * 1001), "big.html")
        with pytest.raises(SourceEmpty):
            sources.save_upload(io.BytesIO(b""), "empty.html")
        assert list(sources.upload_root.iterdir()) == []
