"""The built-in video thumbnail plugin: a typical frame a little way in, picked by ffmpeg."""

from .api import JobContext, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "video_thumbnail"


def make_video_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Pick a representative frame of a video into a ``thumbnail`` proxy; runs in a worker."""
    with context.snapshot(path, file_id) as video, context.temporary_file(".png") as frame:
        context.video_frames().representative_frame(video, frame, width, height, context.settings.RENDER_TIMEOUT)
        ingest_scaled(context, frame, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), photo=True)
    return []


class VideoThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an MP4, QuickTime, Matroska or WebM video: one typical frame."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".mkv"})
    MIMETYPES = frozenset({"video/mp4", "video/webm", "video/quicktime", "video/x-matroska", "video/x-m4v"})
    SCHEMA = [{"name": "thumbnail", "prompt": "A typical frame",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}}]
    job = staticmethod(make_video_thumbnail)
