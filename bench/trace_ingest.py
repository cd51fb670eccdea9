"""Where one ``POST /ingest`` goes in the code: the files it crosses, the calls, and the calls back into a file left.

Run it with the project's interpreter (``.venv/bin/python bench/trace_ingest.py``). It builds the web app on
settings of its own (a temp folder, a Redis of its own on a free loopback port), ingests one page to warm
the caches, then traces the ingest of a second, new page with
``sys.setprofile``: every call into a module of ``proxyservice``, in order.

- files: the project's modules the request entered;
- calls: the calls into project code;
- returns to a file already left: calls that enter a file the request had entered before and left
  (data that flows down and answers that come back once make few of these).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from proxyservice.factory import create_web_app  # noqa: E402
from proxyservice.services.auth import SCOPES, Auth  # noqa: E402
from tests.support import broker_server  # noqa: E402

PACKAGE = str(ROOT / "proxyservice")
SECRET = "a-bench-secret-of-more-than-32-characters"


def trace(call: Any) -> list[str]:
    """The file of each call into the project's code while ``call()`` runs."""
    files: list[str] = []

    def profile(frame: FrameType, event: str, _: Any) -> None:
        if event == "call" and frame.f_code.co_filename.startswith(PACKAGE):
            files.append(os.path.relpath(frame.f_code.co_filename, ROOT))

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return files


def returns_to_left_files(files: list[str]) -> int:
    """Calls that enter a file entered before and left since."""
    seen: set[str] = set()
    count = 0
    previous = None
    for name in files:
        if name != previous and name in seen:
            count += 1
        seen.add(name)
        previous = name
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sources = Path(folder) / "sources"
        sources.mkdir()
        for name in ("plain.html", "styled.html", "styled.css"):
            shutil.copy(ROOT / "tests" / "fixtures" / name, sources / name)
        broker = broker_server("redis", Path(folder) / "redis")
        settings = Settings.from_environ({}, DATA_DIR=Path(folder) / "data", SOURCE_ROOTS=(sources,),
                                         BROKER_URL=broker.url, AUTH_SECRET=SECRET)
        try:
            client = create_web_app(settings).test_client()
            client.environ_base["HTTP_AUTHORIZATION"] = "Bearer " + Auth(SECRET).issue(list(SCOPES), 600)
            warm = client.post("/ingest", json={"path": str(sources / "plain.html")})
            assert warm.status_code == 202, warm.get_json()
            answers: list[Any] = []
            files = trace(lambda: answers.append(client.post("/ingest", json={"path": str(sources / "styled.html")})))
            assert answers[0].status_code == 202, answers[0].get_json()
        finally:
            broker.stop()
    print(f"files: {len(set(files))}")
    print(f"calls: {len(files)}")
    print(f"returns to a file already left: {returns_to_left_files(files)}")
    if "-v" in sys.argv:
        for name in dict.fromkeys(files):
            print(f"  {files.count(name):4d}  {name}")


if __name__ == "__main__":
    main()
