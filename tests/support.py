"""Real parts for the tests: a private Redis, a Celery worker process, image checks."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

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


def wait_until(predicate: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something true; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """A redis-server of the test's own, on a free loopback port; the machine's is left alone."""

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


class Worker:
    """A real Celery worker process of proxyservice, with its own environment."""

    def __init__(self, environment: dict[str, str], log: Path, concurrency: int = 2) -> None:
        self.environment = environment
        self.log = log
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Worker":
        from proxyservice.config import Settings
        from proxyservice.services.task_queue import TaskQueue

        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*dockerfile_command("Dockerfile-worker"), f"--concurrency={self.concurrency}",
                 "--hostname", self.name, "--without-gossip", "--without-mingle"],
                cwd=ROOT,
                env={**os.environ, **self.environment},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        queue = TaskQueue(Settings.from_environ(self.environment))
        wait_until(lambda: self.name in queue.workers_answering(0.5), 60, f"worker {self.name}")
        return self

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


def render_page(renderer: Any, page: Path, out: Path, timeout: float = 30, tree: Path | None = None) -> Any:
    """Render ``page`` as the HTML plugin does: seeing itself and the web assets of ``tree`` (its folder)."""
    from proxyservice.services.sources.page_view import page_view

    real = page.resolve() if page.exists() else page
    return renderer.render(page, out, timeout, page_view(real, (tree or page.parent).resolve()))


def assert_not_blank(png: Path | bytes, min_spread: float = 10.0) -> Image.Image:
    """Open a PNG and check that it shows something: its pixels are not all one colour."""
    source: Any = png if isinstance(png, Path) else __import__("io").BytesIO(png)
    image = Image.open(source)
    image.load()
    spread = max(ImageStat.Stat(image.convert("L")).stddev)
    assert spread > min_spread, f"the image looks blank (grey stddev {spread:.1f})"
    return image


def mean_difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two same-sized images' grey levels, 0 to 255."""
    a, b = first.convert("L"), second.convert("L")
    assert a.size == b.size
    total = sum(abs(x - y) for x, y in zip(a.tobytes(), b.tobytes()))
    return total / (a.size[0] * a.size[1])
