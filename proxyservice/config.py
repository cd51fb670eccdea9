"""Every setting of proxyservice, declared once, read from the environment.

Each field of :class:`Settings` is one setting: its name is the environment
variable, its annotation the type it is cast to, its default the value used
when the variable is unset, and the docstring beneath it what it does. The
README lists them all (a test keeps the two in step). How a variable's text
is cast to its type is :mod:`.setting_values`.
"""

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote

from .domain import ProxySize
from .setting_values import SettingInvalid, cast_setting

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "INSECURE-DEVELOPMENT-SECRET-never-use-in-production"
"""Signs tokens when AUTH_SECRET is unset in development; production refuses it."""


HTML_ENGINES = {"wkhtmltoimage": "html_preview::HTMLPreview", "chromium": "html_chromium::ChromiumPreview"}
"""The plugin of each HTML_ENGINE."""
BLANK_PROXY_CHOICES = ("warn", "fail")
SIZE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class Settings:
    """The settings in force; build with :meth:`from_environ`."""

    DATA_DIR: Path = PROJECT_ROOT / "data"
    """Folder for everything the service writes: proxies, uploads and task records."""
    DATABASE_URL: str = field(default="", repr=False)  # its password stays out of tracebacks and logs
    """Task records' database, ``postgresql://user:password@host/db``, shared by all hosts; ``$DATA_DIR/tasks.sqlite3`` when unset."""
    PROXY_STORE_ROOT: Path | None = None
    """Where proxies are kept; ``$DATA_DIR/proxies`` when unset."""
    STORE_MIN_FREE_MB: int = 64
    """Free room, in MiB, the proxy store's disk keeps: below it, ingest answers 503 and tasks wait and retry."""
    STORE_URL: str = ""
    """Object storage for proxies and uploads, ``s3://bucket/prefix`` (reached through boto3's AWS_* variables); a local folder when unset."""
    STORE_REDIRECT: bool = False
    """Serve a proxy on STORE_URL by a redirect (307) to a short-lived presigned URL instead of streaming its bytes."""
    SOURCE_ROOTS: tuple[Path, ...] = ()
    """Folders (``:``-separated) whose files may be ingested by path; uploads are always allowed."""
    BROKER_URL: str = field(default="", repr=False)  # may hold a password
    """The Celery broker: ``redis://host:6379/0`` or ``amqp://user:password@host:5672/vhost`` (RabbitMQ); REDIS_URL when unset."""
    REDIS_URL: str = field(default="redis://127.0.0.1:6379/0", repr=False)
    """The broker when BROKER_URL is unset: the Redis that ``make run`` starts."""
    PROXY_WIDTH: int = 400
    """Width of the box a proxy is scaled to fit, when the request names none."""
    PROXY_HEIGHT: int = 300
    """Height of that box."""
    PROXY_SIZES: tuple[str, ...] = ("thumbnail=200x150", "preview=400x300", "large=1024x768")
    """Boxes a request may name (``sizes``), as ``name=WIDTHxHEIGHT``, comma-separated; each size of a proxy
    is kept beside the others."""
    MAX_PROXY_SIDE: int = 2000
    """Largest width or height a client may ask a proxy to have; the API's schema allows at most 2000."""
    MAX_PAGES: int = 100
    """Most pages (a video's frames) one ingest may ask a proxy of each of (``pages``; ``"all"`` is up to this)."""
    RENDER_VIEWPORT_WIDTH: int = 1024
    """Width of the browser window HTML is rendered in, before scaling."""
    RENDER_VIEWPORT_HEIGHT: int = 768
    """Height of that window; the preview shows the top of the page."""
    RENDER_TIMEOUT: float = 30.0
    """Seconds one render may take before its whole process group is killed."""
    RENDER_ALLOW_UP: int = 1
    """Folders above a page that the renderer may read (Sphinx pages load ``../_static``);
    never above the page's source root, and an upload sees only its own folder."""
    RENDER_ALLOWED_HOSTS: tuple[str, ...] = ()
    """Hosts whose http(s) resources pages may load, as ``host[:port]`` (comma-separated; ports 80 and 443 when none
    is named); a name that resolves to a loopback, link-local or private address is refused (list its address
    instead); none by default."""
    RENDER_MEMORY_MB: int = 1024
    """Heap a converter process (wkhtmltoimage, pdftoppm, rsvg-convert, ffmpeg) may take, in MiB;
    past it allocations fail."""
    RENDER_PAGE_BYTES: int = 1024 * 1024
    """Pages longer than this are rendered from about this much of them, their start and their last part
    (sidebars, footers), when their first screen is drawn from their own markup; a page built by its script
    (a single-file wiki) is rendered whole, within RENDER_MEMORY_MB and RENDER_TIMEOUT."""
    RENDER_JAVASCRIPT_DELAY_MS: int = 200
    """Milliseconds the renderer waits for scripts after the page loaded."""
    HTML_ENGINE: str = "wkhtmltoimage"
    """The engine that draws an HTML file's ``preview``: ``wkhtmltoimage`` (html_preview) or ``chromium``
    (html_chromium, enabled by this choice). The other, when enabled, draws a file only when a request names it,
    and keeps its picture under a name of its own (``preview-chromium``, ``preview-wkhtmltoimage``)."""
    BLANK_PROXY: str = "warn"
    """What a page's preview drawn blank (one colour) is when the page has text, pictures or scripts of its own,
    after drawing it whole and with the other HTML engine (when enabled) drew it blank too: ``warn`` (the task
    succeeds with a warning that says so) or ``fail`` (the task fails saying so)."""
    WKHTMLTOIMAGE: str = "wkhtmltoimage"
    """The wkhtmltoimage binary: a name looked up on PATH, or a path."""
    CHROMIUM: str = "/usr/lib/chromium/chromium"
    """Chromium's program, for the ``html_chromium`` plugin (Debian's, not its ``/usr/bin`` wrapper script)."""
    PDFTOPPM: str = "pdftoppm"
    """The pdftoppm binary (Debian's poppler-utils) that draws PDF pages."""
    RSVG_CONVERT: str = "rsvg-convert"
    """The rsvg-convert binary (Debian's librsvg2-bin) that draws SVG drawings."""
    FFMPEG: str = "ffmpeg"
    """The ffmpeg binary (Debian's ffmpeg) that picks a frame of a video and draws a sound's waveform."""
    FFPROBE: str = "ffprobe"
    """The ffprobe binary (Debian's ffmpeg) that reads a video's or a sound's length and facts."""
    SOFFICE: str = "soffice"
    """LibreOffice's soffice (Debian's libreoffice-*-nogui) that makes office documents into PDFs."""
    OFFICE_MEMORY_MB: int = 3072
    """Heap each worker process's LibreOffice may take, in MiB; past it the conversion fails (the next gets a new one)."""
    BWRAP: str = "bwrap"
    """The bubblewrap binary (Debian's bubblewrap) every converter runs inside: no network, a view of only its files."""
    UNSAFE_NO_SANDBOX: bool = False
    """UNSAFE: run converters without the sandbox, with the worker's network and files; only for files you trust."""
    MAX_IMAGE_PIXELS: int = 50_000_000
    """Images with more pixels are refused before they are decoded (decompression bombs)."""
    MAX_SOURCE_BYTES: int = 50 * 1024 * 1024
    """Largest file accepted for ingest, by path or upload (413 above it)."""
    MAX_TEXT_BYTES: int = 1024 * 1024
    """Most bytes of a file's ``text`` proxy (UTF-8): a longer text is cut there, at a whole character, with a
    warning."""
    MAX_UNPACKED_BYTES: int = 200 * 1024 * 1024
    """Most bytes a packed file (an EPUB's zip) may unpack to; past it the file is refused (zip bombs).
    A page uploaded with its files (a ``.zip``, or several files) may unpack to as many."""
    MAX_BUNDLE_FILES: int = 1000
    """Most files a page uploaded with its files may bring, folders of a ``.zip`` counted too (413 above it)."""
    MAX_BUNDLE_DEPTH: int = 16
    """Most folders deep a file of a page uploaded with its files may be, its own name counted (413 above it)."""
    ENABLED_PLUGINS: tuple[str, ...] = ()
    """Plugins (``module::Class``, comma-separated) used for ingest; when unset, the links in
    ``$PLUGIN_DIR/enabled`` decide, or all built-ins when that folder does not exist."""
    PLUGIN_DIR: Path | None = None
    """Plugin folder with PixStor's ``available/`` and ``enabled/`` layout; ``$DATA_DIR/plugins`` when unset."""
    TASK_SOFT_TIME_LIMIT: int = 120
    """Seconds after which Celery asks a running task to stop."""
    TASK_TIME_LIMIT: int = 150
    """Seconds after which Celery kills the worker child running a task."""
    RESOURCE_WAIT_SECONDS: int = 900
    """Seconds a task that meets a resource that is away (a full disk, the records' database, object storage, a
    converter missing on its worker) waits for it, tried again with backoff (1 s doubling to 60 s), before it fails."""
    VISIBILITY_TIMEOUT: int = 600
    """Redis broker only: seconds before a task taken by a worker that vanished goes back to the queue
    (RabbitMQ does it when the worker's connection drops; the recovery sweep when its lease lapses)."""
    RECOVERY_INTERVAL: int = 60
    """Seconds between sweeps for tasks the broker lost or whose worker died; one worker sweeps at a time."""
    TASK_LEASE: int = 30
    """Seconds a worker holds a task it runs, renewed while it runs; a task whose lease lapsed lost its worker."""
    MAX_QUEUE_LENGTH: int = 10000
    """Tasks waiting in the queue past which ``POST /ingest`` answers 429 with Retry-After."""
    WEBHOOK_ALLOWED_HOSTS: tuple[str, ...] = ()
    """Hosts (comma-separated, exact names, optionally ``host:port``) that ``callback_url`` may name; none by default,
    so callbacks are off until set."""
    WEBHOOK_SECRET: str = field(default="", repr=False)
    """Secret that signs each callback (HMAC-SHA256); AUTH_SECRET when unset."""
    WEBHOOK_MAX_RETRIES: int = 5
    """Times a callback that failed (no answer, or not 2xx) is tried again, with backoff."""
    WEBHOOK_RETRY_SECONDS: int = 2
    """Wait before the first retry of a callback; each next wait doubles, up to 10 minutes."""
    WEBHOOK_TIMEOUT: float = 5.0
    """Seconds a callback's receiver has to answer."""
    WORKER_METRICS_PORT: int = 9808
    """Port on which each worker serves Prometheus metrics (its processes', summed) on all its addresses; 0 for none."""
    LOG_LEVEL: str = "INFO"
    """Least important log lines written, web app and workers: DEBUG, INFO, WARNING, ERROR."""
    LOG_FORMAT: str = "text"
    """``text`` (one readable line each) or ``json`` (one JSON object a line, for a log pipeline)."""
    PROXYSERVICE_ENV: str = "production"
    """``production`` or ``development``; only development runs without AUTH_SECRET (on a marked, insecure secret)."""
    AUTH_SECRET: str = ""
    """Secret that signs bearer tokens and shared links; required in production, no working default."""
    SIGNED_LINK_TTL: int = 3600
    """Seconds a signed link to a proxy (shared without a token) stays valid."""
    STATUS_CHECK_TIMEOUT: float = 1.0
    """Seconds each readiness check of ``GET /status`` may take."""
    BROKER_TIMEOUT: float = 1.0
    """Seconds to connect to or hear from the broker before calling it unreachable."""

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> "Settings":
        """Read every setting from ``environ`` (``os.environ`` by default).

        Parameters
        ----------
        environ
            Where the variables come from.
        overrides
            Values that win over the environment (tests use them).
        """
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name in overrides:
                values[spec.name] = overrides[spec.name]
            elif environ.get(spec.name, "") != "":
                values[spec.name] = cast_setting(spec.name, spec.type, environ[spec.name])
        return cls(**values)

    @property
    def default_proxy_size(self) -> "ProxySize":
        """The proxy box when a request names none."""
        return ProxySize(self.PROXY_WIDTH, self.PROXY_HEIGHT)

    @property
    def proxy_store_root(self) -> Path:
        """Where proxies are kept."""
        return self.PROXY_STORE_ROOT or self.DATA_DIR / "proxies"

    @property
    def auth_secret(self) -> str:
        """The secret that signs tokens and links.

        Raises
        ------
        SettingInvalid
            In production, AUTH_SECRET is unset or is the development secret.
        """
        if self.PROXYSERVICE_ENV not in ("production", "development"):
            raise SettingInvalid(f"PROXYSERVICE_ENV={self.PROXYSERVICE_ENV!r}: use production or development")
        if self.PROXYSERVICE_ENV == "development":
            return self.AUTH_SECRET or DEVELOPMENT_SECRET
        if not self.AUTH_SECRET or self.AUTH_SECRET == DEVELOPMENT_SECRET:
            raise SettingInvalid("AUTH_SECRET must be set to a secret of your own in production "
                                 "(or set PROXYSERVICE_ENV=development on a machine of your own)")
        if len(self.AUTH_SECRET) < 32:
            raise SettingInvalid("AUTH_SECRET must be at least 32 characters long")
        return self.AUTH_SECRET

    @property
    def html_engine_plugin(self) -> str:
        """The plugin of HTML_ENGINE, by name.

        Raises
        ------
        SettingInvalid
            HTML_ENGINE is not one of :data:`HTML_ENGINES`.
        """
        try:
            return HTML_ENGINES[self.HTML_ENGINE]
        except KeyError:
            raise SettingInvalid(f"HTML_ENGINE={self.HTML_ENGINE!r}: use {' or '.join(HTML_ENGINES)}") from None

    @property
    def blank_proxy_fails(self) -> bool:
        """Whether a preview drawn blank fails its task (BLANK_PROXY=fail), rather than warning.

        Raises
        ------
        SettingInvalid
            BLANK_PROXY is neither ``warn`` nor ``fail``.
        """
        if self.BLANK_PROXY not in BLANK_PROXY_CHOICES:
            raise SettingInvalid(f"BLANK_PROXY={self.BLANK_PROXY!r}: use {' or '.join(BLANK_PROXY_CHOICES)}")
        return self.BLANK_PROXY == "fail"

    @property
    def named_sizes(self) -> dict[str, "ProxySize"]:
        """PROXY_SIZES by name.

        Raises
        ------
        SettingInvalid
            An entry is not ``name=WIDTHxHEIGHT`` within MAX_PROXY_SIDE.
        """
        sizes: dict[str, ProxySize] = {}
        for entry in self.PROXY_SIZES:
            name, _, box = entry.partition("=")
            width, _, height = box.partition("x")
            if not (SIZE_NAME.match(name) and width.isdigit() and height.isdigit()
                    and 0 < int(width) <= self.MAX_PROXY_SIDE and 0 < int(height) <= self.MAX_PROXY_SIDE):
                raise SettingInvalid(f"PROXY_SIZES: {entry!r} is not name=WIDTHxHEIGHT (a lower-case name, "
                                     f"sides from 1 to {self.MAX_PROXY_SIDE})")
            sizes[name] = ProxySize(int(width), int(height))
        return sizes

    @property
    def plugin_dir(self) -> Path:
        """The plugin folder."""
        return self.PLUGIN_DIR or self.DATA_DIR / "plugins"

    @property
    def upload_root(self) -> Path:
        """Where uploaded files are kept; always a source root."""
        return self.DATA_DIR / "uploads"

    @property
    def task_db_path(self) -> Path:
        """The SQLite file holding the durable task records."""
        return self.DATA_DIR / "tasks.sqlite3"

    @property
    def database_url(self) -> str:
        """The task records' database: DATABASE_URL, or the URL of the SQLite file in DATA_DIR."""
        # Quoted: a URL decodes %XX in the path, and a "?" would start its query.
        return self.DATABASE_URL or "sqlite:///" + quote(str(self.task_db_path))

    @property
    def broker_url(self) -> str:
        """The Celery broker: BROKER_URL, or REDIS_URL."""
        return self.BROKER_URL or self.REDIS_URL
