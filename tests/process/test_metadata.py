"""Metadata checked against the schema a plugin declares, before anything is stored."""

from datetime import datetime, timezone

from proxyservice.process.metadata import checked_metadata
from proxyservice.schemas import first_error

SCHEMA = [
    {"name": "thumbnail", "prompt": "A picture", "value": {"datatype": "Proxy", "mimetype": "image/png"}},
    {"name": "pages", "prompt": "Pages", "value": {"datatype": "Integer"}, "searchable": True},
    {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
    {"name": "ratio", "prompt": "Ratio", "value": {"datatype": "Float"}},
    {"name": "encrypted", "prompt": "Encrypted", "value": {"datatype": "Boolean"}},
    {"name": "created", "prompt": "Created", "value": {"datatype": "Date"}},
    {"name": "authors", "prompt": "Authors", "value": {"datatype": "List", "items": "String"}},
]


class TestValuesThatFit:
    """A plugin gives a value of each datatype it declares."""

    def test_each_is_kept_as_json_holds_it(self) -> None:
        moment = datetime(2026, 12, 8, 10, 0, tzinfo=timezone.utc)
        kept, warnings = checked_metadata("pdf", SCHEMA, {
            "pages": 12, "title": "Report", "ratio": 1, "encrypted": False, "created": moment,
            "authors": ("Ada", "Grace")})
        assert warnings == []
        assert kept == {"pages": 12, "title": "Report", "ratio": 1, "encrypted": False,
                        "created": "2026-12-08T10:00:00+00:00", "authors": ["Ada", "Grace"]}

    def test_a_value_the_file_lacks_is_left_out_quietly(self) -> None:
        assert checked_metadata("pdf", SCHEMA, {"title": None, "pages": 1}) == ({"pages": 1}, [])


class TestValuesThatBreakTheSchema:
    """A plugin gives values that do not fit its declaration: each is refused, named, and the rest kept."""

    def test_a_wrong_type_is_refused_naming_the_field(self) -> None:
        kept, warnings = checked_metadata("pdf", SCHEMA, {"pages": "many", "title": "Report"})
        assert kept == {"title": "Report"}
        assert warnings == ["metadata field pdf.pages refused: 'many' is not an Integer"]

    def test_a_boolean_is_no_integer(self) -> None:
        assert checked_metadata("pdf", SCHEMA, {"pages": True})[0] == {}

    def test_a_date_that_is_no_date_is_refused(self) -> None:
        kept, warnings = checked_metadata("pdf", SCHEMA, {"created": "last Tuesday"})
        assert kept == {} and "pdf.created" in warnings[0]

    def test_a_list_item_of_another_type_is_refused(self) -> None:
        kept, warnings = checked_metadata("pdf", SCHEMA, {"authors": ["Ada", 3]})
        assert kept == {} and warnings == ["metadata field pdf.authors refused: ['Ada', 3] is not a List of String"]

    def test_an_undeclared_field_is_refused(self) -> None:
        kept, warnings = checked_metadata("pdf", SCHEMA, {"secret": "x"})
        assert kept == {} and warnings == ["metadata field pdf.secret refused: it is not declared in the plugin's "
                                           "schema"]

    def test_a_huge_string_is_refused_without_repeating_it(self) -> None:
        kept, warnings = checked_metadata("pdf", SCHEMA, {"title": "x" * 20_000})
        assert kept == {} and len(warnings[0]) < 120

    def test_a_proxy_type_is_no_metadata_field(self) -> None:
        assert checked_metadata("pdf", SCHEMA, {"thumbnail": "x"})[0] == {}


class TestDeclarations:
    """What a plugin's schema may declare."""

    def test_every_datatype_and_searchable(self) -> None:
        assert first_error("PluginSchema", SCHEMA) is None

    def test_a_list_names_its_items(self) -> None:
        broken = [{"name": "tags", "prompt": "Tags", "value": {"datatype": "List"}}]
        assert first_error("PluginSchema", broken) is not None

    def test_only_a_list_has_items(self) -> None:
        broken = [{"name": "tags", "prompt": "Tags", "value": {"datatype": "String", "items": "String"}}]
        assert first_error("PluginSchema", broken) is not None

    def test_an_unknown_datatype(self) -> None:
        assert first_error("PluginSchema", [{"name": "x", "prompt": "X", "value": {"datatype": "Blob"}}]) is not None
