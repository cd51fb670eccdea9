"""Errors of the audio reader.

AudioError
├── AudioToolMissing   ffmpeg or ffprobe is not installed
├── AudioInvalid       no sound could be read: not an audio file of a kind taken, or damaged
└── AudioTimedOut      reading took longer than its limit
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["AudioError", "AudioToolMissing", "AudioInvalid", "AudioTimedOut"]


class AudioError(ProxyServiceError):
    """Base of the audio reader's errors."""


class AudioToolMissing(AudioError, ResourceUnavailable):
    """ffmpeg or ffprobe cannot be run; install Debian's ffmpeg package."""


class AudioInvalid(AudioError, InputInvalid):
    """The file holds no sound ffmpeg can read, in a container taken."""


class AudioTimedOut(AudioError, LimitExceeded):
    """Reading the sound took longer than RENDER_TIMEOUT allows; it was stopped."""
