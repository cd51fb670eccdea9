"""A proxy served as WebP or AVIF: named in the request, or chosen by its Accept header; each made once."""

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.schemas import first_error
from proxyservice.services.store import ProxyStore
from tests.conftest import ObjectStorage, authorized_client, services_of, store_sample_proxy
from tests.routes.test_proxies_s3 import documented_statuses

FILE_ID = "d" * 64
PATH = f"/proxies/{FILE_ID}/preview"
CHROMIUM = {"Accept": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def is_teal_40x30(image: Image.Image) -> bool:
    """Whether it is the sample proxy (a teal 40×30 picture), in whatever format."""
    r, g, b = image.convert("RGB").getpixel((20, 15))
    return image.size == (40, 30) and abs(r) < 8 and abs(g - 128) < 8 and abs(b - 128) < 8


def store_picture(app: Flask, typeidentifier: str, image: Image.Image, image_format: str = "PNG") -> str:
    """Store ``image`` as the proxy ``typeidentifier`` of the file, as a plugin would; its checksum."""
    store = services_of(app).store
    made = store.generate_temp_filename()
    image.save(made, format=image_format)
    mimetype = f"image/{image_format.lower()}"
    return store.ingest(FILE_ID, "html_preview", made, typeidentifier, typeidentifier, mimetype).checksum


def listed(client: FlaskClient) -> dict[str, dict[str, Any]]:
    body = client.get(f"/proxies/{FILE_ID}").get_json()
    assert first_error("ProxyList", body) is None
    return {proxy["typeidentifier"]: proxy for proxy in body["proxies"]}


@pytest.fixture(params=["folder", "bucket"])
def served(request: pytest.FixtureRequest, settings: Settings) -> tuple[Flask, FlaskClient, str]:
    """The app on a store in a local folder, or in a bucket; the sample proxy stored; its checksum."""
    if request.param == "bucket":
        storage: ObjectStorage = request.getfixturevalue("s3_url")
        settings = replace(settings, STORE_URL=storage.url)
    app = create_web_app(settings, TESTING=True)
    return app, authorized_client(app, settings), store_sample_proxy(app, FILE_ID)


class TestChosenByAccept:
    """A browser asks for the proxy as it asks for any picture."""

    def test_a_browser_gets_avif_made_once_and_kept(self, served: tuple[Flask, FlaskClient, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
        _, client, original = served
        first = client.get(PATH, headers=CHROMIUM)
        assert first.status_code == 200 and first.mimetype == "image/avif"
        assert first.headers["Vary"] == "Accept"
        assert first.headers["Content-Disposition"] == "inline; filename=preview.avif"
        image = picture(first.data)
        assert image.format == "AVIF" and is_teal_40x30(image)
        kept = listed(client)["preview.avif"]
        assert kept["mimetype"] == "image/avif" and kept["made_from"] == original and (kept["width"], kept["height"]) == (40, 30)
        assert first.headers["ETag"] == f'"{kept["checksum"]}"' != f'"{original}"'

        stored: list[str] = []
        ingest = ProxyStore.ingest
        monkeypatch.setattr(ProxyStore, "ingest", lambda store, *args, **kwargs: stored.append(args[3])
                            or ingest(store, *args, **kwargs))
        again = client.get(PATH, headers=CHROMIUM)
        assert stored == [], "made once"
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert client.get(PATH, headers={**CHROMIUM, "If-None-Match": first.headers["ETag"]}).status_code == 304

    def test_a_client_that_names_no_modern_format_gets_the_png(self, served: tuple[Flask, FlaskClient, str]) -> None:
        _, client, original = served
        for accept in ("*/*", "image/png", "image/webp;q=0.5,image/png"):
            response = client.get(PATH, headers={"Accept": accept})
            assert response.mimetype == "image/png" and response.headers["ETag"] == f'"{original}"'
            assert response.headers["Vary"] == "Accept"
        assert set(listed(client)) == {"preview"}, "nothing made that nobody asked for"

    def test_an_older_browser_gets_webp(self, served: tuple[Flask, FlaskClient, str]) -> None:
        _, client, _ = served
        response = client.get(PATH, headers={"Accept": "image/webp,*/*"})
        assert response.mimetype == "image/webp" and is_teal_40x30(picture(response.data))

    def test_a_new_picture_of_the_proxy_is_encoded_again(self, served: tuple[Flask, FlaskClient, str]) -> None:
        app, client, _ = served
        client.get(PATH, headers=CHROMIUM)
        redone = store_picture(app, "preview", Image.new("RGB", (40, 30), "orange"))
        assert set(listed(client)) == {"preview"}, "the copy of the old picture is gone"
        assert client.get(f"{PATH}.avif").status_code == 404
        response = client.get(PATH, headers=CHROMIUM)
        r, g, b = picture(response.data).convert("RGB").getpixel((20, 15))
        assert response.mimetype == "image/avif" and r > 230 and 140 < g < 190 and b < 30, "orange, not the old teal"
        assert listed(client)["preview.avif"]["made_from"] == redone


class TestNamed:
    """A client names the format: ``?format=webp``."""

    def test_webp_by_name_whatever_the_accept_header(self, served: tuple[Flask, FlaskClient, str]) -> None:
        _, client, original = served
        response = client.get(f"{PATH}?format=webp", headers={"Accept": "*/*"})
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert "Vary" not in response.headers
        assert is_teal_40x30(picture(response.data))
        assert listed(client)["preview.webp"]["made_from"] == original

    def test_the_copy_is_a_proxy_of_its_own_served_as_it_is(self, served: tuple[Flask, FlaskClient, str]) -> None:
        _, client, _ = served
        client.get(f"{PATH}?format=webp")
        response = client.get(f"{PATH}.webp", headers=CHROMIUM)
        assert response.mimetype == "image/webp" and "Vary" not in response.headers

    def test_through_a_signed_link(self, served: tuple[Flask, FlaskClient, str]) -> None:
        app, client, _ = served
        link = listed(client)["preview"]["signed_url"]
        response = app.test_client().get(f"{link}&format=avif")
        assert response.status_code == 200 and response.mimetype == "image/avif"

    @pytest.mark.parametrize("name", ["gif", "png", "WEBP2"])
    def test_an_unknown_format_is_400_with_the_choices(self, served: tuple[Flask, FlaskClient, str], name: str) -> None:
        _, client, _ = served
        response = client.get(f"{PATH}?format={name}")
        assert response.status_code == 400 and response.status_code in documented_statuses()
        assert response.get_json()["message"] == f"format: '{name}' is not one of webp, avif"

    def test_a_missing_proxy_is_still_404(self, served: tuple[Flask, FlaskClient, str]) -> None:
        _, client, _ = served
        assert client.get(f"/proxies/{FILE_ID}/thumbnail?format=webp").status_code == 404


class TestWhatIsNotEncoded:
    """What a request cannot make the web app encode."""

    def test_a_proxy_larger_than_any_size_is_served_as_it_is(self, served: tuple[Flask, FlaskClient, str],
                                                             settings: Settings) -> None:
        app, client, _ = served
        side = settings.MAX_PROXY_SIDE + 1
        store_picture(app, "huge", Image.new("RGB", (side, 10), "teal"))
        response = client.get(f"/proxies/{FILE_ID}/huge", headers=CHROMIUM)
        assert response.mimetype == "image/png" and "Vary" not in response.headers
        named = client.get(f"/proxies/{FILE_ID}/huge?format=webp")
        assert named.status_code == 404
        message = named.get_json()["message"]
        assert message.startswith("proxy 'huge' of file") and message.endswith(f"cannot be had in WEBP: it is image/png, {side}x10")

    def test_a_plugin_proxy_already_in_webp_is_not_encoded_again(self, served: tuple[Flask, FlaskClient, str]) -> None:
        app, client, _ = served
        store_picture(app, "thumbnail", Image.new("RGB", (40, 30), "teal"), "WEBP")
        assert client.get(f"/proxies/{FILE_ID}/thumbnail", headers=CHROMIUM).mimetype == "image/webp"
        assert client.get(f"/proxies/{FILE_ID}/thumbnail?format=webp").mimetype == "image/webp"
        assert client.get(f"/proxies/{FILE_ID}/thumbnail?format=avif").status_code == 404

    def test_fifty_first_requests_at_once_encode_once(self, served: tuple[Flask, FlaskClient, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
        app, client, _ = served
        stored: list[str] = []
        ingest = ProxyStore.ingest
        monkeypatch.setattr(ProxyStore, "ingest", lambda store, *args, **kwargs: stored.append(args[3])
                            or ingest(store, *args, **kwargs))
        token = client.environ_base["HTTP_AUTHORIZATION"]

        def get(_: int) -> bytes:
            each = app.test_client()
            each.environ_base["HTTP_AUTHORIZATION"] = token
            return each.get(PATH, headers=CHROMIUM).data

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = set(pool.map(get, range(50)))
        assert stored == ["preview.avif"] and len(answers) == 1


class TestNamesKeptForCopies:
    """A plugin cannot store a proxy under a copy's name."""

    def test_a_plugin_cannot_name_a_proxy_as_a_copy(self, app: Flask) -> None:
        from proxyservice.plugins.api import Proxy

        services = services_of(app)
        with services.job_context.active(), pytest.raises(ValueError, match="kept for the service's copies"):
            Proxy(FILE_ID, "html_preview").ingest(services.store.generate_temp_filename(), "preview.webp", "p.webp",
                                                  "image/webp")

    def test_a_name_with_a_line_break_names_no_proxy(self) -> None:
        from proxyservice.services.store.store import is_proxy_name

        assert is_proxy_name(FILE_ID, "preview.webp")
        assert not is_proxy_name(FILE_ID, "preview\n") and not is_proxy_name(f"{FILE_ID}\n", "preview")
