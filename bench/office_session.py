"""A LibreOffice kept per worker process against one started per document: ``.venv/bin/python bench/office_session.py [ROUNDS]``.

Both ways convert the same office documents to the PDF of their first page
through :class:`OfficeConverter`, in the sandbox, at the default limits, taken
in turn each round: *started* stops the running LibreOffice before each
document (what every document paid before the session was kept), *kept*
lets it run. Prints seconds per document (minimum, median, maximum over every
document and round) and the ratio of the medians.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from proxyservice.services.office import OfficeConverter  # noqa: E402
from proxyservice.services.sandbox.kept import close_all  # noqa: E402
from proxyservice.services.sandbox import Sandbox  # noqa: E402
from tests.samples import DEBIAN_OFFICE, make_office_documents  # noqa: E402


def convert_all(converter: OfficeConverter, documents: list[Path], folder: Path, fresh: bool) -> list[float]:
    times = []
    for document in documents:
        if fresh:
            close_all()
        started = time.monotonic()
        converter.to_pdf(document, folder / "out.pdf", 60)
        times.append(time.monotonic() - started)
    return times


def main(rounds: int) -> None:
    settings = Settings.from_environ()
    converter = OfficeConverter(settings.SOFFICE, settings.OFFICE_MEMORY_MB, Sandbox.from_settings(settings))
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        made = make_office_documents(folder / "office")
        documents = [made[kind] for kind in ("docx", "odt", "doc", "xlsx", "ods", "xls", "pptx", "odp")]
        documents += [path for path in DEBIAN_OFFICE if path.is_file()]
        convert_all(converter, documents[:1], folder, fresh=False)  # the first start warms the disk cache
        started: list[float] = []
        kept: list[float] = []
        for _ in range(rounds):
            started += convert_all(converter, documents, folder, fresh=True)
            close_all()
            convert_all(converter, documents[:1], folder, fresh=False)  # starts it: not counted
            kept += convert_all(converter, documents, folder, fresh=False)
        close_all()
    print(f"{len(documents)} office documents, {rounds} rounds; seconds per document (min / median / max)")
    for name, times in (("started per document", started), ("kept per worker process", kept)):
        print(f"  {name:<24} {min(times):6.3f} {statistics.median(times):6.3f} {max(times):6.3f}")
    print(f"  kept is {statistics.median(started) / statistics.median(kept):.1f}x faster (medians)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
