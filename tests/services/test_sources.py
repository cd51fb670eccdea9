"""Source files: paths inside the roots, and uploads."""

import hashlib
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest

from proxyservice.config import Settings
from proxyservice.domain import ProxySize
from proxyservice.services.sources import (
    SourceChanged, SourceEmpty, SourceFiles, SourceNotFound, SourceOutsideRoots, SourceTooLarge, UploadNotKept,
)
from proxyservice.services.sources import description
from proxyservice.services.store import StoreFailed
from tests.conftest import ObjectStorage
from tests.support import free_port


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
        with pytest.raises(SourceOutsideRoots):
            sources.resolve(str(saved))  # an upload is never named by path: another client's would be read

    def test_too_large_and_empty_uploads_leave_nothing(self, layout: tuple[SourceFiles, Path, Path]) -> None:
        sources, _, _ = layout
        with pytest.raises(SourceTooLarge):
            sources.save_upload(io.BytesIO(b"x" * 1001), "big.html")
        with pytest.raises(SourceEmpty):
            sources.save_upload(io.BytesIO(b""), "empty.html")
        assert list(sources.upload_root.iterdir()) == []


STAGED_PAGE = b"<!DOCTYPE html><html><body><p>staged</p></body></html>"


@pytest.fixture
def hosts(tmp_path: Path, s3_url: ObjectStorage) -> tuple[SourceFiles, SourceFiles]:
    """The sources of a web host and of a worker host: each its own disk, one bucket (STORE_URL) between them."""
    def host(name: str) -> SourceFiles:
        settings = Settings.from_environ({}, DATA_DIR=tmp_path / name, STORE_URL=s3_url.url, MAX_SOURCE_BYTES=1000)
        return SourceFiles.from_settings(settings)

    return host("web"), host("worker")


class TestStagedUploads:
    """With STORE_URL, an upload is staged in the object storage and a worker on another host fetches it."""

    def test_the_upload_is_staged_and_named_by_its_object(
        self, hosts: tuple[SourceFiles, SourceFiles], s3_url: ObjectStorage
    ) -> None:
        web, _ = hosts
        saved = web.save_upload(io.BytesIO(STAGED_PAGE), "../my page.html")
        described = web.describe(saved, ProxySize(4, 3))
        sha256 = hashlib.sha256(STAGED_PAGE).hexdigest()
        assert described.file_id == sha256 and described.mimetype == "text/html", "sniffed from the local copy"
        assert described.path == f"s3://{s3_url.bucket}/service/uploads/{sha256}/my_page.html"
        assert (described.name, described.ext) == ("my_page.html", ".html")
        assert s3_url.keys() == [f"service/uploads/{sha256}/my_page.html"]

    def test_a_worker_on_another_host_runs_on_a_copy_of_its_own_removed_after(
        self, hosts: tuple[SourceFiles, SourceFiles]
    ) -> None:
        web, worker = hosts
        saved = web.save_upload(io.BytesIO(STAGED_PAGE), "page.html")
        reference = web.describe(saved, ProxySize(4, 3)).path
        args = ["f" * 64, reference, 400, 300]
        with worker.materialize(args) as local:
            copy = Path(local[1])
            assert [local[0], *local[2:]] == ["f" * 64, 400, 300], "other arguments are left as they are"
            assert copy.read_bytes() == STAGED_PAGE and copy.name == "page.html"
            assert copy.is_relative_to(worker.upload_root) and not copy.is_relative_to(web.upload_root)
            assert copy.parent.name == hashlib.sha256(STAGED_PAGE).hexdigest()
            # Like any upload, the page may read nothing else, whatever RENDER_ALLOW_UP says.
            assert worker.page_view(copy, 3).paths == (copy.resolve(),)
        assert not copy.exists() and not copy.parent.exists()

    def test_two_jobs_of_one_upload_each_have_their_copy(self, hosts: tuple[SourceFiles, SourceFiles]) -> None:
        web, worker = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        with worker.materialize([reference]) as first:
            with worker.materialize([reference]) as second:
                assert first != second
            assert Path(first[0]).read_bytes() == STAGED_PAGE, "the other job's end leaves this copy alone"

    def test_paths_and_local_uploads_are_not_fetched(self, hosts: tuple[SourceFiles, SourceFiles], tmp_path: Path) -> None:
        _, worker = hosts
        args = [str(tmp_path / "sources" / "page.html"), 3]
        with worker.materialize(args) as local:
            assert local == args
        assert not (worker.upload_root / ".jobs").exists()

    def test_an_upload_gone_from_the_store_fails_saying_so(
        self, hosts: tuple[SourceFiles, SourceFiles], s3_url: ObjectStorage
    ) -> None:
        import boto3

        web, worker = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        [key] = s3_url.keys()
        boto3.client("s3").delete_object(Bucket=s3_url.bucket, Key=key)
        with pytest.raises(SourceNotFound, match="no longer in the store; upload it again"):
            with worker.materialize([reference]):
                pass
        assert list((worker.upload_root / ".jobs").iterdir()) == []

    def test_bytes_changed_in_the_store_are_refused(
        self, hosts: tuple[SourceFiles, SourceFiles], s3_url: ObjectStorage
    ) -> None:
        import boto3

        web, worker = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        [key] = s3_url.keys()
        boto3.client("s3").put_object(Bucket=s3_url.bucket, Key=key, Body=b"<p>other bytes</p>")
        with pytest.raises(SourceNotFound, match="not the one uploaded"):
            with worker.materialize([reference]):
                pass

    @pytest.mark.parametrize("reference", [
        "s3://another-bucket/service/uploads/{sha}/page.html",
        "s3://{bucket}/elsewhere/uploads/{sha}/page.html",
        "s3://{bucket}/service/uploads/{sha}/../../proxies/x",
        "s3://{bucket}/service/uploads/{sha}/.hidden",
        "s3://{bucket}/service/uploads/not-a-hash/page.html",
    ])
    def test_references_outside_this_hosts_uploads_are_refused(
        self, hosts: tuple[SourceFiles, SourceFiles], s3_url: ObjectStorage, reference: str
    ) -> None:
        _, worker = hosts
        named = reference.format(bucket=s3_url.bucket, sha=hashlib.sha256(STAGED_PAGE).hexdigest())
        with pytest.raises(SourceOutsideRoots, match="same STORE_URL"):
            with worker.materialize([named]):
                pass

    def test_a_worker_without_store_url_refuses_a_reference(
        self, hosts: tuple[SourceFiles, SourceFiles], tmp_path: Path
    ) -> None:
        web, _ = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        local_only = SourceFiles((), tmp_path / "local-only" / "uploads", 1000)
        with pytest.raises(SourceOutsideRoots, match="same STORE_URL"):
            with local_only.materialize([reference]):
                pass

    def test_object_storage_out_of_reach(
        self, hosts: tuple[SourceFiles, SourceFiles], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        web, worker = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
        # Saving: 503 for the client, and nothing kept.
        with pytest.raises(UploadNotKept, match="cannot be reached"):
            web.save_upload(io.BytesIO(b"<p>new</p>"), "new.html")
        assert not (web.upload_root / hashlib.sha256(b"<p>new</p>").hexdigest() / "new.html").exists()
        # Fetching: the store's transient failure, which a task retries.
        with pytest.raises(StoreFailed, match="cannot be reached"):
            with worker.materialize([reference]):
                pass

    def test_copies_a_killed_worker_left_are_swept_by_the_next_job(
        self, hosts: tuple[SourceFiles, SourceFiles]
    ) -> None:
        web, worker = hosts
        reference = web.describe(web.save_upload(io.BytesIO(STAGED_PAGE), "page.html"), ProxySize(4, 3)).path
        left = worker.upload_root / ".jobs" / "killed" / "page.html"
        left.parent.mkdir(parents=True)
        left.write_bytes(STAGED_PAGE)
        long_ago = time.time() - worker.job_seconds - 60
        os.utime(left.parent, (long_ago, long_ago))
        with worker.materialize([reference]):
            assert not left.parent.exists()


class TestDeepTrees:
    """A tree nested thousands of folders deep does not stop its pages' previews."""

    def test_a_page_beside_a_1500_deep_folder_still_gets_its_view(self, tmp_path: Path) -> None:
        root = tmp_path / "root"
        site = root / "site"
        site.mkdir(parents=True)
        (site / "page.html").write_text("<p>hi</p>")
        (site / "style.css").write_text("p {}")
        (site / "deep").mkdir()
        folder = os.open(site / "deep", os.O_RDONLY)
        for _ in range(1500):  # deeper than a path may name: made one folder at a time
            os.mkdir("d", dir_fd=folder)
            inner = os.open("d", os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = inner
        os.close(folder)
        try:
            view = SourceFiles((root,), tmp_path / "uploads", 1000).page_view(site / "page.html", 1)
            assert (site / "style.css").resolve() in view.paths and view.truncated
        finally:
            _remove_deep(site / "deep")


def _remove_deep(top: Path) -> None:
    """Remove a chain of folders too deep for shutil.rmtree's recursion, from the bottom up."""
    chain = [os.open(top, os.O_RDONLY)]
    while True:
        try:
            chain.append(os.open("d", os.O_RDONLY, dir_fd=chain[-1]))
        except FileNotFoundError:
            break
    while len(chain) > 1:
        os.close(chain.pop())
        os.rmdir("d", dir_fd=chain[-1])
    os.close(chain[0])
    top.rmdir()


class TestTheServicesOwnFolders:
    """DATA_DIR (uploads, proxies, records, secrets) is never read by path, even inside a source root."""

    def test_a_root_that_holds_the_data_folder(self, tmp_path: Path) -> None:
        data = tmp_path / "data"
        (data / "uploads").mkdir(parents=True)
        (data / "development-secret").write_text("s3cr3t")
        (tmp_path / "page.html").write_text("<p>x</p>")
        sources = SourceFiles((tmp_path,), data / "uploads", 1000, private=(data,))
        assert sources.resolve(str(tmp_path / "page.html"))
        with pytest.raises(SourceOutsideRoots):
            sources.resolve(str(data / "development-secret"))
        with pytest.raises(SourceOutsideRoots):
            sources.page_tree(data / "development-secret", 1)


class TestIdentity:
    """The same bytes by path in two places are two files; an upload is its bytes."""

    def test_ids(self, tmp_path: Path) -> None:
        from proxyservice.domain import file_identity
        from proxyservice.services.hashing import sha256_of

        root = tmp_path / "root"
        for folder in ("a", "b"):
            (root / folder).mkdir(parents=True)
            (root / folder / "page.html").write_text("<p>same</p>")
        sources = SourceFiles((root,), tmp_path / "uploads", 1000)
        first = sources.describe((root / "a" / "page.html").resolve(), ProxySize(4, 3))
        second = sources.describe((root / "b" / "page.html").resolve(), ProxySize(4, 3))
        assert first.file_id != second.file_id
        assert first.file_id == file_identity(sha256_of(root / "a" / "page.html"), str((root / "a" / "page.html").resolve()))
        upload = sources.save_upload(io.BytesIO(b"<p>same</p>"), "page.html")
        assert sources.describe(upload, ProxySize(4, 3)).file_id == sha256_of(upload)


class TestUnchangedFilesAreNotReadAgain:
    """A file ingested by path again is hashed again only if it changed."""

    @pytest.fixture
    def reads(self, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
        read = description._read
        seen: list[Path] = []

        def counted(path: Path) -> Any:
            seen.append(path)
            return read(path)

        monkeypatch.setattr(description, "_read", counted)
        return seen

    def test_an_unchanged_file_is_read_once(self, tmp_path: Path, reads: list[Path]) -> None:
        page = tmp_path / "page.html"
        page.write_text("<p>once</p>")
        sources = SourceFiles((tmp_path,), tmp_path / "uploads", 1000)
        ids = {sources.describe(page, ProxySize(4, 3)).file_id for _ in range(3)}
        assert len(ids) == 1 and reads == [page]

    def test_a_file_rewritten_alike_in_size_and_time_is_read_again(self, tmp_path: Path, reads: list[Path]) -> None:
        page = tmp_path / "page.html"
        page.write_text("<p>first</p>")
        sources = SourceFiles((tmp_path,), tmp_path / "uploads", 1000)
        first = sources.describe(page, ProxySize(4, 3))
        stamp = page.stat()
        page.write_text("<p>other</p>")  # the same length
        os.utime(page, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same modification time
        second = sources.describe(page, ProxySize(4, 3))
        assert second.file_id != first.file_id and len(reads) == 2

    def test_another_file_moved_to_the_path_is_read(self, tmp_path: Path, reads: list[Path]) -> None:
        page, other = tmp_path / "page.html", tmp_path / "other.html"
        page.write_text("<p>first</p>")
        other.write_text("<p>other</p>")
        sources = SourceFiles((tmp_path,), tmp_path / "uploads", 1000)
        first = sources.describe(page, ProxySize(4, 3))
        other.replace(page)
        assert sources.describe(page, ProxySize(4, 3)).file_id != first.file_id


@pytest.fixture
def ingested(tmp_path: Path) -> tuple[SourceFiles, Path, str, Path]:
    """A page ingested by path (its id known), a secret beside the roots, and a folder for a job's copy."""
    root = tmp_path / "root"
    (root / "site").mkdir(parents=True)
    page = root / "site" / "page.html"
    page.write_text("<p>the page as ingested</p>")
    (tmp_path / "secret.txt").write_text("s3cr3t")
    sources = SourceFiles((root,), tmp_path / "uploads", 10_000)
    file_id = sources.describe(page.resolve(), ProxySize(4, 3)).file_id
    job = tmp_path / "job"
    job.mkdir()
    return sources, page.resolve(), file_id, job


class TestSnapshot:
    """A job works on its own copy of the file, checked to be the one ingested."""

    def test_the_copy_is_the_file(self, ingested: tuple[SourceFiles, Path, str, Path]) -> None:
        sources, page, file_id, job = ingested
        copy = sources.snapshot(str(page), file_id, job)
        assert copy.parent == job and copy.read_text() == "<p>the page as ingested</p>"

    def test_bytes_changed_since_the_ingest(self, ingested: tuple[SourceFiles, Path, str, Path]) -> None:
        sources, page, file_id, job = ingested
        page.write_text("<p>HACKED</p>")
        with pytest.raises(SourceChanged):
            sources.snapshot(str(page), file_id, job)
        assert list(job.iterdir()) == [], "no copy is left"

    def test_the_path_swapped_for_a_link_out_of_the_roots(self, ingested: tuple[SourceFiles, Path, str, Path]) -> None:
        sources, page, file_id, job = ingested
        page.unlink()
        page.symlink_to(page.parent.parent.parent / "secret.txt")
        with pytest.raises(SourceOutsideRoots):
            sources.snapshot(str(page), file_id, job)

    def test_the_path_swapped_for_a_link_to_another_file_in_the_roots(
            self, ingested: tuple[SourceFiles, Path, str, Path]) -> None:
        sources, page, file_id, job = ingested
        (page.parent / "other.html").write_text("<p>another page</p>")
        page.unlink()
        page.symlink_to(page.parent / "other.html")
        with pytest.raises((SourceChanged, SourceOutsideRoots)):
            sources.snapshot(str(page), file_id, job)


class TestPagesDirectlyInARoot:
    """A page directly in a source root sees that folder's own assets, never its subfolders' (other packages)."""

    def test_only_the_roots_own_files(self, tmp_path: Path) -> None:
        root = tmp_path / "doc"
        (root / "otherpkg").mkdir(parents=True)
        (root / "otherpkg" / "private.css").write_text("another package's")
        (root / "top.css").write_text("the root's own")
        (root / "top.html").write_text("<p>top</p>")
        view = SourceFiles((root,), tmp_path / "uploads", 1000).page_view(root / "top.html", 3)
        names = {path.name for path in view.paths}
        assert names == {"top.html", "top.css"}
