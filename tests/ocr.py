"""What OCR (Debian's tesseract) reads in a proxy: the check that a person could read its text."""

import io
import os
import re
import subprocess
from collections import Counter

from PIL import Image

READ_WIDTH = 1200
"""tesseract reads text some 20 to 40 pixels tall; a 400 pixel proxy's body text is about 10, which a person reads
on a screen. A narrower picture is enlarged to about this width before it is read (which adds no detail: what is
blurred stays blurred)."""


def words(text: str) -> Counter[str]:
    """The words of ``text`` of two characters or more, lower case, counted."""
    return Counter(word for word in re.findall(r"[a-z0-9]+", text.lower()) if len(word) > 1)


def read_text(picture: bytes) -> str:
    """The text tesseract reads in a picture (PNG or JPEG bytes)."""
    image = Image.open(io.BytesIO(picture)).convert("L")
    factor = max(1, round(READ_WIDTH / image.width))
    enlarged = image.resize((image.width * factor, image.height * factor), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    enlarged.save(buffer, format="PNG")
    # One thread: tesseract's OpenMP threads spin against each other on a busy machine (5 times slower).
    finished = subprocess.run(["tesseract", "-", "-", "--psm", "3"], input=buffer.getvalue(), capture_output=True,
                              timeout=60, check=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    return finished.stdout.decode()


def word_recall(picture: bytes, expected: str) -> float:
    """The share of ``expected``'s words that OCR reads in ``picture`` (each as many times as it is expected)."""
    wanted, seen = words(expected), words(read_text(picture))
    return sum(min(count, seen[word]) for word, count in wanted.items()) / sum(wanted.values())
