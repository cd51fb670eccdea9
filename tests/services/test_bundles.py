"""A page uploaded with its files: unpacked within limits, hostile archives refused, kept under the set's hash."""

import io
import stat
import zipfile
from pathlib import Path
from unittest import mock

import pytest

from proxyservice.domain import ProxySize
from proxyservice.services.sources import (
    BundleInvalid,
    BundleNotStaged,
    BundleTooLarge,
    PageNotFound,
    SourceChanged,
    SourceEmpty,
    SourceFiles,
    SourceTooLarge,
)
from proxyservice.services.sources.members import BundleLimits

PAGE = b'<link rel="stylesheet" href="../_static/site.css"><h1>Hello</h1>'
CSS = b"h1 { color: red }"
LIMITS = BundleLimits(files=10, unpacked_bytes=10_000, depth=4)


def zipped(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> io.BytesIO:
    """A zip of ``members`` (name, bytes), in memory."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression) as archive:
        for name, content in members:
            archive.writestr(name, content)
    stream.seek(0)
    return stream


def with_link(name: str, target: str) -> io.BytesIO:
    """A zip holding ``name``, a symbolic link to ``target`` (as ``zip --symlinks`` makes it), and a page."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("index.html", PAGE)
        link = zipfile.ZipInfo(name)
        link.create_system = 3  # Unix: the mode is in the high bits
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, target)
    stream.seek(0)
    return stream


@pytest.fixture
def sources(tmp_path: Path) -> SourceFiles:
    root = tmp_path / "sources"
    root.mkdir()
    return SourceFiles((root,), tmp_path / "data" / "uploads", 100_000, bundle_limits=LIMITS)


def uploads_left(sources: SourceFiles) -> list[str]:
    """Every file under the upload folder, relative to it."""
    if not sources.upload_root.exists():
        return []
    return sorted(str(path.relative_to(sources.upload_root)) for path in sources.upload_root.rglob("*")
                  if path.is_file())


class TestAZipOfAPagesFolder:
    """A page is uploaded as a .zip of its folder, naming the page."""

    def test_it_is_kept_whole_and_the_page_sees_its_files(self, sources: SourceFiles) -> None:
        page = sources.save_bundle([(zipped(("library/os.html", PAGE), ("_static/site.css", CSS),
                                            ("notes.txt", b"not shown")), "site.zip")], "library/os.html")
        assert page.read_bytes() == PAGE
        view = sources.page_view(page, levels_up=1)
        tree = page.parent.parent
        assert view.folder == tree
        assert view.paths[0] == page
        assert tree / "_static" in view.paths  # a folder of assets only is shown whole
        assert tree / "notes.txt" not in view.paths  # not a web asset: not the page's to load
        assert not list(tree.rglob("manifest")) and not list(tree.rglob("archive.zip"))  # the service's own

    def test_the_same_files_zipped_or_sent_one_by_one_are_one_file(self, sources: SourceFiles) -> None:
        from_zip = sources.save_bundle([(zipped(("a/page.html", PAGE), ("_static/site.css", CSS)), "x.zip")],
                                       "a/page.html")
        one_by_one = sources.save_bundle([(io.BytesIO(CSS), "_static/site.css"), (io.BytesIO(PAGE), "a/page.html")],
                                         "a/page.html")
        assert from_zip == one_by_one
        size = ProxySize(400, 300)
        assert sources.describe(from_zip, size).file_id == sources.describe(one_by_one, size).file_id

    def test_the_same_page_with_other_files_or_another_page_of_them_is_another_file(
        self, sources: SourceFiles
    ) -> None:
        size = ProxySize(400, 300)
        first = sources.describe(sources.save_bundle(
            [(zipped(("p.html", PAGE), ("q.html", PAGE), ("site.css", CSS)), "x.zip")], "p.html"), size)
        restyled = sources.describe(sources.save_bundle(
            [(zipped(("p.html", PAGE), ("q.html", PAGE), ("site.css", b"h1 {}")), "x.zip")], "p.html"), size)
        other_page = sources.describe(sources.save_bundle(
            [(zipped(("p.html", PAGE), ("q.html", PAGE), ("site.css", CSS)), "x.zip")], "q.html"), size)
        alone = sources.describe(sources.save_upload(io.BytesIO(PAGE), "p.html"), size)
        assert len({first.file_id, restyled.file_id, other_page.file_id, alone.file_id}) == 4
        assert first.mimetype == "text/html" and first.size == len(PAGE)

    @pytest.mark.parametrize("members, chosen", [
        ([("index.html", PAGE), ("other.html", PAGE)], "index.html"),
        ([("site/index.html", PAGE), ("site/a/b.html", PAGE), ("site/s.css", CSS)], "site/index.html"),
        ([("only.html", PAGE), ("sub/deeper.html", PAGE)], "only.html"),
    ])
    def test_without_a_page_named_index_or_the_only_page_at_the_top(
        self, sources: SourceFiles, members: list[tuple[str, bytes]], chosen: str
    ) -> None:
        page = sources.save_bundle([(zipped(*members), "site.zip")], None)
        assert page.as_posix().endswith(f"/files/{chosen}")

    @pytest.mark.parametrize("members, page, words", [
        ([("a.html", PAGE), ("b.html", PAGE)], None, "name the page to draw (the page field): 'site.zip' has no "
                                                     "index.html at its top, and 2 pages there"),
        ([("a.html", PAGE)], "b.html", "page: 'b.html' is not among the files sent"),
        ([("a.html", PAGE)], "../a.html", "page: '../a.html' is not among the files sent"),
    ])
    def test_no_page_to_draw(self, sources: SourceFiles, members: list[tuple[str, bytes]], page: str | None,
                             words: str) -> None:
        with pytest.raises(PageNotFound, match=words.replace("(", r"\(").replace(")", r"\)")):
            sources.save_bundle([(zipped(*members), "site.zip")], page)
        assert uploads_left(sources) == []

    def test_an_empty_page(self, sources: SourceFiles) -> None:
        with pytest.raises(SourceEmpty, match="page: 'a.html' is empty"):
            sources.save_bundle([(zipped(("a.html", b"")), "site.zip")], None)

    def test_its_page_changed_since_the_ingest_is_refused_by_the_job(self, sources: SourceFiles,
                                                                     tmp_path: Path) -> None:
        page = sources.save_bundle([(zipped(("index.html", PAGE), ("site.css", CSS)), "site.zip")], None)
        file_id = sources.describe(page, ProxySize(400, 300)).file_id
        (tmp_path / "job").mkdir()
        assert sources.snapshot(str(page), file_id, tmp_path / "job").read_bytes() == PAGE
        page.write_bytes(b"<h1>other</h1>")
        (tmp_path / "job2").mkdir()
        with pytest.raises(SourceChanged):
            sources.snapshot(str(page), file_id, tmp_path / "job2")


class TestHostileArchives:
    """A zip made to escape its folder, or to fill the disk, is refused whole: nothing of it is kept."""

    @pytest.mark.parametrize("name, words", [
        ("../x.css", "'../x.css' leads outside the page's folder (..)"),
        ("a/../../x.css", "'a/../../x.css' leads outside the page's folder (..)"),
        ("..\\x.css", "'..\\\\x.css' leads outside the page's folder (..)"),
        ("/etc/cron.d/x", "'/etc/cron.d/x' is an absolute path"),
        ("C:/x.css", "'C:/x.css' is an absolute path"),
        ("a\nb.css", "holds a control character"),
    ])
    def test_names_that_lead_out(self, sources: SourceFiles, name: str, words: str) -> None:
        with pytest.raises(BundleInvalid) as refused:
            sources.save_bundle([(zipped(("index.html", PAGE), (name, CSS)), "evil.zip")], None)
        assert str(refused.value).startswith("'evil.zip': ") and words in str(refused.value)
        assert uploads_left(sources) == []
        assert not (sources.upload_root.parent / "x.css").exists()

    def test_a_symbolic_link(self, sources: SourceFiles) -> None:
        with pytest.raises(BundleInvalid, match="'passwd.css' is a symbolic link; links are not unpacked"):
            sources.save_bundle([(with_link("passwd.css", "/etc/passwd"), "evil.zip")], None)
        assert uploads_left(sources) == []

    def test_too_many_members(self, sources: SourceFiles) -> None:
        members = [("index.html", PAGE), *((f"{n}.css", CSS) for n in range(10))]
        with pytest.raises(BundleTooLarge, match=r"'many.zip' holds 11 files; the limit is 10 \(MAX_BUNDLE_FILES\)"):
            sources.save_bundle([(zipped(*members), "many.zip")], None)
        assert uploads_left(sources) == []

    def test_too_deep(self, sources: SourceFiles) -> None:
        with pytest.raises(BundleTooLarge, match=r"'a/b/c/d/e.css' is 5 folders deep; the limit is 4 "
                                                 r"\(MAX_BUNDLE_DEPTH\)"):
            sources.save_bundle([(zipped(("index.html", PAGE), ("a/b/c/d/e.css", CSS)), "deep.zip")], None)

    def test_a_zip_bomb_is_refused_from_its_headers_before_anything_is_written(self, sources: SourceFiles) -> None:
        bomb = zipped(("index.html", PAGE), ("zeros.css", bytes(10_001)))  # some 30 bytes, deflated
        assert len(bomb.getvalue()) < 1000
        with pytest.raises(BundleTooLarge, match=r"'bomb.zip' unpacks to more than 10000 bytes \(MAX_UNPACKED_BYTES\)"):
            sources.save_bundle([(bomb, "bomb.zip")], None)
        assert uploads_left(sources) == []

    def test_a_zip_whose_headers_understate_its_members(self, sources: SourceFiles) -> None:
        archive = zipped(("index.html", PAGE), ("zeros.css", bytes(9_000))).getvalue()
        # The member's sizes in both headers say 90 bytes; its deflated stream holds 9,000.
        lied = archive.replace((9_000).to_bytes(4, "little"), (90).to_bytes(4, "little"))
        assert lied != archive
        with pytest.raises(BundleInvalid, match="'zeros.css' cannot be unpacked"):
            sources.save_bundle([(io.BytesIO(lied), "liar.zip")], None)
        assert uploads_left(sources) == []

    def test_the_unpacked_bytes_are_counted_as_they_come(self, tmp_path: Path) -> None:
        sources = SourceFiles((tmp_path,), tmp_path / "uploads", 100_000,
                              bundle_limits=BundleLimits(files=10, unpacked_bytes=1000, depth=4))
        # Each member alone fits; all of them do not.
        with pytest.raises(BundleTooLarge, match="unpacks to more than 1000 bytes"):
            sources.save_bundle([(io.BytesIO(PAGE), "index.html"), *((io.BytesIO(bytes(400)), f"{n}.css")
                                                                      for n in range(3))], None)
        assert uploads_left(sources) == []

    def test_a_zip_larger_than_max_source_bytes(self, tmp_path: Path) -> None:
        sources = SourceFiles((tmp_path,), tmp_path / "uploads", 100, bundle_limits=LIMITS)
        with pytest.raises(SourceTooLarge, match=r"'big.zip' is larger than 100 bytes \(MAX_SOURCE_BYTES\)"):
            sources.save_bundle([(zipped(("index.html", PAGE), ("a.css", CSS)), "big.zip")], None)

    @pytest.mark.filterwarnings("ignore:Duplicate name")
    @pytest.mark.parametrize("members, words", [
        ([("index.html", PAGE), ("a.css", CSS), ("a.css", CSS)], "'a.css' is named twice"),
        ([("index.html", PAGE), ("a", CSS), ("a/b.css", CSS)], "'a/b.css' is inside 'a', which is a file"),
    ])
    def test_names_that_clash(self, sources: SourceFiles, members: list[tuple[str, bytes]], words: str) -> None:
        with pytest.raises(BundleInvalid, match=words):
            sources.save_bundle([(zipped(*members), "clash.zip")], None)

    def test_not_a_zip(self, sources: SourceFiles) -> None:
        with pytest.raises(BundleInvalid, match="'site.zip' is not a zip archive that can be read"):
            sources.save_bundle([(io.BytesIO(PAGE), "site.zip")], None)
        assert uploads_left(sources) == []

    def test_an_encrypted_member(self, sources: SourceFiles) -> None:
        archive = zipped(("index.html", PAGE), ("a.css", CSS), compression=zipfile.ZIP_STORED).getvalue()
        # Set bit 0 (encrypted) of the general purpose flags in the central directory's entries.
        central = archive.index(b"PK\x01\x02")
        flagged = bytearray(archive)
        while central != -1:
            flagged[central + 8] |= 1
            central = archive.find(b"PK\x01\x02", central + 4)
        with pytest.raises(BundleInvalid, match="is encrypted"):
            sources.save_bundle([(io.BytesIO(bytes(flagged)), "locked.zip")], None)


class TestFilesSentOneByOne:
    """A page's folder dropped in a browser: each file a part, named by its path in the folder."""

    def test_kept_at_their_paths(self, sources: SourceFiles) -> None:
        page = sources.save_bundle([(io.BytesIO(PAGE), "html/library/os.html"),
                                    (io.BytesIO(CSS), "html/_static/site.css")], "html/library/os.html")
        assert (page.parent.parent / "_static" / "site.css").read_bytes() == CSS

    @pytest.mark.parametrize("name", ["../x.css", "/abs.css", ""])
    def test_names_that_lead_out_or_name_nothing(self, sources: SourceFiles, name: str) -> None:
        with pytest.raises(BundleInvalid):
            sources.save_bundle([(io.BytesIO(PAGE), "index.html"), (io.BytesIO(CSS), name)], None)
        assert uploads_left(sources) == []

    def test_too_many(self, sources: SourceFiles) -> None:
        with pytest.raises(BundleTooLarge, match=r"the upload holds 11 files; the limit is 10 \(MAX_BUNDLE_FILES\)"):
            sources.save_bundle([(io.BytesIO(CSS), f"{n}.css") for n in range(11)], None)


class TestObjectStorage:
    """Uploads are staged in object storage (STORE_URL): a page's files are not staged yet."""

    def test_refused_saying_so_and_nothing_is_kept(self, tmp_path: Path) -> None:
        staged = SourceFiles((tmp_path,), tmp_path / "uploads", 100_000, staging=mock.Mock(), bundle_limits=LIMITS)
        with pytest.raises(BundleNotStaged, match=r"object storage \(STORE_URL\) yet; upload the page alone"):
            staged.save_bundle([(zipped(("index.html", PAGE)), "site.zip")], None)
        assert uploads_left(staged) == []
