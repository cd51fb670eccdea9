"""A representative frame of a video, with ffmpeg."""

from .errors import VideoError, VideoInvalid, VideoTimedOut, VideoToolMissing
from .frames import VideoFrames

__all__ = ["VideoFrames", "VideoError", "VideoInvalid", "VideoTimedOut", "VideoToolMissing"]
