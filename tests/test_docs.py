"""The README and docs/: a guide that stays short, links that lead somewhere, an architecture that names every package."""

import re
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "proxyservice"
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
ARCHITECTURE = ROOT / "docs" / "architecture.md"
GUIDE_LINES = 300

FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


def package_names() -> list[str]:
    """Each package folder of proxyservice (as ``services/store/``) and each module at its root (as ``config.py``)."""
    folders = sorted(f"{init.parent.relative_to(PACKAGE).as_posix()}/" for init in PACKAGE.rglob("__init__.py")
                     if init.parent != PACKAGE)
    modules = sorted(module.name for module in PACKAGE.glob("*.py") if module.name != "__init__.py")
    return folders + modules


def named(name: str, text: str) -> bool:
    """Whether ``text`` names ``name`` as a path of its own: ``store/`` alone is not ``services/store/``."""
    return re.search(rf"(?<![\w./-])(?:proxyservice/)?{re.escape(name)}", text) is not None


def prose(markdown: str) -> str:
    """The text outside code blocks and code spans, where links are links."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings."""
    found = set()
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        words = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower())
        found.add(words.replace(" ", "-"))
    return found


class TestArchitecture:
    """A new package, or a new module at the package's root, has its line in docs/architecture.md."""

    def test_every_package_is_named(self) -> None:
        text = ARCHITECTURE.read_text()
        missing = [name for name in package_names() if not named(name, text)]
        assert missing == [], f"docs/architecture.md does not name {missing}"

    def test_the_names_are_found_in_the_tree(self) -> None:
        names = package_names()
        assert "services/store/" in names and "config.py" in names and "__init__.py" not in names
        assert not named("store/", "`services/store/`"), "a package is named by its whole path"


class TestLinks:
    """Every relative link of the README and docs/ leads to a file that exists, and to a heading it has."""

    def test_every_relative_link_resolves(self) -> None:
        broken = []
        for page in [README, *DOCS]:
            for target in LINK.findall(prose(page.read_text())):
                if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
                    continue
                path, _, anchor = target.partition("#")
                linked = (page.parent / path).resolve() if path else page
                if not linked.exists():
                    broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
                elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text()):
                    broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
        assert broken == []

    def test_the_check_sees_links(self) -> None:
        page = "[a](docs/api.md) `[b](c.md)` ![d](docs/engines/grid.png)\n```\n[e](f.md)\n```\n"
        assert LINK.findall(prose(page)) == ["docs/api.md", "docs/engines/grid.png"]
        assert "the-modern-engine-chromium" in anchors("## The modern engine: Chromium\n")
        assert "the-workers-container" in anchors("## The worker's container\n")


class TestReadme:
    """The README stays a guide; the reference lives in docs/."""

    def test_the_readme_is_a_guide(self) -> None:
        lines = len(README.read_text().splitlines())
        assert lines <= GUIDE_LINES, f"README.md has {lines} lines; move reference into docs/"

    def test_the_readme_links_every_docs_page(self) -> None:
        linked = set(LINK.findall(prose(README.read_text())))
        assert [page.name for page in DOCS if f"docs/{page.name}" not in linked] == []
