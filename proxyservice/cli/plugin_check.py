"""``proxyservice plugins check``: what is right and wrong with a plugin, one finding a line.

A FILE is rendered as the service renders it: with the service's settings
(SOURCE_ROOTS, RENDER_ALLOW_UP, the viewport, the sandbox and its view of the
page's tree), so a page's stylesheets in ``../_static`` load as they do in a
worker. Only a FILE outside every source root, which the service would not
read by path, is checked with its own folder as the root, and the report says
so. The proxies go to a throwaway store and the metadata to records in memory,
so checking never touches the real store or records; no task is recorded or queued.
"""

import shutil
import tempfile
import traceback
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Sequence

from PIL import Image

from ..config import Settings
from ..container import Services
from ..domain import PluginStatus, ProxyPlugin, proxy_types
from ..process.bindings import MetadataSink
from ..services.task_records import InMemoryTaskRecords
from ..plugins.api_version import API_VERSION, api_version_problem, declared_api_version
from ..plugins.context import JobContext, call_job
from ..plugins.registry import NAMESPACE, PluginInvalid, enabled_names, import_plugin, installed_plugins
from ..schemas import first_error
from ..services.sources import SourceError, SourceFiles
from ..services.store import ProxyStore


OUTSIDE_ROOTS = ("%s is outside SOURCE_ROOTS, so the service would not read it by path: "
                 "checked with its own folder %s as the root")


class Level(str, Enum):
    """How a finding weighs."""

    OK = "✔"
    WARN = "❗"
    FAIL = "❌"


@dataclass(frozen=True)
class Finding:
    """One line of the check's report."""

    level: Level
    message: str


@dataclass
class CheckReport:
    """All findings, and where kept proxies are."""

    findings: list[Finding]
    kept: list[Path]

    @property
    def failed(self) -> bool:
        """Whether any finding is a failure."""
        return any(f.level is Level.FAIL for f in self.findings)

    def add(self, level: Level, message: str) -> None:
        self.findings.append(Finding(level, message))


def _describe(plugin: ProxyPlugin, report: CheckReport) -> bool:
    """Check namespace, schema and is_async; return whether the plugin is usable at all."""
    usable = True
    try:
        namespace = plugin.namespace()
        if isinstance(namespace, str) and NAMESPACE.match(namespace):
            report.add(Level.OK, f"namespace {namespace!r}")
        else:
            report.add(Level.FAIL, f"namespace {namespace!r} is invalid (want {NAMESPACE.pattern})")
            usable = False
    except Exception as e:
        report.add(Level.FAIL, f"namespace() raised {type(e).__name__}: {e}")
        usable = False
    try:
        problem = first_error("PluginSchema", plugin.schema())
        report.add(Level.OK, "schema valid") if problem is None else report.add(Level.FAIL, f"schema invalid: {problem}")
        usable = usable and problem is None
    except NotImplementedError:
        report.add(Level.FAIL, "schema missing: schema() is not implemented")
        usable = False
    except Exception as e:
        report.add(Level.FAIL, f"schema() raised {type(e).__name__}: {e}")
        usable = False
    try:
        is_async = plugin.is_async()
        if isinstance(is_async, bool):
            report.add(Level.OK, f"is_async() is {is_async}")
        else:
            report.add(Level.FAIL, f"is_async() returned {is_async!r}, not a bool")
    except Exception as e:
        report.add(Level.FAIL, f"is_async() raised {type(e).__name__}: {e}")
    return usable


def _installation(target: str, settings: Settings, report: CheckReport) -> None:
    module, _, class_name = target.partition("::")
    if module.endswith(".py"):  # a file: the name it has once in the plugin folder
        target = f"{Path(module).stem}::{class_name}"
    installed, _ = installed_plugins(settings.plugin_dir)
    names = {plugin.name for plugin in installed}
    if target in enabled_names(settings):
        report.add(Level.OK, f"{target} is installed and enabled")
    elif target in names:
        report.add(Level.WARN, f"{target} is installed but not enabled: proxyservice plugins enable {target}")
    else:
        report.add(Level.WARN, f"{target} is not installed: copy its module to {settings.plugin_dir / 'available'}/")


def _check_metadata(records: InMemoryTaskRecords, file_id: str, report: CheckReport) -> None:
    """Each field the plugin stored (its refusals were reported as the warnings of its job or its process())."""
    for namespace, fields in records.metadata_of(file_id).items():
        for name, value in fields.items():
            shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:80] + "…"
            report.add(Level.OK, f"metadata {namespace}.{name} = {shown}")


def _check_proxies(store: ProxyStore, file_id: str, box: Any, report: CheckReport, keep: bool,
                   makes_proxies: bool = True) -> None:
    proxies = store.list(file_id)
    if not proxies and makes_proxies:
        report.add(Level.FAIL, "no proxy was made")
    for proxy in proxies:
        _, blob = store.get(file_id, proxy.typeidentifier)
        if not proxy.mimetype.startswith("image/"):  # a text proxy: its bytes and type are what a client gets
            report.add(Level.OK, f"proxy {proxy.typeidentifier!r}: {proxy.mimetype}, {proxy.bytes} bytes")
            continue
        try:
            with Image.open(blob) as image:
                image.verify()
        except Exception as e:
            report.add(Level.FAIL, f"proxy {proxy.typeidentifier!r} is not a valid image: {e}")
            continue
        if proxy.width > box.width or proxy.height > box.height:
            report.add(Level.FAIL, f"proxy {proxy.typeidentifier!r} is {proxy.width}x{proxy.height}, "
                                   f"larger than the requested {box.width}x{box.height}")
        else:
            report.add(Level.OK, f"proxy {proxy.typeidentifier!r}: {proxy.width}x{proxy.height} "
                                 f"{proxy.mimetype}, {proxy.bytes} bytes (fits {box.width}x{box.height})")
        if keep:
            kept = store.root.parent / "kept" / f"{file_id[:12]}-{proxy.filename}"
            kept.parent.mkdir(exist_ok=True)
            shutil.copyfile(blob, kept)
            report.kept.append(kept)


def _process(plugin_class: type[ProxyPlugin], is_async: bool, source: Any, inline: bool,
             report: CheckReport, context: JobContext) -> bool:
    """Run process() (and, inline, its jobs); return whether proxies should now exist."""
    submitted: list[tuple[Callable[..., Any], Sequence[Any]]] = []
    job_errors: list[str] = []

    def submit(fn: Callable[..., Any], args: Sequence[Any]) -> None:
        submitted.append((fn, args))
        if inline:
            try:
                for warning in call_job(fn, args, context):
                    report.add(Level.WARN, f"job warning: {warning}")
            except Exception as e:
                job_errors.append(f"{type(e).__name__}: {e}")

    sink = MetadataSink(context.metadata or InMemoryTaskRecords())  # type: ignore[arg-type]  # the records' part it uses
    try:
        with context.active():
            plugin = sink.plugin = plugin_class(submit=submit, store_metadata=sink)
            status = plugin.process(source.file_id, source.path, source)
    except Exception as e:
        report.add(Level.FAIL, f"process() raised instead of returning a status: {type(e).__name__}: {e}")
        report.add(Level.WARN, traceback.format_exc().strip().splitlines()[-1])
        return False
    if not isinstance(status, PluginStatus):
        report.add(Level.FAIL, f"process() returned {status!r}, not a PluginStatus")
        return False
    if status is PluginStatus.INPROGRESS:
        if not is_async:
            report.add(Level.FAIL, "process() returned INPROGRESS but is_async() is False")
        if not submitted:
            report.add(Level.FAIL, "process() returned INPROGRESS but submitted no job")
            return False
        report.add(Level.OK, f"process() returned INPROGRESS after submitting {len(submitted)} job(s)")
        if not inline:
            report.add(Level.WARN, "async work was not run (use --inline to run it here)")
            return False
        for error in job_errors:
            report.add(Level.FAIL, f"the job raised {error}")
        return not job_errors
    if status in (PluginStatus.FATAL, PluginStatus.ERRORED):
        report.add(Level.FAIL, f"process() returned {status.value}")
        return False
    if status is PluginStatus.SKIPPED:
        report.add(Level.WARN, "process() SKIPPED this file")
        return False
    for refused in sink.refused:
        report.add(Level.WARN, refused)
    report.add(Level.OK, "process() returned SUCCESS")
    return True


def _source_roots(file: Path, settings: Settings, report: CheckReport) -> tuple[Path, ...]:
    """The service's source roots; for a FILE outside all of them, its own folder (and the report says so)."""
    sources = SourceFiles(settings.SOURCE_ROOTS, settings.upload_root, settings.MAX_SOURCE_BYTES)
    real = file.resolve()
    if any(real.is_relative_to(root) for root in sources.roots):
        return settings.SOURCE_ROOTS
    report.add(Level.WARN, OUTSIDE_ROOTS % (file, real.parent))
    return (real.parent,)


def check_plugin(target: str, file: Path | None, settings: Settings, inline: bool = False,
                 keep_proxies: bool = False) -> CheckReport:
    """Check a plugin, and with ``file`` run it on that file.

    Parameters
    ----------
    target
        ``path/to/file.py::Class`` or an installed plugin's name.
    file
        A sample file the plugin should handle.
    settings
        The service's settings: the plugin folder, the proxy size, and all that rendering uses.
    inline
        Run submitted async jobs here, in this process.
    keep_proxies
        Keep the proxies made (their paths are in the report).
    """
    report = CheckReport([], [])
    try:
        plugin_class = import_plugin(target, settings.plugin_dir)
    except PluginInvalid as e:
        report.add(Level.FAIL, str(e))
        return report
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, ProxyPlugin)):
        report.add(Level.FAIL, f"{target} is not a subclass of ProxyPlugin")
        return report
    report.add(Level.OK, f"{target} imports and is a ProxyPlugin")
    problem = api_version_problem(target, plugin_class)
    if problem is not None:
        report.add(Level.FAIL, problem)
        return report
    report.add(Level.OK, f"written for plugin API {declared_api_version(plugin_class)} (this service: {API_VERSION})")
    plugin = plugin_class()
    usable = _describe(plugin, report)
    _installation(target, settings, report)
    if file is None or not usable:
        return report
    scratch = Path(tempfile.mkdtemp(prefix="proxyservice-check-"))
    # The service's settings but for the store: the same roots, viewport, sandbox and view of the page's tree.
    throwaway = replace(settings, PROXY_STORE_ROOT=scratch / "proxies", STORE_URL="",
                        SOURCE_ROOTS=_source_roots(file, settings, report))
    # The context a worker would give the plugin's job, on the throwaway store and records.
    records = InMemoryTaskRecords()
    context = replace(Services(throwaway).job_context, metadata=records)
    try:
        try:
            real = context.sources.resolve(str(file.resolve()))
        except SourceError as e:
            report.add(Level.FAIL, f"{file}: {e}")
            return report
        source = context.sources.describe(real, throwaway.default_proxy_size)
        try:
            handled = plugin.handles(ext=source.ext, mimetype=source.mimetype)
        except Exception as e:
            report.add(Level.FAIL, f"handles() raised {type(e).__name__}: {e}")
            return report
        what = f"{file.name} ({source.ext or 'no extension'}, {source.mimetype})"
        if not handled:
            report.add(Level.FAIL, f"handles() says no to {what}")
            return report
        report.add(Level.OK, f"handles {what}")
        is_async = bool(plugin.is_async())
        if _process(plugin_class, is_async, source, inline, report, context):
            _check_proxies(context.store, source.file_id, source.proxy_size, report, keep_proxies,
                           makes_proxies=bool(proxy_types(plugin.schema())))
            _check_metadata(records, source.file_id, report)
    finally:
        if not report.kept:
            shutil.rmtree(scratch, ignore_errors=True)
    return report
