"""Where the records are: a database URL, and one SQLAlchemy engine for it per process.

SQLite: a file in WAL mode, so the web and worker processes of one host share
it. In a process that forks (a worker's main process) every connection is
opened for its owner and closed with it (``NullPool``), so none outlives a
``no_fork_while_open`` block. The web app's processes never fork once built
(uWSGI's lazy-apps): they keep their connections open between requests
(``keep_connections``), which halves the time of a request that reads a record. SQLAlchemy emits the
``BEGIN`` itself (its documented recipe for the ``sqlite3`` driver), so a
transaction that reads then writes can take the write lock first
(``BEGIN IMMEDIATE``).

PostgreSQL, through psycopg 3: a pool per process. A forked child never uses
its parent's pool: the first use in a new process replaces it without closing
the parent's connections (``engine.dispose(close=False)``, SQLAlchemy's recipe
for ``os.fork()``).
"""

import os
import sqlite3
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool, QueuePool

from .errors import RecordsUnavailable
from .fork import BUSY_TIMEOUT_SECONDS, ProcessLock

POSTGRESQL_DRIVER = "postgresql+psycopg"
SQLITE_BUSY = 5
SQLITE_BEGIN = "proxyservice_sqlite_begin"
SINGLE_STATEMENT = "SINGLE STATEMENT"
"""For SQLITE_BEGIN: no BEGIN at all, for a block of one read (SQLite runs one statement as its own transaction)."""
"""Execution option naming how a transaction on SQLite begins: ``DEFERRED`` (the default) or ``IMMEDIATE``."""
NOT_A_URL = "DATABASE_URL is not a database URL (postgresql://user:password@host/database, or sqlite:///path)"
UNSUPPORTED = "DATABASE_URL names %s: the task records work on PostgreSQL (postgresql://…) or SQLite (sqlite:///path)"
NO_SQLITE_FILE = "DATABASE_URL names no SQLite file: write sqlite:///relative/path or sqlite:////absolute/path"

_engines: dict[str, tuple[int, Engine]] = {}
"""Engine of each database URL, with the id of the process that made or last renewed it."""
_engines_lock = ProcessLock()


@dataclass(frozen=True)
class Database:
    """One database of task records, named by its URL.

    Parameters
    ----------
    url
        Where it is; a ``postgresql://`` URL is read as psycopg 3's.
    """

    url: URL
    keep_connections: bool = False
    """SQLite: keep connections open between uses, in a pool (only in a process that never forks)."""

    @classmethod
    def at(cls, location: Path | str, keep_connections: bool = False) -> "Database":
        """The database at a SQLite file's path or at a URL.

        Raises
        ------
        RecordsUnavailable
            The URL cannot be read, or names a database the records do not work on.
        """
        if isinstance(location, Path):
            return cls(URL.create("sqlite", database=str(location)), keep_connections)
        try:
            url = make_url(location)
        except (exc.ArgumentError, ValueError):
            raise RecordsUnavailable(NOT_A_URL) from None  # its text may hold a password: not chained
        backend = url.get_backend_name()
        if backend in ("postgresql", "postgres"):
            return cls(url.set(drivername=POSTGRESQL_DRIVER))
        if url.drivername in ("sqlite", "sqlite+pysqlite"):
            if not url.database or url.database == ":memory:":
                raise RecordsUnavailable(NO_SQLITE_FILE)
            return cls(url, keep_connections)
        raise RecordsUnavailable(UNSUPPORTED % url.drivername)

    @cached_property
    def sqlite_path(self) -> Path | None:
        """The SQLite file, or ``None`` for a database server."""
        return Path(self.url.database or "") if self.url.get_backend_name() == "sqlite" else None

    @cached_property
    def key(self) -> str:
        """The URL whole, password and all: what this process keeps its engine and schema state under."""
        kept = " (connections kept)" if self.keep_connections and self.sqlite_path is not None else ""
        return self.url.render_as_string(hide_password=False) + kept

    @property
    def name(self) -> str:
        """The database as messages show it: a SQLite file's path, or the URL without its password."""
        path = self.sqlite_path
        return str(path) if path is not None else self.url.render_as_string(hide_password=True)

    def reason(self, error: BaseException) -> str:
        """What went wrong, in the driver's words, on one line and without the password."""
        cause = error.orig if isinstance(error, exc.DBAPIError) and error.orig is not None else error
        text = " ".join(str(cause).split()) or type(cause).__name__
        if self.url.password:
            text = text.replace(str(self.url.password), "***")
        return text

    def unavailable(self, error: BaseException) -> RecordsUnavailable:
        """The error to raise for ``error``, naming this database."""
        return RecordsUnavailable(f"task records at {self.name}: {self.reason(error)}")

    def engine(self) -> Engine:
        """This process's engine for the database, made on first use."""
        with _engines_lock:
            pid, engine = _engines.get(self.key, (0, None))
            if engine is None:
                engine = (_sqlite_engine(self.url, self.keep_connections) if self.sqlite_path is not None
                          else _server_engine(self.url))
            elif pid != os.getpid():
                engine.dispose(close=False)  # the parent's connections stay the parent's
            _engines[self.key] = (os.getpid(), engine)
            return engine


def _sqlite_engine(url: URL, keep_connections: bool) -> Engine:
    # Kept: one connection per thread that asks at once (a web process's request, its readiness checks).
    pool: dict[str, Any] = {"poolclass": QueuePool, "pool_size": 2, "max_overflow": 8} if keep_connections else {
        "poolclass": NullPool}
    engine = create_engine(
        url, **pool, connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
    )

    in_wal = False

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: sqlite3.Connection, _: Any) -> None:
        nonlocal in_wal
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (below), not the driver
        if not in_wal:  # the file stays in WAL mode: asked once per process, not at every request
            _use_wal(dbapi_connection)
            in_wal = True

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        if mode != SINGLE_STATEMENT:
            connection.exec_driver_sql("BEGIN " + mode)

    return engine


def _use_wal(dbapi_connection: sqlite3.Connection) -> None:
    """Put the file in WAL mode (it stays so), waiting up to BUSY_TIMEOUT_SECONDS for other processes.

    Changing the mode needs the file to itself, and SQLite does not wait for
    that: processes opening a new file at once would fail "database is locked".
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if dbapi_connection.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode & 0xFF != SQLITE_BUSY or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _server_engine(url: URL) -> Engine:
    # pre_ping: a pooled connection that a database restart or failover closed is replaced, not failed on.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": int(BUSY_TIMEOUT_SECONDS)})
