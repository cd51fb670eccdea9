"""Many files' metadata written at once, straight into the records' tables: for the listing's plan tests and
``bench/files_query.py`` (a put_metadata per file would take minutes at 100,000).

The entries are those :func:`~proxyservice.domain.file_query.index_entries` makes, as ``put_metadata`` writes
them. Every fourth file is a PDF of 1 to 100 pages; the others are JPEG, PNG or HTML.
"""

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import psycopg
from sqlalchemy import create_engine, insert, text

from proxyservice.domain.file_query import index_entries
from proxyservice.services.task_records import TaskRecords
from proxyservice.services.task_records.table import file_metadata, metadata_values

TYPES = ("application/pdf", "image/jpeg", "image/png", "text/html")
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "text/html": "html"}


def file_id(n: int) -> str:
    """The id of the ``n``-th file: spread over the ids' range as real ones are (a hash of the number)."""
    import hashlib

    return hashlib.sha256(str(n).encode()).hexdigest()


def metadata_of(n: int) -> dict[str, dict[str, Any]]:
    """What the ``n``-th file's records hold, by namespace."""
    mimetype = TYPES[n % len(TYPES)]
    name = f"{('report', 'photo', 'scan', 'page')[n % 4]}-{n:06d}.{EXTENSIONS[mimetype]}"
    found: dict[str, dict[str, Any]] = {"file": {"name": name, "mimetype": mimetype, "size": 1000 + n,
                                                 "modified": f"2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}T10:00:00+00:00"}}
    if mimetype == "application/pdf":
        found["pdf_thumbnail"] = {"pages": n // 4 % 100 + 1, "title": f"Report {n}"}
    return found


def _rows(start: int, count: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for n in range(start, start + count):
        for namespace, fields in metadata_of(n).items():
            yield file_id(n), namespace, fields


def fill(location: Path | str, count: int, start: int = 0) -> None:
    """Write the metadata of files ``start`` to ``start + count - 1``, and have the database analyse its tables."""
    TaskRecords(location).is_available()  # made and migrated
    if isinstance(location, str) and location.startswith("postgresql"):
        _fill_postgresql(location, start, count)
        return
    now = datetime.now(timezone.utc)
    engine = create_engine(f"sqlite:///{location}")
    with engine.begin() as connection:
        has_names = connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'file_names'")).first()
        next_id = connection.execute(text("SELECT coalesce(max(id), 0) + 1 FROM metadata_values")).scalar_one()
        metadata, values, names = [], [], []
        for file, namespace, fields in _rows(start, count):
            metadata.append({"file_id": file, "namespace": namespace, "fields": fields, "updated": now})
            for field, text_value, number in index_entries(fields):
                values.append({"id": next_id, "file_id": file, "namespace": namespace, "field": field,
                               "text_value": text_value, "num_value": number})
                if namespace == "file" and field == "name":
                    names.append({"rowid": next_id, "name": fields["name"]})
                next_id += 1
        connection.execute(insert(file_metadata), metadata)
        connection.execute(insert(metadata_values), values)
        if has_names:
            connection.execute(text("INSERT INTO file_names (rowid, name) VALUES (:rowid, :name)"), names)
        connection.execute(text("ANALYZE"))
    engine.dispose()


def _fill_postgresql(url: str, start: int, count: int) -> None:
    now = datetime.now(timezone.utc).isoformat()
    with psycopg.connect(url) as connection:
        with connection.cursor() as cursor:
            with cursor.copy("COPY metadata (file_id, namespace, fields, updated) FROM STDIN") as copy:
                for file, namespace, fields in _rows(start, count):
                    copy.write_row((file, namespace, json.dumps(fields), now))
            with cursor.copy("COPY metadata_values (file_id, namespace, field, text_value, num_value) FROM STDIN") as copy:
                for file, namespace, fields in _rows(start, count):
                    for field, text_value, number in index_entries(fields):
                        copy.write_row((file, namespace, field, text_value, number))
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE metadata")
        connection.execute("VACUUM ANALYZE metadata_values")
