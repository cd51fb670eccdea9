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


class TestPageTree:
    """The folder whose files a page may load."""

    def test_up_to_the_levels_asked_and_never_above_its_package(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        page = root / "pkg" / "html" / "library" / "os.html"
        page.parent.mkdir(parents=True)
        page.write_text("<p>os</p>")
        assert sources.page_tree(page, 0) == page.parent.resolve()
        assert sources.page_tree(page, 1) == (root / "pkg" / "html").resolve()
        assert sources.page_tree(page, 5) == (root / "pkg").resolve(), "never another package's documentation"

    def test_a_page_directly_in_a_root_reads_its_own_folder(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, root, _ = layout
        assert sources.page_tree(root / "page.html", 3) == root.resolve()

    def test_an_upload_reads_only_its_own_folder(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        saved = sources.save_upload(io.BytesIO(b"<p>up</p>"), "up.html")
        assert sources.page_tree(saved, 3) == saved.parent.resolve()
        assert sources.page_view(saved, 3).paths == (saved.resolve(),)

    def test_a_page_outside_every_root(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, outside = layout
        with pytest.raises(SourceOutsideRoots):
            sources.page_tree(outside / "secret.html", 1)


@pytest.fixture
def sphinx(tmp_path: Path) -> tuple[SourceFiles, Path]:
    """A package's documentation as Sphinx lays it out, with things a page must not read beside it."""
    root = tmp_path / "doc"
    html = root / "pkg" / "html"
    for name in ("_static/basic.css", "_static/doctools.js", "_static/fonts/a.woff2", "_images/fig.png",
                 "library/os.html", "library/os.css", "library/secret.pdf", "library/notes.txt", "index.html",
                 "_static/searchindex.json"):
        (html / name).parent.mkdir(parents=True, exist_ok=True)
        (html / name).write_text(name)
    (root / "other" / "theme.css").parent.mkdir(parents=True)
    (root / "other" / "theme.css").write_text("another package's")
    os.symlink(root / "other" / "theme.css", html / "_static" / "linked-out.css")
    os.symlink(html / "_static" / "basic.css", html / "library" / "linked-in.css")
    return SourceFiles((root,), tmp_path / "uploads", max_bytes=1000), html


class TestPageView:
    """What the sandbox shows a page: itself and the web assets of its tree, nothing else."""

    def test_the_page_first_then_its_assets(self, sphinx: tuple[SourceFiles, Path]) -> None:
        sources, html = sphinx
        view = sources.page_view(html / "library" / "os.html", 1)
        assert view.folder == html.resolve() and view.paths[0] == (html / "library" / "os.html").resolve()
        shown = {path.relative_to(html.resolve()).as_posix() for path in view.paths[1:]}
        # _images holds assets only: shown whole; _static holds a .json too: its assets one by one.
        assert shown == {"_images", "_static/basic.css", "_static/doctools.js", "_static/fonts",
                         "library/os.css", "library/linked-in.css"}
        assert not view.truncated

    def test_other_documents_and_links_out_of_the_tree_stay_hidden(self, sphinx: tuple[SourceFiles, Path]) -> None:
        sources, html = sphinx
        names = {path.name for path in sources.page_view(html / "library" / "os.html", 1).paths}
        assert not names & {"secret.pdf", "notes.txt", "index.html", "searchindex.json", "linked-out.css", "theme.css"}

    def test_a_huge_tree_is_cut_to_a_bound_with_the_pages_folder_first(self, tmp_path: Path) -> None:
        from proxyservice.services.sources import page_view as module

        root = tmp_path / "root"
        site = root / "site"
        (site / "page").mkdir(parents=True)
        (site / "page" / "index.html").write_text("x")
        (site / "page" / "own.css").write_text("x")
        for index in range(module.MAX_MOUNTS + 50):
            (site / f"pic{index:04}.png").write_text("x")
            (site / f"doc{index:04}.txt").write_text("x")
        view = SourceFiles((root,), tmp_path / "uploads", 1000).page_view(site / "page" / "index.html", 1)
        assert view.truncated and len(view.paths) == module.MAX_MOUNTS + 1
        assert (site / "page" / "own.css").resolve() in view.paths


def _png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


PNG_BYTES = _png_bytes()


class TestMediaType:
    """The type a browser would give: the name, checked against the content."""

    @pytest.mark.parametrize(
        "name, content, expected",
        [
            ("page.txt", b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "text/plain"),
            ("page", b"<!DOCTYPE html><html><body><p>hi</p></body></html>", "text/html"),
            ("page.xhtml", b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
             "application/xhtml+xml"),
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
