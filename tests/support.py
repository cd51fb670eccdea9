"""Real parts for the tests: a private Redis or RabbitMQ, a Celery worker process, image checks."""

import atexit
import hashlib
import hmac
import http.server
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Protocol

import redis
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parent.parent


def dockerfile_command(dockerfile: str) -> list[str]:
    """The CMD of one of the project's Dockerfiles, its program taken from this virtualenv.

    The tests run the images' own commands, so what the images run is tested here.
    """
    lines = (ROOT / dockerfile).read_text().splitlines()
    [cmd] = [line for line in lines if line.startswith("CMD ")]
    program, *arguments = json.loads(cmd[len("CMD "):])
    return [str(Path(sys.executable).parent / program), *arguments]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


LISTED_PORT = free_port()
"""The loopback port the end-to-end services list in RENDER_ALLOWED_HOSTS (an allowed host is open on its
listed ports only): the tests' own servers that pages reach listen there, one at a time."""


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something true; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class BrokerServer(Protocol):
    """A broker of the test's own: started, stopped, restarted as a user's would be."""

    kind: str

    @property
    def url(self) -> str: ...

    def start(self) -> "BrokerServer": ...

    def stop(self) -> None: ...

    def kill(self) -> None:
        """Killed with SIGKILL, as a crash or the OOM killer does: started again with :meth:`start`."""

    def restart(self) -> None:
        """Stopped and started again as the broker is: a Redis keeping nothing on disk loses its tasks."""

    def restart_without_data(self) -> None:
        """Stopped and started again with nothing of what it held."""


class RedisServer:
    """A redis-server of the test's own, on a free loopback port; the machine's is left alone.

    It keeps nothing on disk, as the machine's: a restart loses every task it held.
    """

    kind = "redis"

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self) -> "RedisServer":
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, 10, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    restart_without_data = restart


class RabbitMQServer:
    """A RabbitMQ node of the test's own, on a free loopback port; the machine's node is left alone.

    Its queues are durable and its messages persistent: a restart keeps them,
    unless its data folder is wiped (a node on a new volume).
    """

    kind = "rabbitmq"
    SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")

    def __init__(self, directory: Path, port: int | None = None) -> None:
        # Its own folder, which the rabbitmq account can reach (pytest's are root's alone); gone at exit.
        self.directory = Path(tempfile.mkdtemp(prefix=f"proxyservice-{directory.name}-"))
        atexit.register(shutil.rmtree, self.directory, ignore_errors=True)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def installed(cls) -> bool:
        return cls.SERVER.exists()

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def ping(self) -> bool:
        from kombu import Connection

        try:
            with Connection(self.url, connect_timeout=0.5) as connection:
                connection.ensure_connection(max_retries=1, interval_start=0)
                return True
        except Exception:  # not up yet, whatever the reason
            return False

    def start(self) -> "RabbitMQServer":
        for folder in ("mnesia", "log", "home"):
            (self.directory / folder).mkdir(parents=True, exist_ok=True)
        files = {"rabbitmq-env.conf": "", "enabled_plugins": "[].\n",
                 # guest may connect from loopback only, which is where the tests are.
                 "rabbitmq.conf": "listeners.tcp.default = 127.0.0.1:%d\n" % self.port}
        for name, text in files.items():
            (self.directory / name).write_text(text)
        account = pwd.getpwnam("rabbitmq")
        for path in [self.directory, *self.directory.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
        environment = {
            "PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": str(self.directory / "home"),
            "RABBITMQ_NODENAME": f"proxyservice-test-{self.port}@localhost",
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.directory / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.directory / "feature_flags"),
            "RABBITMQ_PID_FILE": str(self.directory / "pid"),
        }
        with (self.directory / "server.log").open("ab") as log:
            self.process = subprocess.Popen([str(self.SERVER)], env=environment, user="rabbitmq", group="rabbitmq",
                                            cwd=self.directory, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        wait_until(lambda: self.ping() or self.process is None or self.process.poll() is not None, 60,
                   f"rabbitmq-server on port {self.port}")
        if self.process.poll() is not None:
            raise AssertionError(f"rabbitmq-server stopped: see {self.directory / 'server.log'}")
        return self

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
            self.process = None

    def kill(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def restart_without_data(self) -> None:
        self.stop()
        shutil.rmtree(self.directory / "mnesia")
        self.start()


class SharedRabbitMQ:
    """A virtual host of its own on the machine's RabbitMQ (127.0.0.1:5672, guest), removed at :meth:`stop`.

    For tests that only use the broker: those that stop or restart one start
    a :class:`RabbitMQServer` instead. ``None`` from :meth:`made` where no
    RabbitMQ runs there or ``rabbitmqctl`` cannot reach it (a user's machine).
    """

    kind = "rabbitmq"

    def __init__(self, vhost: str) -> None:
        self.vhost = vhost

    @classmethod
    def made(cls) -> "SharedRabbitMQ | None":
        vhost = f"proxyservice-test-{uuid.uuid4().hex[:12]}"
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", 5672)) != 0:
                return None
        try:
            for command in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
                subprocess.run(["rabbitmqctl", "-q", *command], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        return cls(vhost)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}"

    def start(self) -> "SharedRabbitMQ":
        return self

    def stop(self) -> None:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", self.vhost], capture_output=True, timeout=60)

    def restart(self) -> None:
        raise NotImplementedError("the machine's RabbitMQ is shared: restart a RabbitMQServer of the test's own")

    restart_without_data = kill = restart


def broker_server(kind: str, directory: Path) -> BrokerServer:
    """A private broker of that kind (``redis`` or ``rabbitmq``), started."""
    server: BrokerServer = RedisServer(directory) if kind == "redis" else RabbitMQServer(directory)
    return server.start()


class Worker:
    """A real Celery worker process of proxyservice, with its own environment."""

    def __init__(self, environment: dict[str, str], log: Path, concurrency: int = 2,
                 on_host: list[str] | None = None) -> None:
        self.environment = environment
        self.on_host = on_host or []
        """A prefix that runs it on another host (a network namespace: :meth:`tests.netns.Network.on`)."""
        self.log = log
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Worker":
        from proxyservice.config import Settings
        from proxyservice.services.task_queue import TaskQueue

        self.log.touch()
        start = self.log.stat().st_size
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.on_host, *dockerfile_command("Dockerfile-worker"), f"--concurrency={self.concurrency}",
                 "--hostname", self.name, "--without-gossip", "--without-mingle"],
                cwd=ROOT,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        queue = TaskQueue(Settings.from_environ(self.environment))
        wait_until(lambda: self.name in queue.workers_answering(0.5), 60, f"worker {self.name}")
        # The first sweep on a broker it has not seen sends every queued task again (it cannot
        # tell a new broker from one that forgot): a test's tasks are sent after it.
        wait_until(lambda: self.first_sweep_done(start), 60, f"worker {self.name}'s first recovery sweep")
        return self

    def first_sweep_done(self, offset: int) -> bool:
        """Whether the log, from ``offset``, says the worker's first lost-task sweep ended (or could not run)."""
        with self.log.open("rb") as log:
            log.seek(offset)
            said = log.read().decode(errors="replace")
        return "lost-task recovery: first sweep done" in said or "cannot recover lost tasks now" in said

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
            self.process = None


class SlowServer:
    """A server whose images take ``delay`` seconds: renders that last long enough to be killed.

    Parameters
    ----------
    delay
        Seconds each answer waits.
    address
        Where it listens: loopback, or a bridge address other hosts reach.
    port
        Its port (:data:`LISTED_PORT` for a service that lists it); any free one by default.
    """

    def __init__(self, delay: float, address: str = "127.0.0.1", port: int = 0) -> None:
        self.hits = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits += 1
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((address, port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.url = f"http://{address}:{self.port}/slow.gif"

    def page(self, folder: Path, name: str) -> Path:
        """A page named ``name`` in ``folder`` that loads one slow image."""
        path = folder / name
        path.write_text(f'<html><body><h1>{name}</h1><img src="{self.url}?{name}"></body></html>')
        return path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def render_page(renderer: Any, page: Path, out: Path, timeout: float = 30, tree: Path | None = None) -> Any:
    """Render ``page`` as the HTML plugin does: seeing itself and the web assets of ``tree`` (its folder)."""
    from proxyservice.services.sources.page_view import page_view

    real = page.resolve() if page.exists() else page
    return renderer.render(page, out, timeout, page_view(real, (tree or page.parent).resolve()))


@contextmanager
def small_disk(size_mb: int) -> Iterator[Path]:
    """A folder on a tmpfs of its own of ``size_mb`` MiB, unmounted and removed at the end (mounting needs root)."""
    folder = Path(tempfile.mkdtemp(prefix="proxyservice-small-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(folder)], check=True, timeout=30)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, timeout=30)
        folder.rmdir()


def fill(disk: Path, leave_mb: float) -> Path:
    """A file that takes all but ``leave_mb`` of the disk's room; remove it to give the room back."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize + (filler.stat().st_size if filler.exists() else 0)
    with filler.open("wb") as out:
        out.truncate(0)
        out.write(b"\0" * max(0, int(free - leave_mb * 1024 * 1024)))
    return filler


def assert_not_blank(png: Path | bytes, min_spread: float = 10.0) -> Image.Image:
    """Open a PNG and check that it shows something: its pixels are not all one colour."""
    source: Any = png if isinstance(png, Path) else __import__("io").BytesIO(png)
    image = Image.open(source)
    image.load()
    spread = max(ImageStat.Stat(image.convert("L")).stddev)
    assert spread > min_spread, f"the image looks blank (grey stddev {spread:.1f})"
    return image


def dark_share(image: Image.Image, row: int) -> float:
    """The share of one row's pixels that are dark (under mid-grey): how far across a drawn line runs."""
    grey = image.convert("L")
    return sum(grey.getpixel((x, row)) < 128 for x in range(grey.width)) / grey.width


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two same-sized images' grey levels, 0 to 255."""
    a, b = first.convert("L"), second.convert("L")
    assert a.size == b.size
    total = sum(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes()))
    return total / (a.size[0] * a.size[1])


class Receiver:
    """A loopback server that answers each POST with the next of ``statuses``, and keeps what it got."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://10.0.0.1/inside")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}/hook?from=proxyservice"


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does with Proxyservice-Signature."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["sha256"])


def pictures(proxies: list[Any]) -> list[Any]:
    """The proxies that are pictures (listed as JSON or by the client): not the file's ``text`` for search."""
    return [p for p in proxies if (p["mimetype"] if isinstance(p, dict) else p.mimetype).startswith("image/")]
