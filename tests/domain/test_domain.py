"""Rules that live on the domain's types."""

from proxyservice.domain import ProxySize, SourceFile, TaskState, listing_order, numbered_typeidentifier


class TestTaskState:
    """Which states are final."""

    def test_finished_states(self) -> None:
        assert {s for s in TaskState if s.is_finished} == {
            TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED
        }


class TestSourceFile:
    """A source file names its extension and base name."""

    def test_extension_is_lower_case_with_its_dot(self) -> None:
        source = SourceFile("0" * 64, "/data/Report.HTML", 10, "text/html", ProxySize(4, 3))
        assert source.ext == ".html"
        assert source.name == "Report.HTML"

    def test_no_extension(self) -> None:
        assert SourceFile("0" * 64, "/data/README", 10, "text/plain", ProxySize(4, 3)).ext == ""


class TestListingOrder:
    """A file's proxies are listed by name, the numbers in a name by their value."""

    def test_page_ten_comes_after_page_nine(self) -> None:
        names = ["page-10", "thumbnail", "page-2@large", "page-9", "page", "page-1", "page-2", "page-10@640x480"]
        assert sorted(names, key=listing_order) == [
            "page", "page-1", "page-2", "page-2@large", "page-9", "page-10", "page-10@640x480", "thumbnail"]

    def test_a_numbered_proxy_is_named_from_one(self) -> None:
        assert numbered_typeidentifier("page", 3) == "page-3"
        assert numbered_typeidentifier("frame", 12) == "frame-12"
