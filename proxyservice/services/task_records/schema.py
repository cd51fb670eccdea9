"""The records' schema, brought to the newest migration: once per process on first use, or by :func:`migrate`.

The migrations are Alembic's, in ``migrations/`` beside this module, run on a
connection this module opens: there is no ``alembic.ini``, and no URL is
written anywhere. Processes starting at once take turns: on PostgreSQL on an
advisory lock held until the migration's transaction ends, on SQLite on the
write lock its ``BEGIN IMMEDIATE`` takes. Whoever comes second finds the
schema at its newest and does nothing.

A database whose schema is newer than this code (a rolling deploy, where new
processes migrated while old ones still start) is used as it is: migrations
only add, so older code still works on a newer schema.
"""

import logging
import sqlite3
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, exc, inspect, select, text

from .engines import SQLITE_BEGIN, Database
from .fork import ProcessLock

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "proxyservice_alembic_version"
"""Alembic's record of the schema's revision; named for the service, so it can share a database."""
MIGRATION_LOCK = 7_240_216_523_912_066_931
"""PostgreSQL advisory lock key taken while migrating (any fixed bigint no other program uses)."""
_versions = Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), primary_key=True))
NEWER_SCHEMA = "task records at %s: schema revision %s is newer than this code's (%s); used as it is"
DATABASE_ERRORS = (exc.SQLAlchemyError, sqlite3.Error, OSError, CommandError)
"""What reaching, using or migrating the records' database may raise."""

_ready: set[str] = set()
"""Databases (their URLs) this process has brought to the newest migration."""
_ready_lock = ProcessLock()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the records' migrations, to run on ``connection``.

    Also for writing a new migration:
    ``alembic.command.revision(alembic_config(), "what it does")``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def current_revision(connection: Connection) -> str | None:
    """The migration the database is at; ``None`` before the first."""
    # Read as Alembic keeps it, without its context (which logs two lines each time).
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revision: str | None = connection.execute(select(_versions.c.version_num)).scalar()
    return revision


def upgrade(connection: Connection, name: str) -> str | None:
    """Bring the database to the newest migration inside the connection's transaction; return its revision.

    The caller begins the transaction and commits it; on PostgreSQL the lock is
    held until then.

    Parameters
    ----------
    connection
        In a transaction, ``BEGIN IMMEDIATE`` on SQLite.
    name
        The database as messages show it (no password).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    scripts = _scripts()
    head = scripts.get_current_head()
    before = current_revision(connection)
    if before == head:
        return before
    if before is not None and before not in {script.revision for script in scripts.walk_revisions()}:
        logger.warning(NEWER_SCHEMA, name, before, head)
        return before
    command.upgrade(alembic_config(connection), "head")
    logger.info("task records at %s: schema migrated from %s to %s", name, before or "nothing", head)
    return head


def _upgrade_with(engine: Engine, database: Database) -> str | None:
    path = database.sqlite_path
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as connection:
        with connection.begin():
            revision = current_revision(connection)
        if revision is not None and revision == _scripts().get_current_head():
            return revision  # as every start but the first finds it: no lock taken
        connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with connection.begin():
            return upgrade(connection, database.name)


def ready_engine(database: Database) -> Engine:
    """This process's engine for ``database``, its schema brought to the newest migration on first use.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError, sqlite3.Error, OSError, alembic.util.CommandError
        The database cannot be reached or migrated; the next call tries again.
    """
    engine = database.engine()
    if database.key not in _ready:
        with _ready_lock:
            if database.key not in _ready:
                _upgrade_with(engine, database)
                _ready.add(database.key)
    return engine


def migrate(database_url: str) -> str | None:
    """Bring the task records' database to the newest migration; return the revision it is at.

    For a deployment's migration step (a Kubernetes Job) before new processes
    start; they would do it themselves otherwise.

    Parameters
    ----------
    database_url
        ``postgresql://user:password@host/db``, or ``sqlite:///path`` (made, with its folder, when missing).

    Raises
    ------
    RecordsUnavailable
        The database cannot be reached or migrated; the message holds no password.
    """
    database = Database.at(database_url)
    try:
        revision = _upgrade_with(database.engine(), database)
    except DATABASE_ERRORS as e:
        raise database.unavailable(e) from e
    _ready.add(database.key)
    return revision

