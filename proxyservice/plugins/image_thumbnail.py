"""The built-in image thumbnail plugin: raster images scaled with Pillow."""

from pathlib import Path

from ..domain import ProxySize
from ..services.context import current_settings
from ..services.imaging import ImageScaler
from .api import Proxy, generate_temp_filename
from .base import WorkerProxyPlugin

NAMESPACE = "image_thumbnail"


def make_image_thumbnail(file_id: str, path: str, width: int, height: int) -> list[str]:
    """Scale an image into a ``thumbnail`` proxy; runs in a worker.

    EXIF orientation is applied, transparency kept (PNG), an opaque picture
    becomes a JPEG, an animation gives its first frame, and an image of more
    than MAX_IMAGE_PIXELS pixels is refused before it is decoded.
    """
    out = generate_temp_filename()
    try:
        scaled = ImageScaler(current_settings().MAX_IMAGE_PIXELS).fit(Path(path), out, ProxySize(width, height), photo=True)
        Proxy(file_id, NAMESPACE).ingest(out, "thumbnail", f"thumbnail{scaled.extension}", scaled.mimetype)
    finally:
        out.unlink(missing_ok=True)
    return []


class ImageThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of PNG, JPEG, GIF, WebP, TIFF and BMP images."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"})
    MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff",
                           "image/bmp", "image/x-ms-bmp"})
    SCHEMA = [{"name": "thumbnail", "prompt": "Thumbnail of the image", "value": {"datatype": "Proxy"}}]
    job = staticmethod(make_image_thumbnail)
