"""A query of GET /files read into filters: fields checked against the searchable ones, values cast by datatype."""

import pytest

from proxyservice.domain.file_query import FieldFilter, Match, moment_seconds
from proxyservice.process.file_query import (FileQueryInvalid, decode_cursor, encode_cursor, file_query,
                                             searchable_fields)

PDF_SCHEMA = [
    {"name": "thumbnail", "value": {"datatype": "Proxy"}},
    {"name": "pages", "prompt": "Pages", "value": {"datatype": "Integer"}, "searchable": True},
    {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
    {"name": "created", "prompt": "Created", "value": {"datatype": "Date"}, "searchable": True},
    {"name": "encrypted", "prompt": "Encrypted", "value": {"datatype": "Boolean"}, "searchable": True},
    {"name": "ratio", "prompt": "Ratio", "value": {"datatype": "Float"}, "searchable": True},
    {"name": "keywords", "value": {"datatype": "List", "items": "String"}, "searchable": True},
    {"name": "producer", "prompt": "Producer", "value": {"datatype": "String"}},
]
SEARCHABLE = searchable_fields([("pdf_thumbnail", PDF_SCHEMA)])


class TestFields:
    """Only fields an enabled plugin (or the service, for 'file') declares searchable."""

    def test_searchable_fields_are_the_files_and_the_plugins(self) -> None:
        assert {"file.name", "file.mimetype", "file.size", "pdf_thumbnail.pages"} <= set(SEARCHABLE)
        assert "pdf_thumbnail.producer" not in SEARCHABLE and "pdf_thumbnail.thumbnail" not in SEARCHABLE

    @pytest.mark.parametrize("word", ["pdf_thumbnail.producer", "nobody.pages", "pdf_thumbnail.producer.min"])
    def test_another_field_is_refused_by_its_name(self, word: str) -> None:
        with pytest.raises(FileQueryInvalid, match=word.removesuffix(".min") + ": no enabled plugin"):
            file_query({word: "1"}, SEARCHABLE)

    def test_a_range_only_on_numbers_and_dates(self) -> None:
        with pytest.raises(FileQueryInvalid, match="pdf_thumbnail.title: only an Integer, Float or Date"):
            file_query({"pdf_thumbnail.title.min": "a"}, SEARCHABLE)


class TestValues:
    """Each value as its field's datatype reads it; one that does not fit is refused, naming the field."""

    def test_equal_and_ranges(self) -> None:
        query = file_query({"pdf_thumbnail.pages.min": "10", "pdf_thumbnail.pages.max": "20",
                            "pdf_thumbnail.title": "Report", "pdf_thumbnail.encrypted": "false",
                            "pdf_thumbnail.ratio": "1.5", "mimetype": "image/", "name": "rep", "limit": "7"},
                           SEARCHABLE)
        assert set(query.filters) == {
            FieldFilter("file", "mimetype", Match.PREFIX, text="image/"),
            FieldFilter("pdf_thumbnail", "title", Match.EQUAL, text="Report"),
            FieldFilter("pdf_thumbnail", "encrypted", Match.EQUAL, low=0.0, high=0.0),
            FieldFilter("pdf_thumbnail", "ratio", Match.EQUAL, low=1.5, high=1.5),
            FieldFilter("pdf_thumbnail", "pages", Match.RANGE, low=10.0, high=20.0)}
        assert query.name == "rep" and query.limit == 7
        assert query.driver == FieldFilter("file", "mimetype", Match.PREFIX, text="image/")

    def test_a_day_is_all_of_it_and_a_moment_is_itself(self) -> None:
        start = moment_seconds("2025-02-08")
        assert start is not None
        (day,) = file_query({"pdf_thumbnail.created": "2025-02-08"}, SEARCHABLE).filters
        assert (day.match, day.low, day.high) == (Match.RANGE, start, start + 86_400 - 1e-6)
        (upto,) = file_query({"pdf_thumbnail.created.max": "2025-02-08"}, SEARCHABLE).filters
        assert upto.low is None and upto.high == start + 86_400 - 1e-6
        (moment,) = file_query({"pdf_thumbnail.created.min": "2025-02-08T12:00:00+01:00"}, SEARCHABLE).filters
        assert moment.low == start + 11 * 3600

    def test_a_list_field_is_found_by_an_item(self) -> None:
        (item,) = file_query({"pdf_thumbnail.keywords": "sea"}, SEARCHABLE).filters
        assert item == FieldFilter("pdf_thumbnail", "keywords", Match.EQUAL, text="sea")

    @pytest.mark.parametrize("word, value, wanted", [
        ("pdf_thumbnail.pages", "twelve", "a whole number"), ("pdf_thumbnail.pages.min", "1.5", "a whole number"),
        ("pdf_thumbnail.ratio", "nan", "a number"), ("pdf_thumbnail.encrypted", "yes", "true or false"),
        ("pdf_thumbnail.created.min", "last week", "an ISO 8601 day or moment")])
    def test_a_value_that_does_not_fit_is_refused(self, word: str, value: str, wanted: str) -> None:
        with pytest.raises(FileQueryInvalid, match=f"{word}: '{value}' is not {wanted}"):
            file_query({word: value}, SEARCHABLE)


class TestCursor:
    """A cursor is the last row's key, opaque; one of another order or none at all is refused."""

    def test_round_trip(self) -> None:
        for key in [(None, "ab"), (12.0, "cd"), ("image/png", "ef")]:
            assert decode_cursor(encode_cursor(key)) == key

    def test_a_cursor_of_this_query(self) -> None:
        query = file_query({"pdf_thumbnail.pages.min": "3", "cursor": encode_cursor((4.0, "ab"))}, SEARCHABLE)
        assert query.after == (4.0, "ab")

    @pytest.mark.parametrize("cursor", ["not base64!", encode_cursor(("text", "ab")), "bnVsbA", encode_cursor((None, 5))])
    def test_another_is_refused(self, cursor: str) -> None:
        with pytest.raises(FileQueryInvalid, match="cursor: not a cursor of this query"):
            file_query({"pdf_thumbnail.pages.min": "3", "cursor": cursor}, SEARCHABLE)
