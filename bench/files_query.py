"""GET /files at 100 and at 100,000 files, on both databases: ``.venv/bin/python bench/files_query.py [RUNS]``.

For SQLite (a file of its own) and PostgreSQL (a database of its own at
TEST_POSTGRES_URL, dropped after), the metadata of 100 files, then of
100,000, is written in bulk (:mod:`tests.metadata_fill`: a quarter PDFs of 1
to 100 pages, the rest JPEG, PNG and HTML), and each query is timed through
the records (``TaskRecords.files``, as the route calls it: the page and its
files' metadata), median of RUNS runs after one to warm up:

- *all*: the first page of every file (50);
- *filtered*: PDFs of 10 to 20 pages (``mimetype=application/pdf&pdf_thumbnail.pages.min=10&…max=20``),
  pages of 10;
- *filtered, 10th page*: the same, from the cursor of its 9th page (at 100 files, the first);
- *name*: a part of the name (``report-0000``), 25 files at either size.

The two sizes are kept side by side and take turns, run by run, so that
the machine's other load weighs on both alike. Prints each median and the
ratio of 100,000 to 100 (the goal: within 1.5×).
Never asserts: ``make bench`` runs it.
"""

import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from sqlalchemy import make_url  # noqa: E402

from proxyservice.domain.file_query import FieldFilter, FileQuery, Match  # noqa: E402
from proxyservice.services.task_records import TaskRecords  # noqa: E402
from tests.conftest import POSTGRES_SERVER  # noqa: E402
from tests.metadata_fill import fill  # noqa: E402

SIZES = (100, 100_000)
FILTERED = FileQuery(filters=(FieldFilter("file", "mimetype", Match.EQUAL, text="application/pdf"),
                              FieldFilter("pdf_thumbnail", "pages", Match.RANGE, low=10.0, high=20.0)), limit=10)
"""Pages of 10: full at both sizes (100 files hold 11 such PDFs), so that both pages carry the same files."""


def later_page(records: TaskRecords, query: FileQuery, pages: int) -> FileQuery:
    """``query`` from the cursor its ``pages - 1``-th page gives (the first, when there are fewer)."""
    after = None
    for _ in range(pages - 1):
        after = records.files(FileQuery(query.name, query.filters, query.limit, after)).next or after
    return FileQuery(query.name, query.filters, query.limit, after)


def queries(records: TaskRecords, size: int) -> dict[str, FileQuery]:
    """The queries timed; at 100 files, where there is no 10th page, it is compared with the first."""
    tenth = later_page(records, FILTERED, 10) if size > SIZES[0] else FILTERED
    return {"all": FileQuery(), "filtered": FILTERED, "filtered, 10th page": tenth, "name": FileQuery(name="report-0000")}


def compared(locations: dict[int, Path | str], runs: int) -> dict[str, dict[int, tuple[float, int]]]:
    """Each query's median in milliseconds at each size, and how many files its page held.

    The sizes take turns, run by run, so that the machine's other load weighs on both alike.
    """
    records = {size: TaskRecords(location) for size, location in locations.items()}
    asked = {size: queries(book, size) for size, book in records.items()}
    figures: dict[str, dict[int, tuple[float, int]]] = {}
    for label in asked[SIZES[0]]:
        times: dict[int, list[float]] = {size: [] for size in SIZES}
        for size in SIZES:
            records[size].files(asked[size][label])  # warm
        for _ in range(runs):
            for size in SIZES:
                start = time.perf_counter()
                records[size].files(asked[size][label])
                times[size].append(time.perf_counter() - start)
        figures[label] = {size: (statistics.median(times[size]) * 1000, len(records[size].files(asked[size][label]).files))
                          for size in SIZES}
    for book in records.values():
        book.close()
    return figures


def on_sqlite(runs: int) -> dict[str, dict[int, tuple[float, int]]] | None:
    with tempfile.TemporaryDirectory() as folder:
        locations: dict[int, Path | str] = {size: Path(folder) / f"records-{size}.sqlite3" for size in SIZES}
        for size, path in locations.items():
            fill(path, size)
        return compared(locations, runs)


def on_postgresql(runs: int) -> dict[str, dict[int, tuple[float, int]]] | None:
    try:
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        print(f"PostgreSQL is not reachable ({e}); only SQLite is measured")
        return None
    names = {size: f"proxyservice_bench_{uuid.uuid4().hex[:12]}" for size in SIZES}
    try:
        locations: dict[int, Path | str] = {}
        for size, name in names.items():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            locations[size] = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
            fill(locations[size], size)
        return compared(locations, runs)
    finally:
        for name in names.values():  # the records' pools still hold connections: FORCE ends them
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for database, measure in (("SQLite", on_sqlite), ("PostgreSQL", on_postgresql)):
        start = time.monotonic()
        results = measure(runs)
        if results is None:
            continue
        print(f"\n{database}, median of {runs} runs, the sizes in turn ({time.monotonic() - start:.0f} s with the "
              "filling); ms, and the files in the page")
        print(f"{'query':<22}{'100 files':>14}{'100,000 files':>18}{'ratio':>8}")
        for label, sizes in results.items():
            (a, count_a), (b, count_b) = (sizes[size] for size in SIZES)
            print(f"{label:<22}{a:>9.2f} ({count_a:>2}){b:>13.2f} ({count_b:>2}){b / a:>7.2f}×")


if __name__ == "__main__":
    main()
