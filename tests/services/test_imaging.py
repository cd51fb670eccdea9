"""Scaling images to proxy size with Pillow."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.domain import ProxySize
from proxyservice.services.imaging import ImageInvalid, ImageScaler


class TestFit:
    """An image is scaled to fit the box, keeping its shape."""

    def test_a_page_render_is_scaled_down(self, tmp_path: Path) -> None:
        Image.new("RGB", (1024, 768), "navy").save(tmp_path / "in.png")
        size = ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300))
        assert size == ProxySize(400, 300)
        with Image.open(tmp_path / "out.png") as out:
            assert out.size == (400, 300) and out.format == "PNG"

    def test_the_aspect_ratio_is_kept(self, tmp_path: Path) -> None:
        Image.new("RGB", (1000, 200), "navy").save(tmp_path / "in.png")
        assert ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300)) == ProxySize(400, 80)

    def test_a_small_image_is_not_enlarged(self, tmp_path: Path) -> None:
        Image.new("P", (50, 40)).save(tmp_path / "in.gif")
        assert ImageScaler().fit(tmp_path / "in.gif", tmp_path / "out.png", ProxySize(400, 300)) == ProxySize(50, 40)

    def test_an_opaque_alpha_channel_is_dropped(self, tmp_path: Path) -> None:
        Image.new("RGBA", (800, 600), (10, 20, 30, 255)).save(tmp_path / "in.png")
        ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300))
        with Image.open(tmp_path / "out.png") as out:
            assert out.mode == "RGB"

    def test_real_transparency_is_kept(self, tmp_path: Path) -> None:
        Image.new("RGBA", (800, 600), (10, 20, 30, 100)).save(tmp_path / "in.png")
        ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300))
        with Image.open(tmp_path / "out.png") as out:
            assert out.mode == "RGBA"

    def test_a_palette_keeps_the_colours_of_a_page(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (1024, 768), "white")
        page.paste((0x1F, 0x4E, 0x8C), (0, 0, 1024, 100))
        page.save(tmp_path / "in.png")
        ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300), palette=True)
        with Image.open(tmp_path / "out.png") as out:
            assert out.mode == "P"
            rgb = out.convert("RGB")
            # Octree may move a colour by a unit or two: not visible.
            assert all(abs(a - b) <= 3 for a, b in zip(rgb.getpixel((10, 10)), (0x1F, 0x4E, 0x8C)))
            assert all(abs(a - b) <= 3 for a, b in zip(rgb.getpixel((10, 200)), (255, 255, 255)))

    def test_a_file_that_is_not_an_image(self, tmp_path: Path) -> None:
        (tmp_path / "in.png").write_text("not an image")
        with pytest.raises(ImageInvalid):
            ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", ProxySize(400, 300))
