"""Which part of a page its default proxy shows (``reading_area``)."""

from proxyservice.domain import Area, ProxySize, reading_area

BOX = ProxySize(400, 300)
LETTER = Area(0, 0, 850, 1100)


class TestReadingArea:
    """The top of a page's used area, as wide as it is, in the box's shape."""

    def test_a_column_of_text_fills_the_width_and_is_cut_below(self) -> None:
        area = reading_area(LETTER, Area(100, 90, 650, 900), BOX)
        assert (area.left, area.top, area.width) == (83, 73, 684)  # a margin of 2% of the page kept around
        assert area.height == round(684 * 3 / 4)

    def test_a_small_table_in_a_corner_is_enlarged_up_to_two_fifths_of_the_page(self) -> None:
        area = reading_area(LETTER, Area(100, 100, 150, 200), BOX)
        assert (area.left, area.top, area.width) == (83, 83, 340)

    def test_a_narrow_area_at_the_right_edge_stays_on_the_page(self) -> None:
        area = reading_area(LETTER, Area(800, 100, 20, 20), BOX)
        assert area.right == LETTER.width and area.width == 340

    def test_a_used_area_wider_than_the_box_shape_is_shown_whole(self) -> None:
        slide = Area(0, 0, 1100, 850)
        area = reading_area(slide, Area(50, 50, 1000, 300), BOX)
        assert (area.top, area.width, area.height) == (28, 1044, 344)

    def test_a_page_drawn_once_fills_the_box_without_being_enlarged(self) -> None:
        book = Area(0, 0, 600, 800)
        assert reading_area(book, Area(10, 10, 250, 50), BOX, min_width=400).width == 400
        assert reading_area(book, Area(10, 10, 250, 50), ProxySize(1024, 768), min_width=1024).width == 600

    def test_a_blank_page_shows_its_top(self) -> None:
        assert reading_area(LETTER, None, BOX) == Area(0, 0, 850, round(850 * 3 / 4))

    def test_the_area_follows_the_box_shape(self) -> None:
        area = reading_area(LETTER, Area(100, 90, 650, 900), ProxySize(200, 200))
        assert area.width == area.height == 684

    def test_scaled_to_a_larger_drawing(self) -> None:
        assert Area(10, 20, 30, 40).scaled(2.5) == Area(25, 50, 75, 100)
