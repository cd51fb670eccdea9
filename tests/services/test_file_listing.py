"""GET /files as the records answer it: files found by name, media type and fields, a page at a time, on SQLite,
PostgreSQL and in memory; and on both databases, a page read from an index."""

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from proxyservice.domain.file_query import FieldFilter, FileQuery, Match, moment_seconds
from proxyservice.services.task_records import InMemoryTaskRecords, TaskRecords
from proxyservice.services.task_records.listing import _page
from tests.services.test_task_records import BACKENDS, location_for


def file_id(n: int) -> str:
    return f"{n:064x}"


@pytest.fixture(params=[*BACKENDS, "memory"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    book: Any = InMemoryTaskRecords() if request.param == "memory" else TaskRecords(
        location_for(request.param, request, tmp_path))
    files = [("Annual Report.pdf", "application/pdf", {"pages": 36, "title": "Annual report", "created": "2025-02-08T12:23:13Z"}),
             ("memo.pdf", "application/pdf", {"pages": 2, "encrypted": False}),
             ("ÜBERSICHT.pdf", "application/pdf", {"pages": 12, "title": "Überblick"}),
             ("photo.jpg", "image/jpeg", {}),
             ("icon.png", "image/png", {}),
             ("notes_100%.txt", "text/plain", {})]
    for n, (name, mimetype, fields) in enumerate(files):
        book.put_metadata(file_id(n), "file", {"name": name, "mimetype": mimetype, "size": 100 * n,
                                              "modified": f"2026-12-0{n + 1}T10:00:00+00:00"})
        if fields:
            book.put_metadata(file_id(n), "pdf_thumbnail", fields)
    book.put_metadata(file_id(3), "image_thumbnail", {"width": 640, "keywords": ["beach", "sea"]})
    return book


def listed(book: Any, **query: Any) -> list[str]:
    return [book_file.metadata["file"]["name"] for book_file in book.files(FileQuery(**query)).files]


def pages(n: int, low: float | None = None, high: float | None = None, match: Match = Match.RANGE) -> FieldFilter:
    return FieldFilter("pdf_thumbnail", "pages", match, low=low, high=high)


class TestFilters:
    """Each filter, alone and together."""

    def test_every_file_by_id_with_its_metadata(self, book: Any) -> None:
        page = book.files(FileQuery())
        assert [f.file_id for f in page.files] == [file_id(n) for n in range(6)] and page.next is None
        assert page.files[0].metadata["pdf_thumbnail"]["pages"] == 36

    def test_a_part_of_the_name_in_any_case(self, book: Any) -> None:
        assert listed(book, name="REPORT") == ["Annual Report.pdf"]
        assert listed(book, name=".pdf") == ["Annual Report.pdf", "memo.pdf", "ÜBERSICHT.pdf"]
        assert listed(book, name="100%") == ["notes_100%.txt"] and listed(book, name="0_") == []
        assert listed(book, name="mo") == ["memo.pdf"]

    def test_media_type_exact_or_by_prefix(self, book: Any) -> None:
        image = FieldFilter("file", "mimetype", Match.PREFIX, text="image/")
        assert listed(book, filters=(image,)) == ["photo.jpg", "icon.png"]  # in the order of their types
        png = FieldFilter("file", "mimetype", Match.EQUAL, text="image/png")
        assert listed(book, filters=(png,)) == ["icon.png"]

    def test_a_number_equal_or_in_a_range(self, book: Any) -> None:
        assert listed(book, filters=(pages(0, 12, 12, Match.EQUAL),)) == ["ÜBERSICHT.pdf"]
        assert listed(book, filters=(pages(0, 10, None),)) == ["ÜBERSICHT.pdf", "Annual Report.pdf"]  # by pages
        assert listed(book, filters=(pages(0, None, 12),)) == ["memo.pdf", "ÜBERSICHT.pdf"]

    def test_text_boolean_date_and_a_list_item(self, book: Any) -> None:
        title = FieldFilter("pdf_thumbnail", "title", Match.EQUAL, text="Überblick")
        assert listed(book, filters=(title,)) == ["ÜBERSICHT.pdf"]
        unencrypted = FieldFilter("pdf_thumbnail", "encrypted", Match.EQUAL, low=0.0, high=0.0)
        assert listed(book, filters=(unencrypted,)) == ["memo.pdf"]
        moment = moment_seconds("2026-12-03T00:00:00Z")
        modified = FieldFilter("file", "modified", Match.RANGE, low=moment)
        assert listed(book, filters=(modified,)) == ["ÜBERSICHT.pdf", "photo.jpg", "icon.png", "notes_100%.txt"]
        beach = FieldFilter("image_thumbnail", "keywords", Match.EQUAL, text="sea")
        assert listed(book, filters=(beach,)) == ["photo.jpg"]

    def test_filters_together_and_with_the_name(self, book: Any) -> None:
        pdf = FieldFilter("file", "mimetype", Match.EQUAL, text="application/pdf")
        assert listed(book, filters=(pdf, pages(0, 10, 40))) == ["ÜBERSICHT.pdf", "Annual Report.pdf"]
        assert listed(book, name="annual", filters=(pdf, pages(0, 10, 40))) == ["Annual Report.pdf"]
        assert listed(book, name="memo", filters=(pages(0, 10, 40),)) == []


class TestPaging:
    """A listing a page at a time: every file once, in order, whatever the filters."""

    @pytest.mark.parametrize("filters", [(), (pages(0, 0, 100),),
                                         (FieldFilter("file", "mimetype", Match.PREFIX, text="application/"),),
                                         (FieldFilter("file", "mimetype", Match.EQUAL, text="application/pdf"),)])
    def test_pages_of_two_hold_what_one_page_holds(self, book: Any, filters: tuple[FieldFilter, ...]) -> None:
        whole = [f.file_id for f in book.files(FileQuery(filters=filters, limit=50)).files]
        read, after = [], None
        while True:
            page = book.files(FileQuery(filters=filters, limit=2, after=after))
            read += [f.file_id for f in page.files]
            if page.next is None:
                break
            after = page.next
        assert read == whole and len(whole) >= 3

    def test_a_cursor_from_before_the_range_starts_at_its_start(self, book: Any) -> None:
        early = book.files(FileQuery(filters=(pages(0, 10, 40),), after=(1.0, "")))
        assert [f.file_id for f in early.files] == [file_id(2), file_id(0)]

    def test_the_last_full_page_says_none_follows(self, book: Any) -> None:
        assert book.files(FileQuery(limit=6)).next is None
        assert book.files(FileQuery(limit=5)).next == (None, file_id(4))


class TestForgetting:
    """Values stored again replace the entries; a file forgotten is listed no more."""

    def test_replaced_and_forgotten(self, book: Any) -> None:
        book.put_metadata(file_id(1), "pdf_thumbnail", {"pages": 40})
        assert listed(book, filters=(pages(0, 30, 50),)) == ["Annual Report.pdf", "memo.pdf"]
        book.put_metadata(file_id(0), "file", {"name": "renamed.pdf", "mimetype": "application/pdf"})
        assert listed(book, name="annual") == [] and listed(book, name="renamed") == ["renamed.pdf"]
        book.forget_metadata(file_id(1))
        assert listed(book, filters=(pages(0, 30, 50),)) == ["renamed.pdf"] and listed(book, name="memo") == []


PLAN_FILES = 4_000
"""Enough rows that a database would rather not read them all, few enough to write in a second."""
FILTERED = FileQuery(filters=(FieldFilter("file", "mimetype", Match.EQUAL, text="application/pdf"),
                              pages(0, 10, 20)))


class TestPlans:
    """A filtered page is read from an index on both databases (the bench shows the time; this, the way)."""

    def test_sqlite_reads_a_range_from_its_index(self, tmp_path: Path) -> None:
        from tests.metadata_fill import fill

        fill(tmp_path / "t.db", PLAN_FILES)
        for query in (FILTERED, FileQuery(FILTERED.name, FILTERED.filters, after=(15.0, "8" * 64))):
            plan = sqlite_plan(tmp_path / "t.db", query)
            assert "INDEX values_by_number" in plan and "TEMP B-TREE" not in plan, plan
        assert "(num_value,file_id)>(?,?)" in plan, "a later page starts in the index, where the last ended"
        names = sqlite_plan(tmp_path / "t.db", FileQuery(name="report-0012"))
        assert "VIRTUAL TABLE INDEX" in names and "SCAN driver" not in names, names

    def test_postgresql_reads_a_range_from_its_index(self, postgres_url: str) -> None:
        from tests.metadata_fill import fill

        fill(postgres_url, PLAN_FILES)
        plan = postgresql_plan(postgres_url, FILTERED)
        assert "values_by_number" in plan and "Seq Scan" not in plan and "Sort" not in plan, plan
        names = postgresql_plan(postgres_url, FileQuery(name="report-0012"))
        assert "values_name_trigrams" in names and "Seq Scan" not in names, names
        found = TaskRecords(postgres_url).files(FILTERED).files
        assert len(found) == 50 and {f.metadata["pdf_thumbnail"]["pages"] for f in found} <= set(range(10, 21))


def compiled(query: FileQuery, dialect: Any, fts: bool) -> str:
    return str(_page(query, fts).compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def sqlite_plan(path: Path, query: FileQuery) -> str:
    from sqlalchemy.dialects import sqlite

    with sqlite3.connect(path) as connection:
        rows = connection.execute("EXPLAIN QUERY PLAN " + compiled(query, sqlite.dialect(), True)).fetchall()
    return "\n".join(row[-1] for row in rows)


def postgresql_plan(url: str, query: FileQuery) -> str:
    from sqlalchemy.dialects import postgresql

    with psycopg.connect(url) as connection:
        rows = connection.execute("EXPLAIN " + compiled(query, postgresql.dialect(), False)).fetchall()
    return "\n".join(row[0] for row in rows)
