"""The built-in SVG thumbnail plugin: the drawing, drawn by librsvg's rsvg-convert."""

from .api import JobContext, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "svg_thumbnail"
DRAW_SCALE = 2
"""The drawing is drawn at twice the proxy size, then scaled down: smoother edges."""


def make_svg_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw an SVG file into a ``thumbnail`` proxy; runs in a worker."""
    with context.snapshot(path, file_id) as svg, context.temporary_file(".png") as drawn:
        context.svg_rasterizer().draw(svg, drawn, DRAW_SCALE * width, DRAW_SCALE * height,
                                      context.settings.RENDER_TIMEOUT)
        ingest_scaled(context, drawn, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), palette=True)
    return []


class SVGThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an SVG drawing; what it refers to outside itself is never loaded."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".svg", ".svgz"})
    MIMETYPES = frozenset({"image/svg+xml"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The drawing", "value": {"datatype": "Proxy", "mimetype": "image/png"}}]
    job = staticmethod(make_svg_thumbnail)
