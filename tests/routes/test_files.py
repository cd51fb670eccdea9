"""GET /files through the Flask client: the query checked against the enabled plugins' searchable fields, pages
that follow one another, and bodies valid against FileList.json."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.container import Services
from proxyservice.schemas import first_error
from proxyservice.services.task_records import InMemoryTaskRecords, RecordsUnavailable
from tests.conftest import authorized_client


def file_id(n: int) -> str:
    return f"{n:064x}"


@pytest.fixture
def filled(services: Services) -> Services:
    """Records of 7 PDFs of 1 to 7 pages and 3 PNGs; the records are the app's own SQLite file."""
    for n in range(10):
        pdf = n < 7
        services.records.put_metadata(file_id(n), "file", {
            "name": f"{'Report' if pdf else 'photo'}-{n}.{'pdf' if pdf else 'png'}",
            "mimetype": "application/pdf" if pdf else "image/png", "size": n, "modified": f"2026-12-0{n % 9 + 1}"})
        if pdf:
            services.records.put_metadata(file_id(n), "pdf_thumbnail", {"pages": n + 1, "title": f"Report {n}"})
    return services


def listed(client: FlaskClient, query: str) -> dict[str, Any]:
    response = client.get("/files?" + query)
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    assert first_error("FileList", body) is None
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [item["name"] for item in body["files"]]


class TestListing:
    """What a client finds, and how it pages."""

    def test_every_file_with_its_metadata_and_links(self, client: FlaskClient, filled: Services) -> None:
        body = listed(client, "")
        assert len(body["files"]) == 10 and body["next"] is None
        first = body["files"][0]
        assert first["url"] == f"/files/{file_id(0)}" and first["proxies_url"] == f"/proxies/{file_id(0)}"
        assert first["metadata"]["pdf_thumbnail"] == {"pages": 1, "title": "Report 0"}
        assert first["mimetype"] == "application/pdf"

    def test_filters_together(self, client: FlaskClient, filled: Services) -> None:
        body = listed(client, "mimetype=application/pdf&pdf_thumbnail.pages.min=3&pdf_thumbnail.pages.max=5")
        assert names(body) == ["Report-2.pdf", "Report-3.pdf", "Report-4.pdf"]
        assert names(listed(client, "name=PHOTO-8")) == ["photo-8.png"]
        assert names(listed(client, "mimetype=image/&file.size.min=9")) == ["photo-9.png"]
        assert names(listed(client, "pdf_thumbnail.title=Report%206")) == ["Report-6.pdf"]
        assert names(listed(client, "file.modified=2026-12-02")) == ["Report-1.pdf"]

    def test_pages_follow_one_another(self, client: FlaskClient, filled: Services) -> None:
        read, query = [], "pdf_thumbnail.pages.min=2&limit=2"
        cursor = ""
        while True:
            body = listed(client, query + cursor)
            read += names(body)
            if body["next"] is None:
                break
            cursor = "&cursor=" + body["next"]
        assert read == [f"Report-{n}.pdf" for n in range(1, 7)]


class TestRefused:
    """A query the service cannot answer is a 400 that says why."""

    @pytest.mark.parametrize("query, message", [
        ("pdf_thumbnail.producer=x", "pdf_thumbnail.producer: no enabled plugin declares this field searchable"),
        ("pdf_thumbnail.pages=many", "pdf_thumbnail.pages: 'many' is not a whole number"),
        ("pdf_thumbnail.title.min=a", "pdf_thumbnail.title: only an Integer, Float or Date field takes a range"),
        ("file.modified.max=yesterday", "file.modified.max: 'yesterday' is not an ISO 8601 day or moment"),
        ("limit=500", "limit: must be a whole number from 1 to 200"),
        ("mimetype=pdf", "mimetype: must be a media type (image/png) or a prefix of one ending in / (image/)"),
        ("colour=red", "'colour' does not match any of the regexes"),
        ("cursor=bm90IGEgY3Vyc29y", "cursor: not a cursor of this query"),
    ])
    def test_with_the_reason(self, client: FlaskClient, query: str, message: str) -> None:
        response = client.get("/files?" + query)
        assert response.status_code == 400 and first_error("Error", response.get_json()) is None
        assert message in response.get_json()["message"]

    def test_a_token_without_the_read_scope(self, app: Flask, settings: Any) -> None:
        assert authorized_client(app, settings, "proxy:create").get("/files").status_code == 403

    def test_the_records_away(self, client: FlaskClient, services: Services) -> None:
        class Away(InMemoryTaskRecords):
            def files(self, query: Any) -> Any:
                raise RecordsUnavailable("task records at db: connection refused")

        services.records = Away()  # type: ignore[assignment]
        response = client.get("/files")
        assert response.status_code == 503 and "Retry-After" in response.headers
