"""A Sphinx page uploaded with its folder, through a real worker: drawn as it is in place, not as the bare page."""

import io
import zipfile
from pathlib import Path

from PIL import Image

from proxyservice.schemas import first_error
from tests.e2e.conftest import DOCS, Service
from tests.support import assert_not_blank, mean_difference

HTML = DOCS / "python3.11" / "html"
PAGE = "library/os.html"


def folder_zip() -> io.BytesIO:
    """A zip of os.html and the ``_static`` it loads from ``..``, laid out as in place.

    Without the links of ``_static`` (jquery.js, underscore.js lead to
    /usr/share/javascript): in place the page may not follow them, so its
    scripts would run in the zip's copy only, and draw its sidebar otherwise.
    """
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(HTML / PAGE, PAGE)
        for asset in sorted((HTML / "_static").rglob("*")):
            if asset.is_file() and not asset.is_symlink():
                archive.write(asset, str(asset.relative_to(HTML)))
    stream.seek(0)
    return stream


def preview(service: Service, response: "object", saved: Path) -> Image.Image:
    """The preview of an ingest, once its task succeeded; kept at ``saved`` to look at."""
    body = response.get_json()  # type: ignore[attr-defined]
    assert first_error("IngestResult", body) is None
    assert response.status_code in (202, 303), body  # type: ignore[attr-defined]
    if response.status_code == 202:  # type: ignore[attr-defined]
        status = service.follow(response.headers["Location"])  # type: ignore[attr-defined]
        assert status.status_code == 303, status.get_json()
    listing = service.client.get(f"/proxies/{body['file_id']}").get_json()
    [proxy] = [proxy for proxy in listing["proxies"] if proxy["typeidentifier"] == "preview"]
    png = service.client.get(proxy["url"]).data
    saved.write_bytes(png)
    return assert_not_blank(png)


class TestASphinxPageWithItsFolder:
    """os.html of Python's documentation, uploaded as a zip of its folder, by path, and alone."""

    def test_it_is_drawn_as_in_place_and_unlike_the_bare_page(self, service: Service, tmp_path: Path) -> None:
        client = service.client
        with_folder = preview(service, client.post("/ingest", data={"file": (folder_zip(), "html.zip"), "page": PAGE},
                                                   content_type="multipart/form-data"), tmp_path / "zip.png")
        in_place = preview(service, client.post("/ingest", json={"path": str(HTML / PAGE)}), tmp_path / "path.png")
        alone = preview(service, client.post("/ingest", data={"file": ((HTML / PAGE).open("rb"), "os.html")},
                                             content_type="multipart/form-data"), tmp_path / "alone.png")
        # The same page among the same stylesheets: the same picture, but for a pixel of antialiasing.
        assert mean_difference(with_folder, in_place) < 1.0
        # Without its folder it is unstyled: a bare list of links.
        assert mean_difference(with_folder, alone) > 10.0

    def test_the_folder_dropped_file_by_file_is_the_same_file(self, service: Service) -> None:
        with zipfile.ZipFile(folder_zip()) as archive:
            files = [(io.BytesIO(archive.read(name)), name) for name in archive.namelist()]
        zipped = service.client.post("/ingest", data={"file": (folder_zip(), "html.zip"), "page": PAGE},
                                     content_type="multipart/form-data")
        dropped = service.client.post("/ingest", data={"file": files, "page": PAGE},
                                      content_type="multipart/form-data")
        assert dropped.status_code in (202, 303), dropped.get_json()
        assert dropped.get_json()["file_id"] == zipped.get_json()["file_id"]
