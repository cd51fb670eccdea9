"""Scaling images to proxy size with Pillow."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.domain import Area, ImageFormat, ProxySize
from proxyservice.services.imaging import ImageInvalid, ImageScaler, ImageTooLarge, ScaledImage

BOX = ProxySize(400, 300)


def fit(tmp_path: Path, image: Image.Image, name: str = "in.png", **options: bool) -> tuple[ScaledImage, Image.Image]:
    image.save(tmp_path / name)
    scaled = ImageScaler().fit(tmp_path / name, tmp_path / "out", BOX, **options)
    out = Image.open(tmp_path / "out")
    out.load()
    return scaled, out


class TestFit:
    """An image is scaled to fit the box, keeping its shape."""

    def test_a_page_render_is_scaled_down(self, tmp_path: Path) -> None:
        scaled, out = fit(tmp_path, Image.new("RGB", (1024, 768), "navy"))
        assert scaled == ScaledImage(400, 300, "image/png") and out.size == (400, 300) and out.format == "PNG"

    def test_the_aspect_ratio_is_kept(self, tmp_path: Path) -> None:
        assert fit(tmp_path, Image.new("RGB", (1000, 200), "navy"))[0].width == 400
        assert fit(tmp_path, Image.new("RGB", (1000, 200), "navy"))[1].size == (400, 80)

    def test_a_small_image_is_not_enlarged(self, tmp_path: Path) -> None:
        assert fit(tmp_path, Image.new("P", (50, 40)), "in.gif")[1].size == (50, 40)

    def test_an_opaque_alpha_channel_is_dropped(self, tmp_path: Path) -> None:
        assert fit(tmp_path, Image.new("RGBA", (800, 600), (10, 20, 30, 255)))[1].mode == "RGB"

    def test_real_transparency_is_kept_even_for_photos(self, tmp_path: Path) -> None:
        scaled, out = fit(tmp_path, Image.new("RGBA", (800, 600), (10, 20, 30, 100)), photo=True)
        assert out.mode == "RGBA" and scaled.mimetype == "image/png"

    def test_a_transparent_gif_keeps_its_transparency(self, tmp_path: Path) -> None:
        gif = Image.new("P", (800, 600), 0)
        gif.putpalette([255, 0, 0] * 256)
        gif.info["transparency"] = 0
        _, out = fit(tmp_path, gif, "in.gif", photo=True)
        assert out.mode == "RGBA" and out.getpixel((5, 5))[3] == 0

    def test_an_opaque_photo_becomes_a_jpeg(self, tmp_path: Path) -> None:
        scaled, out = fit(tmp_path, Image.new("RGB", (1600, 1200), "olive"), "in.jpg", photo=True)
        assert scaled.mimetype == "image/jpeg" and scaled.extension == ".jpg" and out.format == "JPEG"

    def test_exif_orientation_is_applied(self, tmp_path: Path) -> None:
        photo = Image.new("RGB", (800, 400), "white")
        photo.paste((255, 0, 0), (0, 0, 100, 400))  # a red band on the left
        exif = Image.Exif()
        exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to view
        photo.save(tmp_path / "in.jpg", exif=exif)
        scaled = ImageScaler().fit(tmp_path / "in.jpg", tmp_path / "out", BOX, photo=True)
        assert (scaled.width, scaled.height) == (150, 300)  # portrait once turned
        with Image.open(tmp_path / "out") as out:
            top = out.convert("RGB").getpixel((75, 5))
            assert top[0] > 200 and top[1] < 80, "the left band is now at the top"

    def test_an_animation_gives_its_first_frame(self, tmp_path: Path) -> None:
        frames = [Image.new("RGB", (200, 200), colour) for colour in ("red", "blue")]
        frames[0].save(tmp_path / "in.gif", save_all=True, append_images=frames[1:])
        ImageScaler().fit(tmp_path / "in.gif", tmp_path / "out", BOX, photo=True)
        with Image.open(tmp_path / "out") as out:
            r, g, b = out.convert("RGB").getpixel((100, 100))
            assert r > 200 and b < 60

    def test_a_palette_keeps_the_colours_of_a_page(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (1024, 768), "white")
        page.paste((0x1F, 0x4E, 0x8C), (0, 0, 1024, 100))
        _, out = fit(tmp_path, page, palette=True)
        assert out.mode == "P"
        rgb = out.convert("RGB")
        # Octree may move a colour by a unit or two: not visible.
        assert all(abs(a - b) <= 3 for a, b in zip(rgb.getpixel((10, 10)), (0x1F, 0x4E, 0x8C)))
        assert all(abs(a - b) <= 3 for a, b in zip(rgb.getpixel((10, 200)), (255, 255, 255)))


class TestPageParts:
    """The used part of a drawn page is found, and a part alone is scaled."""

    def test_ink_on_white_paper(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (850, 1100), "white")
        page.paste((200, 200, 200), (100, 120, 700, 900))  # pale grey is used too: a table's shading
        page.save(tmp_path / "page.png")
        assert ImageScaler().used_area(tmp_path / "page.png") == (Area(0, 0, 850, 1100), Area(100, 120, 600, 780))

    def test_text_on_tinted_paper(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (600, 800), "#fff3d6")
        page.paste((0, 0, 0), (40, 30, 560, 60))
        page.save(tmp_path / "page.png")
        assert ImageScaler().used_area(tmp_path / "page.png")[1] == Area(40, 30, 520, 30)

    def test_a_blank_page_has_no_used_area(self, tmp_path: Path) -> None:
        Image.new("L", (600, 800), 252).save(tmp_path / "page.png")
        assert ImageScaler().used_area(tmp_path / "page.png") == (Area(0, 0, 600, 800), None)

    def test_a_part_fills_the_box(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (1600, 2000), "white")
        page.paste((200, 30, 30), (0, 0, 800, 600))
        page.save(tmp_path / "page.png")
        scaled = ImageScaler().fit(tmp_path / "page.png", tmp_path / "out", BOX, area=Area(0, 0, 800, 600))
        assert (scaled.width, scaled.height) == (400, 300)
        assert Image.open(tmp_path / "out").convert("RGB").getpixel((399, 299)) == (200, 30, 30)


class TestRefused:
    """Files that are not images, and images too large to decode."""

    def test_a_file_that_is_not_an_image(self, tmp_path: Path) -> None:
        (tmp_path / "in.png").write_text("not an image")
        with pytest.raises(ImageInvalid):
            ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", BOX)

    def test_a_truncated_image(self, tmp_path: Path) -> None:
        Image.new("RGB", (800, 600), "red").save(tmp_path / "full.png")
        (tmp_path / "in.png").write_bytes((tmp_path / "full.png").read_bytes()[:200])
        with pytest.raises(ImageInvalid):
            ImageScaler().fit(tmp_path / "in.png", tmp_path / "out.png", BOX)

    def test_a_decompression_bomb_is_refused_before_decoding(self, tmp_path: Path) -> None:
        # 20000 x 20000 pixels of one colour: a PNG of a few hundred KB that decodes to 1.2 GB.
        Image.new("1", (20000, 20000)).save(tmp_path / "bomb.png")
        assert (tmp_path / "bomb.png").stat().st_size < 2_000_000
        with pytest.raises(ImageTooLarge, match="bomb.png"):
            ImageScaler(max_pixels=50_000_000).fit(tmp_path / "bomb.png", tmp_path / "out.png", BOX)

    def test_an_image_over_the_configured_limit_is_refused(self, tmp_path: Path) -> None:
        Image.new("1", (3000, 2000)).save(tmp_path / "big.png")
        with pytest.raises(ImageTooLarge, match="3000x2000 pixels; the limit is 5000000"):
            ImageScaler(max_pixels=5_000_000).fit(tmp_path / "big.png", tmp_path / "out.png", BOX)


class TestModernFormats:
    """A proxy written again as WebP or AVIF, for a client that asks."""

    def test_this_pillow_writes_both(self) -> None:
        assert ImageScaler.modern_formats() == (ImageFormat.WEBP, ImageFormat.AVIF)

    def test_a_page_in_webp_keeps_every_pixel_in_fewer_bytes(self, tmp_path: Path) -> None:
        page = Image.new("RGB", (400, 300), "white")
        for row in range(10, 290, 14):
            page.paste((20, 20, 20), (10, row, 380, row + 6))  # lines of "text"
        page.paste((200, 30, 30), (300, 10, 390, 60))
        original = tmp_path / "preview.png"
        page.quantize(256).save(original, format="PNG", optimize=True)
        made = ImageScaler().encode(original, tmp_path / "preview.webp", ImageFormat.WEBP)
        assert made == ScaledImage(400, 300, "image/webp") and made.extension == ".webp"
        with Image.open(tmp_path / "preview.webp") as webp, Image.open(original) as png:
            assert webp.format == "WEBP" and webp.convert("RGB").tobytes() == png.convert("RGB").tobytes()
        assert (tmp_path / "preview.webp").stat().st_size < original.stat().st_size

    def test_a_photo_in_avif_looks_like_it_in_fewer_bytes(self, tmp_path: Path) -> None:
        photo = Image.radial_gradient("L").resize((400, 300)).convert("RGB")
        photo.paste((30, 120, 200), (0, 0, 200, 150))
        original = tmp_path / "thumbnail.jpg"
        photo.save(original, format="JPEG", quality=85)
        made = ImageScaler().encode(original, tmp_path / "thumbnail.avif", ImageFormat.AVIF)
        assert made == ScaledImage(400, 300, "image/avif")
        with Image.open(tmp_path / "thumbnail.avif") as avif:
            assert avif.format == "AVIF" and avif.size == (400, 300)
            r, g, b = avif.convert("RGB").getpixel((50, 50))
            assert abs(r - 30) < 12 and abs(g - 120) < 12 and abs(b - 200) < 12
        assert (tmp_path / "thumbnail.avif").stat().st_size < original.stat().st_size

    def test_transparency_is_kept(self, tmp_path: Path) -> None:
        drawing = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
        drawing.paste((0, 128, 0, 255), (10, 10, 50, 30))
        drawing.save(tmp_path / "drawing.png")
        ImageScaler().encode(tmp_path / "drawing.png", tmp_path / "drawing.webp", ImageFormat.WEBP)
        with Image.open(tmp_path / "drawing.webp") as webp:
            assert webp.mode == "RGBA" and webp.getpixel((0, 0))[3] == 0 and webp.getpixel((30, 20)) == (0, 128, 0, 255)

    def test_what_is_no_picture_is_refused_in_words(self, tmp_path: Path) -> None:
        (tmp_path / "preview.png").write_text("not a picture")
        with pytest.raises(ImageInvalid, match="preview.png cannot be written as WEBP"):
            ImageScaler().encode(tmp_path / "preview.png", tmp_path / "preview.webp", ImageFormat.WEBP)
