"""The built-in audio plugin: a picture of a sound's waveform, drawn by ffmpeg; its duration, codec, channels,
rates and title, artist and album tags, read by ffprobe."""

from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "audio_waveform"
API_VERSION = "1.2"  # the context's audio_reader()


def make_audio_waveform(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw the waveform of a sound into a ``thumbnail`` proxy and store what ffprobe reads of it; runs in a
    worker."""
    with context.snapshot(path, file_id) as sound, context.temporary_file(".png") as picture:
        reader, timeout = context.audio_reader(), context.settings.RENDER_TIMEOUT
        facts = reader.facts(sound, timeout)  # first: a file with no sound fails on the shorter run
        reader.waveform(sound, picture, timeout)
        ingest_scaled(context, picture, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), palette=True)
        Metadata(file_id, AudioWaveform, context).ingest(facts)
    return []


class AudioWaveform(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an MP3, Ogg (Vorbis, Opus), FLAC, WAV or M4A/AAC sound: its waveform."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".mp3", ".ogg", ".oga", ".opus", ".flac", ".wav", ".m4a", ".aac"})
    MIMETYPES = frozenset({"audio/mpeg", "audio/mp3", "audio/ogg", "audio/opus", "audio/vorbis", "audio/flac",
                           "audio/x-flac", "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/mp4",
                           "audio/x-m4a", "audio/aac", "audio/x-aac", "audio/x-hx-aac-adts"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The waveform", "value": {"datatype": "Proxy", "mimetype": "image/png"}},
              {"name": "duration", "prompt": "Duration in seconds", "value": {"datatype": "Float"},
               "searchable": True},
              {"name": "codec", "prompt": "Audio codec", "value": {"datatype": "String"}, "searchable": True},
              {"name": "channels", "prompt": "Channels", "value": {"datatype": "Integer"}},
              {"name": "sample_rate", "prompt": "Samples a second", "value": {"datatype": "Integer"}},
              {"name": "bit_rate", "prompt": "Bits a second", "value": {"datatype": "Integer"}},
              {"name": "title", "prompt": "Title (tag)", "value": {"datatype": "String"}, "searchable": True},
              {"name": "artist", "prompt": "Artist (tag)", "value": {"datatype": "String"}, "searchable": True},
              {"name": "album", "prompt": "Album (tag)", "value": {"datatype": "String"}, "searchable": True}]
    job = staticmethod(make_audio_waveform)
