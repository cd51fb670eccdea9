"""Rules that live on the domain's types."""

from proxyservice.domain import ProxySize, SourceFile, TaskState


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
