"""Time per document for each file type: ``.venv/bin/python bench/per_type.py [ROUNDS]``.

Runs each built-in plugin's job as a worker runs it (in the sandbox, with the
service's limits, the proxy stored), without the queue, on a handful of files
of its type: real ones Debian ships where there are some, else files made
here by the tools users make them with (LibreOffice, ffmpeg). Prints the
median and the worst seconds per document, over every file and round.
"""

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from proxyservice.container import Services  # noqa: E402
from proxyservice.plugins.context import call_job  # noqa: E402
from proxyservice.plugins.registry import load_plugin  # noqa: E402
from tests.samples import (DEBIAN_MARKDOWN, DEBIAN_OFFICE, DEBIAN_PDF, VIDEOS, make_office_documents,  # noqa: E402
                           make_video, write_samples)

DOCS = Path("/usr/share/doc")


def files_by_type(folder: Path) -> dict[str, tuple[str, list[Path]]]:
    """A handful of files of each type, and the plugin that makes their proxies."""
    samples = write_samples(folder / "samples")
    office = make_office_documents(folder / "office")
    pages = [DOCS / "python3.11/html/library/os.html", DOCS / "nodejs/api/fs.html",
             DOCS / "python3.11/html/tutorial/index.html"]
    markdown = [DEBIAN_MARKDOWN, DOCS / "nodejs/api/http.md", DOCS / "nodejs/api/stream.md"]
    svgs = sorted(Path("/usr/share/icons/Adwaita/scalable/places").glob("*.svg"))[:3] or [samples["svg"]]
    long = make_video(folder / "long.mkv", VIDEOS["mkv"][1] + ["-g", "600"], seconds=36_000, size="32x24", rate=1)
    return {
        "HTML page": ("html_preview::HTMLPreview", [page for page in pages if page.is_file()]),
        "PDF": ("pdf_thumbnail::PDFThumbnail", [DEBIAN_PDF, samples["pdf"]]),
        "image": ("image_thumbnail::ImageThumbnail", [samples["jpeg"], samples["png"], samples["webp"]]),
        "text": ("text_thumbnail::TextThumbnail", [samples["text"], samples["python"]]),
        "SVG": ("svg_thumbnail::SVGThumbnail", [samples["svg"], *svgs]),
        "Markdown": ("markdown_preview::MarkdownPreview", [path for path in markdown if path.is_file()]),
        "EPUB": ("epub_thumbnail::EPUBThumbnail", [samples["epub"], samples["epub_without_cover"]]),
        "video": ("video_thumbnail::VideoThumbnail", [samples[kind] for kind in VIDEOS] + [long]),
        "Word": ("office_thumbnail::OfficeThumbnail", [office["docx"], office["odt"], office["doc"],
                                                         DEBIAN_OFFICE[0]]),
        "Excel": ("office_thumbnail::OfficeThumbnail", [office["xlsx"], office["ods"], office["xls"]]),
        "PowerPoint": ("office_thumbnail::OfficeThumbnail", [office["pptx"], office["odp"], DEBIAN_OFFICE[1]]),
    }


def timed(run: Callable[[], object]) -> float:
    started = time.monotonic()
    run()
    return time.monotonic() - started


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        types = files_by_type(folder / "files")
        roots = sorted({path.parent for _, paths in types.values() for path in paths})
        settings = Settings.from_environ({}, DATA_DIR=folder / "data", SOURCE_ROOTS=tuple(roots))
        context = Services(settings).job_context
        size = settings.default_proxy_size
        print(f"{'type':<11} {'files':>5} {'median s':>9} {'worst s':>8}")
        for kind, (name, paths) in types.items():
            job = load_plugin(name).job  # type: ignore[attr-defined]  # the built-ins are WorkerProxyPlugins
            times = []
            for path in paths:
                source = context.sources.describe(context.sources.resolve(str(path)), size)
                for _ in range(rounds):
                    times.append(timed(lambda: call_job(job, [source.file_id, source.path, size.width, size.height],
                                                        context)))
            print(f"{kind:<11} {len(paths):>5} {statistics.median(times):9.2f} {max(times):8.2f}")
        shutil.rmtree(folder / "data", ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
