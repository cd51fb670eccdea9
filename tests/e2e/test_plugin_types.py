"""Every built-in plugin end to end: upload over HTTP, a real worker, the proxy downloaded."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.schemas import first_error
from tests.e2e.conftest import Service
from tests.samples import write_samples
from tests.support import assert_not_blank

EXPECTED = {
    # kind: (plugin namespace, type identifier, mimetype of the proxy)
    "png": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "jpeg": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "gif": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "webp": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "tiff": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "bmp": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "transparent_png": ("image_thumbnail", "thumbnail", "image/png"),
    "no_extension": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "pdf": ("pdf_thumbnail", "thumbnail", "image/png"),
    "text": ("text_thumbnail", "thumbnail", "image/png"),
    "python": ("text_thumbnail", "thumbnail", "image/png"),
    # As a browser shows them: a .txt is text whatever it holds; a page is a page whatever libmagic says.
    "html_as_txt": ("text_thumbnail", "thumbnail", "image/png"),
    "xhtml_declared": ("html_preview", "preview", "image/png"),
    "html_declared": ("html_preview", "preview", "image/png"),
    "html_mostly_script": ("html_preview", "preview", "image/png"),
}


@pytest.fixture(scope="module")
def samples(service: Service) -> dict[str, Path]:
    return write_samples(service.sources / "plugin-types")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_right_plugin_makes_its_proxy(service: Service, samples: dict[str, Path], kind: str) -> None:
    namespace, typeidentifier, mimetype = EXPECTED[kind]
    accepted = service.client.post("/ingest", json={"path": str(samples[kind])})
    assert accepted.status_code in (202, 303), accepted.get_json()
    [task] = accepted.get_json()["tasks"]
    assert task["plugin"].startswith(f"{namespace}::")
    finished = service.follow(task["status_url"])
    assert finished.status_code == 303, finished.get_json()

    listing = service.client.get(f"/proxies/{accepted.get_json()['file_id']}").get_json()
    assert first_error("ProxyList", listing) is None
    [proxy] = [p for p in listing["proxies"] if p["typeidentifier"] == typeidentifier]
    assert (proxy["plugin"], proxy["mimetype"]) == (namespace, mimetype)
    image = assert_not_blank(service.client.get(proxy["url"]).data, min_spread=5)
    assert image.width <= 400 and image.height <= 300
    assert image.width == 400 or image.height == 300, "it fills the box on one side"


def test_exif_orientation_survives_the_whole_path(service: Service) -> None:
    photo = Image.new("RGB", (800, 400), "white")
    photo.paste((255, 0, 0), (0, 0, 100, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = service.sources / "rotated.jpg"
    photo.save(path, exif=exif)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    assert service.follow(accepted.headers["Location"]).status_code == 303
    data = service.client.get(f"/proxies/{accepted.get_json()['file_id']}/thumbnail").data
    assert assert_not_blank(data).size == (150, 300)


def test_a_decompression_bomb_fails_with_a_clear_error(service: Service) -> None:
    path = service.sources / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    failed = service.follow(accepted.headers["Location"])
    assert failed.status_code == 200
    body = failed.get_json()
    assert body["status"] == "failed" and "more pixels than the limit of 50000000 (MAX_IMAGE_PIXELS)" in body["error"]


def test_plugins_lists_every_builtin(service: Service) -> None:
    body = service.client.get("/plugins").get_json()
    assert {p["namespace"] for p in body["plugins"]} == {"html_preview", "image_thumbnail", "text_thumbnail", "pdf_thumbnail"}
