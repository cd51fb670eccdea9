"""How a task records object reaches its database: its transactions, its SQLite connection, and forks.

On PostgreSQL each transaction takes a connection from the process's pool
(see :mod:`.engines`). On SQLite an object keeps one connection, opened at its
first use and kept until :meth:`RecordsConnection.close`, and the rules of
:mod:`.fork` keep it from crossing ``fork()``. Database errors become
:class:`RecordsUnavailable`.
"""

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Self

from sqlalchemy import Connection

from . import fork
from .engines import SINGLE_STATEMENT, SQLITE_BEGIN, Database
from .errors import RecordsUnavailable
from .schema import DATABASE_ERRORS, ready_engine


class RecordsConnection:
    """The connection and transactions of one task records object (the base of :class:`.TaskRecords`).

    Parameters
    ----------
    location
        A SQLite file's path, or a database URL (see :class:`.TaskRecords`).
    keep_connections
        See the attribute.
    """

    def __init__(self, location: Path | str, keep_connections: bool = False) -> None:
        self.location = location
        self.keep_connections = keep_connections
        """SQLite: :meth:`close` gives the connection back to a pool, open (only in a process that never forks)."""
        self._database: Database | None = None
        self._connection: Connection | None = None
        """SQLite only: this object's connection, open from first use until :meth:`close`."""
        self._lock = threading.RLock()

    @contextmanager
    def no_fork_while_open(self) -> Iterator[Self]:
        """These records, closed at the end of the block; ``os.fork()`` in other threads waits for it.

        For a thread that reads records in a process whose other threads fork
        children that use the records too (the worker's main process, which
        forks pool children at any time). Keep the block to the records' own
        work: never fork in it, and leave slow calls (the broker) outside.
        Blocks of several threads run one at a time.
        """
        with fork.no_fork():
            try:
                yield self
            finally:
                self.close()

    def close(self) -> None:
        """Close the connection, if open (a SQLite file's; a server's go back to the process's pool after each use)."""
        with self._lock:
            try:
                if self._connection is not None:
                    self._connection.close()
            finally:
                self._connection = None
                fork.closed(self)

    def _database_at(self) -> Database:
        if self._database is None:
            self._database = Database.at(self.location, self.keep_connections)
        return self._database

    @contextmanager
    def _transaction(self, immediate: bool = False, one_read: bool = False) -> Iterator[Connection]:
        """A transaction, committed at the end of the block; database errors become RecordsUnavailable.

        Parameters
        ----------
        immediate
            On SQLite, take the write lock at the start (for a read that decides a write).
        one_read
            The block runs one SELECT: on SQLite it is its own transaction, without BEGIN and COMMIT
            (two statements more than the read itself, at every status read).
        """
        database = self._database_at()
        path = database.sqlite_path
        if path is None:
            try:
                with ready_engine(database).begin() as connection:
                    yield connection
            except DATABASE_ERRORS as e:
                raise database.unavailable(e) from e
            return
        if fork.open_in_parent(str(path)):
            raise RecordsUnavailable(fork.FORKED_WITH_OPEN_CONNECTION % path)
        with self._lock:
            try:
                connection = self._open(database, path)
                mode = "IMMEDIATE" if immediate else SINGLE_STATEMENT if one_read else "DEFERRED"
                connection.execution_options(**{SQLITE_BEGIN: mode})
                with connection.begin():
                    yield connection
            except DATABASE_ERRORS as e:
                self.close()
                raise database.unavailable(e) from e

    def _open(self, database: Database, path: Path) -> Connection:
        if self._connection is None:
            # From here until close() returns, SQLite holds state of this file that a fork must not copy.
            fork.opening(self, str(path))
            try:
                self._connection = ready_engine(database).connect()
            except BaseException:
                self.close()
                raise
        return self._connection
