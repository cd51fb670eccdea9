"""Every page, end to end: an ingest asking for pages, a real worker, each page's proxy fetched over HTTP."""

import time

from proxyservice.schemas import first_error
from tests.e2e.conftest import Service
from tests.page_pictures import SAME_PAGE, drawn_pages, page_shown
from tests.samples import VIDEOS, make_numbered_pdf, make_video


def ingest_and_list(service: Service, body: dict[str, object]) -> tuple[list[dict[str, object]], float]:
    """Ingest, follow the task to its end, and list the file's proxies; with the seconds it took."""
    started = time.monotonic()
    accepted = service.client.post("/ingest", json=body)
    assert accepted.status_code == 202, accepted.get_json()
    [task] = accepted.get_json()["tasks"]
    finished = service.follow(task["status_url"], timeout=120)
    assert finished.status_code == 303, finished.get_json()
    took = time.monotonic() - started
    listing = service.client.get(f"/proxies/{accepted.get_json()['file_id']}").get_json()
    assert first_error("ProxyList", listing) is None
    return listing["proxies"], took


def test_a_twelve_page_pdf_with_all_its_pages(service: Service) -> None:
    """"pages": "all" gives page-1 to page-12, listed in order, each showing its own page."""
    pdf = make_numbered_pdf(service.sources / "twelve-pages.pdf", 12)
    proxies, took = ingest_and_list(service, {"path": str(pdf), "pages": "all"})
    numbered = [proxy["typeidentifier"] for proxy in proxies if str(proxy["typeidentifier"]).startswith("page-")]
    assert numbered == [f"page-{number}" for number in range(1, 13)]
    truth = drawn_pages(pdf, 400)
    for proxy in proxies:
        if proxy["typeidentifier"] in numbered:
            number = int(str(proxy["typeidentifier"]).removeprefix("page-"))
            shown, ssim = page_shown(service.client.get(str(proxy["url"])).data, truth)
            assert (shown, ssim > SAME_PAGE) == (number, True), f"page-{number} shows page {shown} ({ssim:.2f})"
    print(f"12 pages through a worker: {took:.2f} s from ingest to success")


def test_a_video_storyboard(service: Service) -> None:
    video = make_video(service.sources / "storyboard.mp4", VIDEOS["mp4"][1])
    proxies, _ = ingest_and_list(service, {"path": str(video), "pages": 6})
    assert [proxy["typeidentifier"] for proxy in proxies] == [f"frame-{n}" for n in range(1, 7)] + ["thumbnail"]
