"""Errors of the video frame grabber.

VideoError
├── VideoToolMissing   ffmpeg or ffprobe is not installed
├── VideoInvalid       no frame could be read: not a video of a kind taken, damaged, or lying about its codec
└── VideoTimedOut      reading took longer than its limit
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["VideoError", "VideoToolMissing", "VideoInvalid", "VideoTimedOut"]


class VideoError(ProxyServiceError):
    """Base of the video frame grabber's errors."""


class VideoToolMissing(VideoError, ResourceUnavailable):
    """ffmpeg or ffprobe cannot be run; install Debian's ffmpeg package."""


class VideoInvalid(VideoError, InputInvalid):
    """No frame of the file could be decoded."""


class VideoTimedOut(VideoError, LimitExceeded):
    """Reading the video took longer than RENDER_TIMEOUT allows; it was stopped."""
