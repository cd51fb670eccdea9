"""What an image's header says: its size in pixels, format, and the EXIF fields a browser of photos shows.

Read from the header and the EXIF block alone: no pixel is decoded.
"""

import re
from typing import Any

from PIL import Image

EXIF_IFD = 0x8769
"""Where a camera's own fields are (the date taken among them)."""
DATE_TAKEN = 0x9003
"""DateTimeOriginal."""
DATE_CHANGED = 0x0132
"""DateTime: written by the camera too, and by editors."""
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112
EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
TEXT_AT_MOST = 200


def image_facts(opened: Image.Image) -> dict[str, Any]:
    """Width and height (as stored, before EXIF orientation), format, and from EXIF: date taken, camera,
    orientation (1 to 8); a field the image lacks is ``None``."""
    exif = opened.getexif()
    camera_fields = exif.get_ifd(EXIF_IFD)
    make, model = _text(exif.get(MAKE)), _text(exif.get(MODEL))
    # A model often repeats its make ("Canon" / "Canon EOS 5D"): said once.
    camera = model if make and model and model.lower().startswith(make.lower()) else " ".join(
        part for part in (make, model) if part) or None
    orientation = exif.get(ORIENTATION)
    return {
        "width": opened.width,
        "height": opened.height,
        "format": opened.format,
        "taken": _date(camera_fields.get(DATE_TAKEN) or exif.get(DATE_CHANGED)),
        "camera": camera,
        "orientation": orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None,
    }


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    cleaned = value.replace("\x00", "").strip()
    return cleaned[:TEXT_AT_MOST] or None


def _date(value: Any) -> str | None:
    """EXIF's ``2026:12:08 10:30:00`` as ISO 8601 (no zone: EXIF keeps local time without one)."""
    matched = EXIF_DATE.match(_text(value) or "")
    if matched is None:
        return None
    year, month, day, hour, minute, second = matched.groups()
    return f"{year}-{month}-{day}T{hour}:{minute}:{second}"
