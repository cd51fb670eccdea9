"""The built-in image thumbnail plugin: raster images scaled with Pillow, and their size and EXIF fields."""


from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "image_thumbnail"


def make_image_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Scale an image into a ``thumbnail`` proxy; runs in a worker.

    EXIF orientation is applied, transparency kept (PNG), an opaque picture
    becomes a JPEG, an animation gives its first frame, and an image of more
    than MAX_IMAGE_PIXELS pixels is refused before it is decoded.
    """
    with context.snapshot(path, file_id) as image:
        ingest_scaled(context, image, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), photo=True)
        Metadata(file_id, ImageThumbnail, context).ingest(context.image_scaler().facts(image))
    return []


class ImageThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of PNG, JPEG, GIF, WebP, TIFF and BMP images."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".bmp"})
    MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff",
                           "image/bmp", "image/x-ms-bmp"})
    SCHEMA = [{"name": "thumbnail", "prompt": "Thumbnail of the image", "value": {"datatype": "Proxy"}},
              {"name": "width", "prompt": "Width in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "height", "prompt": "Height in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "format", "prompt": "Image format", "value": {"datatype": "String"}, "searchable": True},
              {"name": "taken", "prompt": "Date taken (EXIF)", "value": {"datatype": "Date"}, "searchable": True},
              {"name": "camera", "prompt": "Camera (EXIF)", "value": {"datatype": "String"}, "searchable": True},
              {"name": "orientation", "prompt": "EXIF orientation (1 to 8)", "value": {"datatype": "Integer"}}]
    job = staticmethod(make_image_thumbnail)
