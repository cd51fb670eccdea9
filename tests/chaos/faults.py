"""The faults the chaos suite injects into a running stack, each begun and ended by the harness.

A fault is a small object with a name, how long it lasts, and :meth:`Fault.begin`
and :meth:`Fault.end`; the harness submits files across it and measures what
became of them (:mod:`tests.chaos.harness`).
"""

import os
import signal
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import psycopg
from sqlalchemy import make_url

from tests.conftest import POSTGRES_SERVER
from tests.support import BrokerServer, Worker, fill, free_port, wait_until


class Fault(Protocol):
    """Something that goes wrong for a while: begun, then ended ``duration`` seconds later."""

    name: str
    duration: float

    def begin(self) -> None: ...

    def end(self) -> None: ...


class Relay:
    """A TCP relay on a free loopback port to ``target``: the network between the service and a server, cut at will.

    Cut, it drops every connection it carries and its port stops listening,
    so the service sees the server go away (connections refused); joined, it
    listens on the same port again.
    """

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._listening = threading.Event()
        self._carried: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepting: threading.Thread | None = None

    def join(self) -> "Relay":
        """Listen and relay."""
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.1)  # so that a cut is seen at once: a blocked accept() is not woken by close()
        self._listening.set()
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()
        return self

    def cut(self) -> None:
        """Stop listening and drop every connection."""
        self._listening.clear()
        if self._accepting is not None:
            self._accepting.join()
        with self._lock:
            carried, self._carried = self._carried, set()
        for end in carried:
            _drop(end)

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while self._listening.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                try:
                    server = socket.create_connection(self.target, timeout=3)
                except OSError:
                    _drop(client)
                    continue
                with self._lock:
                    self._carried |= {client, server}
                for source, sink in ((client, server), (server, client)):
                    threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        source.settimeout(None)
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with self._lock:
                self._carried -= {source, sink}
            _drop(source)
            _drop(sink)


def _drop(end: socket.socket) -> None:
    try:
        end.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    end.close()


@dataclass
class DatabaseStorm:
    """Every backend of one PostgreSQL database terminated (``pg_terminate_backend``) every ``every`` seconds."""

    database_url: str
    duration: float = 25.0
    every: float = 0.1
    name: str = "database backends terminated in a storm"
    terminated: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def begin(self) -> None:
        database = make_url(self.database_url).database
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)

        def storm() -> None:
            with admin:
                while not self._stop.wait(self.every):
                    killed = admin.execute(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()", (database,)).fetchone()
                    self.terminated += int(killed[0]) if killed else 0

        self._thread = threading.Thread(target=storm, name="storm", daemon=True)
        self._thread.start()

    def end(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


@dataclass
class StorageCut:
    """The object storage out of reach (its relay cut) for ``duration`` seconds, then back."""

    relay: Relay
    duration: float = 20.0
    name: str = "object storage cut, then back"

    def begin(self) -> None:
        self.relay.cut()

    def end(self) -> None:
        self.relay.join()


@dataclass
class DiskFull:
    """One worker's data folder's disk filled to ``leave_mb`` for ``duration`` seconds, then emptied."""

    disk: Path
    leave_mb: float = 1.0
    duration: float = 60.0
    name: str = "one worker's disk full"
    _filler: Path | None = None

    def begin(self) -> None:
        self._filler = fill(self.disk, self.leave_mb)

    def end(self) -> None:
        if self._filler is not None:
            self._filler.unlink()


@dataclass
class BrokerKilled:
    """The broker SIGKILLed, and started again on the same port ``duration`` seconds later (what it keeps, it keeps)."""

    broker: BrokerServer
    duration: float = 10.0
    name: str = "broker killed"

    def begin(self) -> None:
        self.broker.kill()

    def end(self) -> None:
        self.broker.start()


@dataclass
class WorkerKilled:
    """One worker SIGKILLed (its whole process group) mid-render; a new one started in its place after ``duration``."""

    worker: Worker
    rendering: Callable[[Worker], object]
    """Whether the worker renders now: it is killed then, or after 10 s at the latest."""
    replacement: Callable[[], Worker]
    duration: float = 5.0
    name: str = "worker killed"

    def begin(self) -> None:
        try:
            wait_until(lambda: self.rendering(self.worker), 10, "a render under way", interval=0.02)
        except AssertionError:
            pass  # killed all the same: between renders
        assert self.worker.process is not None
        os.killpg(self.worker.process.pid, signal.SIGKILL)
        self.worker.process.wait()
        self.worker.process = None

    def end(self) -> None:
        self.replacement().start()
