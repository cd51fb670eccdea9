"""Metadata values as index entries, so that GET /files reads a page from an index on both databases.

A narrow table, ``metadata_values``: one row per scalar value (and per list
item) of every field a file's metadata holds, with its text and, for
numbers, booleans and dates, its number (a date as seconds since 1970, UTC).
Two indexes give a filter's rows in order: ``(namespace, field, num_value,
file_id)`` for a number's equality or range, ``(namespace, field,
text_value, file_id)`` for a text's equality or prefix; a third,
``(file_id, namespace, field)``, checks the other filters of a query per
row. A page is then a walk of one index from where the last ended, whatever
the number of files: an expression index per field would need a migration
per plugin, and JSONB containment (the GIN index of 0006) answers equality
only, and unordered.

Every value is entered, not only those of fields declared searchable: the
records do not know the plugins' schemas, and a field a plugin makes
searchable later is found at once. Text is kept to 300 characters (B-tree
entries are bounded). The values already stored are entered here.

File names, searched by any part: on PostgreSQL a trigram index (``pg_trgm``,
GIN) over the names' entries, when the extension can be made (else the names
are read one by one); on SQLite an FTS5 table with the trigram tokenizer
(3.34 or later), ``file_names``, each row's rowid the id of its name's entry.
Every file's facts are found by ``metadata (namespace, file_id)``.

Revision ID: 0007
Revises: 0006
"""

import json
import logging
import sqlite3

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from proxyservice.domain.file_query import index_entries

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

logger = logging.getLogger(__name__)

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
VALUE_TEXT = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
NAME_ENTRIES = "namespace = 'file' AND field = 'name'"
FTS5_TRIGRAM = (3, 34, 0)


def upgrade() -> None:
    bind = op.get_bind()
    op.create_index("metadata_by_namespace", "metadata", ["namespace", "file_id"])
    values = op.create_table(
        "metadata_values",
        sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.Text(), nullable=False),
        sa.Column("namespace", sa.Text(), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("text_value", VALUE_TEXT),
        sa.Column("num_value", sa.Float()),
    )
    op.create_index("values_of_file", "metadata_values", ["file_id", "namespace", "field"])
    op.create_index("values_by_number", "metadata_values", ["namespace", "field", "num_value", "file_id"])
    op.create_index("values_by_text", "metadata_values", ["namespace", "field", "text_value", "file_id"])
    names = _name_index_postgresql(bind) if bind.dialect.name == "postgresql" else _name_index_sqlite(bind)
    stored = bind.execute(sa.text("SELECT file_id, namespace, fields FROM metadata")).all()
    for file_id, namespace, fields in stored:
        fields = json.loads(fields) if isinstance(fields, str) else fields  # JSON text on SQLite
        for field, text, number in index_entries(fields):
            entry = bind.execute(sa.insert(values).values(file_id=file_id, namespace=namespace, field=field,
                                                          text_value=text, num_value=number).returning(values.c.id))
            if names and bind.dialect.name == "sqlite" and namespace == "file" and field == "name":
                bind.execute(sa.text("INSERT INTO file_names (rowid, name) VALUES (:id, :name)"),
                             {"id": entry.scalar_one(), "name": fields["name"]})


def _name_index_postgresql(bind: sa.Connection) -> bool:
    try:
        with bind.begin_nested():  # a refusal (no right to make extensions) must not end the migration
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as e:
        logger.warning("task records: no trigram index of file names (pg_trgm cannot be made: %s); "
                       "a search by name reads every name", " ".join(str(e.orig).split()))
        return False
    bind.execute(sa.text("CREATE INDEX values_name_trigrams ON metadata_values USING gin (text_value gin_trgm_ops) "
                         f"WHERE {NAME_ENTRIES}"))
    return True


def _name_index_sqlite(bind: sa.Connection) -> bool:
    if sqlite3.sqlite_version_info < FTS5_TRIGRAM:
        logger.warning("task records: SQLite %s has no trigram tokenizer (3.34 or later has); a search by name "
                       "reads every name", sqlite3.sqlite_version)
        return False
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE VIRTUAL TABLE file_names USING fts5(name, tokenize = 'trigram')"))
    except sa.exc.OperationalError as e:  # this SQLite was built without FTS5
        logger.warning("task records: no index of file names (%s); a search by name reads every name", e.orig)
        return False
    return True


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.execute(sa.text("DROP TABLE IF EXISTS file_names"))
    op.drop_table("metadata_values")
    op.drop_index("metadata_by_namespace", "metadata")
