"""The house as the code draws it: imports point one way, no cycle, and only the web side knows Flask."""

import ast

from tests.import_graph import FLOORS, Graph, read_graph, room

WEB_ONLY = ("flask", "werkzeug", "flask_swagger_ui")
"""Packages of the HTTP side: the worker, the command line and the floors below never import them."""


class TestImports:
    """The graph of the package's imports, read from its code."""

    def test_no_import_runs_upward(self) -> None:
        assert read_graph().upward() == []

    def test_no_way_in_imports_another(self) -> None:
        """The worker and the command line reach the documents and the intake below them, never the controllers."""
        assert read_graph().across_doors() == []

    def test_no_import_cycle(self) -> None:
        assert read_graph().cycles() == []

    def test_every_room_has_a_floor(self) -> None:
        assert {room(module) for module in read_graph().modules} - {"proxyservice"} <= set(FLOORS)

    def test_the_checks_can_fail(self) -> None:
        """A graph with one import more, from the domain up to a controller and back, is caught both ways."""
        graph = read_graph()
        assert ("proxyservice.worker.jobs", "proxyservice.container") in graph.imports, "the graph sees imports"
        worse = Graph(graph.modules, graph.imports | {("proxyservice.domain.task", "proxyservice.controllers.tasks"),
                                                      ("proxyservice.worker.jobs", "proxyservice.controllers.tasks")})
        assert ("proxyservice.domain.task", "proxyservice.controllers.tasks") in worse.upward()
        assert worse.across_doors() == [("proxyservice.worker.jobs", "proxyservice.controllers.tasks")]
        assert any("proxyservice.domain.task" in cycle for cycle in worse.cycles())


class TestFlask:
    """Flask is the web side's: a worker or a command builds no web app."""

    def test_only_the_web_side_imports_it(self) -> None:
        found = []
        for module, path in read_graph().modules.items():
            if room(module) in ("routes", "controllers", "factory"):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
                found += [f"{module}: {name}" for name in names if name.split(".")[0] in WEB_ONLY]
        assert found == []


class TestLength:
    """Modules stay small enough to read at one sitting."""

    def test_no_module_is_over_300_lines(self) -> None:
        long = {module: len(path.read_text().splitlines()) for module, path in read_graph().modules.items()}
        assert {module: lines for module, lines in long.items() if lines > 300} == {}
