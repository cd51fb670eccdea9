"""A picture of a sound's waveform, and what ffprobe reads of it, with ffmpeg."""

from .errors import AudioError, AudioInvalid, AudioTimedOut, AudioToolMissing
from .reader import AudioReader

__all__ = ["AudioReader", "AudioError", "AudioInvalid", "AudioTimedOut", "AudioToolMissing"]
