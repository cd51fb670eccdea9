"""GET /ui: the page, as the server renders it (the browser's part is in tests/e2e/test_browser_view.py)."""

import io

from flask import Flask
from PIL import Image


class TestPage:
    """A visitor opens the page, with or without a search in its URL."""

    def test_it_needs_no_token_and_names_the_apis_routes_and_its_own_files(self, app: Flask) -> None:
        response = app.test_client().get("/ui")
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert 'data-tasks-url="/tasks"' in page and 'data-ingest-url="/ingest"' in page
        assert 'data-proxies-url="/proxies/FILE_ID"' in page and 'data-status-url="/status/TASK_ID"' in page
        for name in ("ui.js", "ui.css"):
            assert f"/ui/static/{name}" in page
            assert app.test_client().get(f"/ui/static/{name}").status_code == 200
        imported = app.test_client().get("/ui/static/records.js")  # ui.js's module of task records
        assert imported.status_code == 200 and imported.mimetype in ("text/javascript", "application/javascript")

    def test_its_only_script_is_its_own(self, app: Flask) -> None:
        policy = app.test_client().get("/ui/").headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy and "unsafe" not in policy

    def test_a_search_in_the_url_fills_the_form_as_text(self, app: Flask) -> None:
        page = app.test_client().get('/ui?name="><script>alert(1)</script>&state=failed').get_data(as_text=True)
        assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page and "<script>alert" not in page
        assert '<option value="failed" selected>' in page

    def test_an_unknown_state_selects_any(self, app: Flask) -> None:
        page = app.test_client().get("/ui?state=lost").get_data(as_text=True)
        assert " selected>" not in page


class TestIcon:
    """A browser asks for /favicon.ico on any page of the service; the view names its drawing."""

    def test_favicon_ico_is_an_icon(self, app: Flask) -> None:
        response = app.test_client().get("/favicon.ico")
        assert response.status_code == 200 and response.mimetype == "image/vnd.microsoft.icon"
        icon = Image.open(io.BytesIO(response.data))
        assert icon.format == "ICO" and icon.size == (32, 32)
        assert len(icon.convert("RGB").getcolors(1024) or ()) > 3, "a drawing, not a blank square"

    def test_the_page_names_its_drawing(self, app: Flask) -> None:
        page = app.test_client().get("/ui").get_data(as_text=True)
        assert '<link rel="icon" href="/ui/static/favicon.svg" type="image/svg+xml">' in page
        drawing = app.test_client().get("/ui/static/favicon.svg")
        assert drawing.status_code == 200 and drawing.mimetype == "image/svg+xml"
