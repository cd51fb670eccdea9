"""The built-in video thumbnail plugin: a typical frame a little way in, picked by ffmpeg; the video's duration,
size and codec, read by ffprobe."""

from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "video_thumbnail"


def make_video_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Pick a representative frame of a video into a ``thumbnail`` proxy; runs in a worker."""
    with context.snapshot(path, file_id) as video, context.temporary_file(".png") as frame:
        frames, timeout = context.video_frames(), context.settings.RENDER_TIMEOUT
        frames.representative_frame(video, frame, width, height, timeout)
        ingest_scaled(context, frame, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), photo=True)
        Metadata(file_id, VideoThumbnail, context).ingest(frames.facts(video, timeout))
    return []


class VideoThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an MP4, QuickTime, Matroska or WebM video: one typical frame."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".mkv"})
    MIMETYPES = frozenset({"video/mp4", "video/webm", "video/quicktime", "video/x-matroska", "video/x-m4v"})
    SCHEMA = [{"name": "thumbnail", "prompt": "A typical frame",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {"name": "duration", "prompt": "Duration in seconds", "value": {"datatype": "Float"},
               "searchable": True},
              {"name": "width", "prompt": "Width in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "height", "prompt": "Height in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "codec", "prompt": "Video codec", "value": {"datatype": "String"}, "searchable": True}]
    job = staticmethod(make_video_thumbnail)
