"""A proxy of each page asked for (``pages``), through the real jobs and converters: ``page-1``… each its own page."""

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from PIL import Image

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.domain import listing_order
from proxyservice.plugins.context import call_job
from proxyservice.plugins.office_thumbnail import make_office_thumbnail
from proxyservice.plugins.pdf_thumbnail import make_pdf_thumbnail
from proxyservice.services.sandbox import kept
from tests.page_pictures import SAME_PAGE, drawn_pages, page_shown
from tests.samples import make_numbered_document, make_numbered_pdf
from tests.support import assert_not_blank


@pytest.fixture(autouse=True)
def no_libreoffice_left() -> Iterator[None]:
    """A test's settings may start a LibreOffice of their own: stopped after it, so none outlives the test."""
    yield
    kept.close_all()


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_numbered_document(tmp_path_factory.mktemp("docx"), 5)


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_numbered_pdf(tmp_path_factory.mktemp("pdf") / "twelve.pdf", 12)


def run_job(job: Callable[..., Any], document: Path, settings: Settings, source_dir: Path, *args: Any,
            box: tuple[int, int] = (400, 300)) -> dict[str, Image.Image]:
    """Run ``job`` on a copy of the document in the sources, with ``args`` after the box; its proxies' pictures,
    each checked not blank, in the order they are listed."""
    copy = source_dir / document.name
    shutil.copyfile(document, copy)
    context = Services(settings).job_context
    file_id = context.sources.describe(copy.resolve(), settings.default_proxy_size).file_id
    call_job(job, [file_id, str(copy.resolve()), *box, *args], context)
    made = {}
    for proxy in context.store.list(file_id):
        _, content = context.store.get(file_id, proxy.typeidentifier)
        with context.store.local_file(content) as local:
            made[proxy.typeidentifier] = assert_not_blank(local.read_bytes(), min_spread=5)
    return made


def numbered(proxies: dict[str, Image.Image], kind: str = "page") -> list[str]:
    return [name for name in proxies if name.startswith(f"{kind}-")]


class TestAPdf:
    """A PDF of twelve pages, each showing its own number."""

    def test_all_twelve_pages_each_its_own(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, 100)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, 13)], "listed in order"
        truth = drawn_pages(twelve, 400)
        for number in range(1, 13):
            picture = proxies[f"page-{number}"]
            assert max(picture.size) == 300 or picture.width == 400, "the whole page, fitting the box"
            shown, ssim = page_shown(picture, truth)
            assert (shown, ssim > SAME_PAGE) == (number, True), f"page-{number} shows page {shown} ({ssim:.2f})"
        assert {"thumbnail", "page"} <= set(proxies), "the first page's proxies, as without pages"

    @pytest.mark.parametrize("pages, made", [(3, 3), (10, 10), (11, 11), (20, 12)])
    def test_as_many_as_asked_or_as_it_has(self, twelve: Path, settings: Settings, source_dir: Path,
                                           pages: int, made: int) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, pages)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, made + 1)]

    def test_ten_pages_asked_of_ten(self, tmp_path: Path, settings: Settings, source_dir: Path) -> None:
        """The second run of pdftoppm begins past the end: the pages end there, and the task does not fail."""
        ten = make_numbered_pdf(tmp_path / "ten.pdf", 10)
        assert numbered(run_job(make_pdf_thumbnail, ten, settings, source_dir, 30)) == [
            f"page-{number}" for number in range(1, 11)]

    def test_at_a_named_size(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, 2, box=(1024, 768))
        assert numbered(proxies) == ["page-1@large", "page-2@large"]
        assert proxies["page-2@large"].height == 768

    def test_without_pages_none_is_made(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        """A task queued before pages were asked for has four arguments: it makes what it always made."""
        assert sorted(run_job(make_pdf_thumbnail, twelve, settings, source_dir), key=listing_order) == [
            "page", "thumbnail"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is needed (config/install.sh installs it)")
class TestAnOfficeDocument:
    """A Word document of five pages, each showing its number: LibreOffice makes the pages asked for a PDF."""


    def test_every_page_each_its_own(self, five: dict[str, Path], settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_office_thumbnail, five["docx"], settings, source_dir, 100)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, 6)]
        truth = drawn_pages(five["pdf"], 400)
        for number in range(1, 6):
            shown, ssim = page_shown(proxies[f"page-{number}"], truth)
            assert (shown, ssim > SAME_PAGE) == (number, True), f"page-{number} shows page {shown} ({ssim:.2f})"

    def test_as_many_as_asked(self, five: dict[str, Path], settings: Settings, source_dir: Path) -> None:
        assert numbered(run_job(make_office_thumbnail, five["docx"], settings, source_dir, 2)) == ["page-1", "page-2"]
