"""The built-in HTML preview plugin: a PNG of the top of the page."""

import logging
from pathlib import Path
from typing import Any

from ..domain import ProxySize, SourceFile
from ..services.context import current_settings
from ..services.imaging import ImageScaler
from ..services.renderer import HtmlRenderer
from ..services.sources import SourceFiles
from .api import PluginStatus, Proxy, ProxyPlugin, generate_temp_filename

logger = logging.getLogger(__name__)

NAMESPACE = "html_preview"


def render_html_preview(file_id: str, path: str, width: int, height: int) -> list[str]:
    """Render an HTML file and store its ``preview`` proxy; runs in a worker.

    Returns
    -------
    list of str
        Warnings: resources of the page that could not be loaded.
    """
    settings = current_settings()
    page = Path(path)
    readable = SourceFiles.current_session().readable_folder(page, settings.RENDER_ALLOW_UP)
    raw = generate_temp_filename(".png")
    scaled = generate_temp_filename(".png")
    try:
        report = HtmlRenderer.current_session().render(page, raw, settings.RENDER_TIMEOUT, readable)
        ImageScaler().fit(raw, scaled, ProxySize(width, height), palette=True)
        Proxy(file_id, NAMESPACE).ingest(scaled, "preview", "preview.png", "image/png")
    finally:
        raw.unlink(missing_ok=True)
        scaled.unlink(missing_ok=True)
    return list(report.warnings)


class HTMLPreview(ProxyPlugin):
    """Renders HTML pages with wkhtmltoimage into a ``preview`` PNG."""

    EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
    MIMETYPES = frozenset({"text/html", "application/xhtml+xml"})

    def namespace(self) -> str:
        return NAMESPACE

    def is_async(self) -> bool:
        return True

    def handles(self, ext: str | None = None, mimetype: str | None = None) -> bool:
        return (ext or "").lower() in self.EXTENSIONS or (mimetype or "").lower() in self.MIMETYPES

    def schema(self) -> list[dict[str, Any]]:
        return [
            {
                "name": "preview",
                "prompt": "Preview of the top of the page",
                "value": {"datatype": "Proxy", "mimetype": "image/png"},
            }
        ]

    def process(self, id_: str, file_: str, fileinfo: Any = None) -> PluginStatus:
        size = fileinfo.proxy_size if isinstance(fileinfo, SourceFile) else current_settings().default_proxy_size
        try:
            self._submit(render_html_preview, args=[id_, file_, size.width, size.height])
        except Exception as e:  # the contract: report FATAL, never propagate
            logger.error("cannot submit the preview of %s: %s", file_, e)
            return PluginStatus.FATAL
        return PluginStatus.INPROGRESS
