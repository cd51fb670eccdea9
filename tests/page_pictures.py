"""Which page of a PDF a proxy shows: its picture against pdftoppm's drawing of each page, by SSIM."""

import io
import subprocess
import tempfile
from pathlib import Path

import numpy
from PIL import Image
from skimage.metrics import structural_similarity

SAME_PAGE = 0.9
"""SSIM of a page proxy against pdftoppm's drawing of its own page, at least: only scaling differs."""


def drawn_pages(pdf: Path, longest_side: int) -> list[Image.Image]:
    """Each page of ``pdf`` as pdftoppm draws it (run here, outside the service), grey."""
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-scale-to", str(longest_side), str(pdf), f"{folder}/page"],
                       check=True, timeout=60)
        drawn = sorted(Path(folder).glob("page-*.pgm"), key=lambda path: int(path.stem.rpartition("-")[2]))
        return [Image.open(path).copy() for path in drawn]


def similarities(proxy: bytes | Image.Image, pages: list[Image.Image]) -> list[float]:
    """SSIM of a proxy's picture against each page drawn, scaled to the proxy's size."""
    picture = (proxy if isinstance(proxy, Image.Image) else Image.open(io.BytesIO(proxy))).convert("L")
    shown = numpy.asarray(picture, dtype=numpy.float64)
    scores = []
    for page in pages:
        drawn = numpy.asarray(page.convert("L").resize(picture.size, Image.Resampling.LANCZOS), dtype=numpy.float64)
        scores.append(float(structural_similarity(shown, drawn, data_range=255.0)))
    return scores


def page_shown(proxy: bytes | Image.Image, pages: list[Image.Image]) -> tuple[int, float]:
    """The number (from 1) of the page a proxy looks most like, and the SSIM with it."""
    scores = similarities(proxy, pages)
    best = max(range(len(scores)), key=scores.__getitem__)
    return best + 1, scores[best]
