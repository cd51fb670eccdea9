"""The built-in video thumbnail plugin: a typical frame a little way in, picked by ffmpeg, and when asked for
pages, a storyboard of frames evenly spaced; the video's duration, size and codec, read by ffprobe."""

from pathlib import Path

from ..domain import numbered_typeidentifier
from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "video_thumbnail"


def make_video_thumbnail(file_id: str, path: str, width: int, height: int, pages: int | None = None, *,
                         context: JobContext) -> list[str]:
    """Pick a representative frame of a video into a ``thumbnail`` proxy, and with ``pages`` that many frames
    evenly spaced into ``frame-1``…; runs in a worker."""
    with context.snapshot(path, file_id) as video, context.temporary_file(".png") as frame:
        frames, timeout = context.video_frames(), context.settings.RENDER_TIMEOUT
        frames.representative_frame(video, frame, width, height, timeout)
        ingest_scaled(context, frame, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), photo=True)
        Metadata(file_id, VideoThumbnail, context).ingest(frames.facts(video, timeout))
        if pages is not None:
            _ingest_storyboard(context, video, file_id, ProxySize(width, height), pages)
    return []


def _ingest_storyboard(context: JobContext, video: Path, file_id: str, box: ProxySize, count: int) -> None:
    """Store ``count`` frames spaced evenly through the video as ``frame-1``…: a storyboard."""
    with context.temporary_folder(".frames") as folder:
        frames = context.video_frames().evenly_spaced_frames(video, folder, count, box.width, box.height,
                                                             context.settings.RENDER_TIMEOUT)
        for number, frame in enumerate(frames, start=1):
            ingest_scaled(context, frame, file_id, NAMESPACE, numbered_typeidentifier("frame", number), box,
                          photo=True)


class VideoThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an MP4, QuickTime, Matroska or WebM video: one typical frame."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".mp4", ".m4v", ".webm", ".mov", ".mkv"})
    MIMETYPES = frozenset({"video/mp4", "video/webm", "video/quicktime", "video/x-matroska", "video/x-m4v"})
    SCHEMA = [{"name": "thumbnail", "prompt": "A typical frame",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {"name": "frame-1", "prompt": "With pages: as many frames evenly spaced, as frame-1, frame-2…",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {"name": "duration", "prompt": "Duration in seconds", "value": {"datatype": "Float"},
               "searchable": True},
              {"name": "width", "prompt": "Width in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "height", "prompt": "Height in pixels", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "codec", "prompt": "Video codec", "value": {"datatype": "String"}, "searchable": True}]
    MAKES_PAGES = True
    job = staticmethod(make_video_thumbnail)  # type: ignore[assignment]  # pages after height: context keyword-only
