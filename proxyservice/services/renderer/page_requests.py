"""Every request of a page Chromium draws, answered by the worker: from the page's view, to an allowed host, or refused."""

import logging
import mimetypes
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Request, Route
from playwright.sync_api import Error as PlaywrightError

from ..sandbox.allowed_hosts import AllowedHost, refusal
from .load_warnings import NOT_ALLOWED, Warnings
from .served_view import PAGE_HOST, ServedView

logger = logging.getLogger(__name__)

MAX_REQUESTS = 2000
"""Requests of one page the worker answers; past them, Chromium's own refusal answers (no worker time)."""
TOO_MANY_REQUESTS = f"the page made more than {MAX_REQUESTS} requests; the rest were refused"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class PageRequests:
    """Every request of one page, answered by the worker: from its view, let through to an allowed host, or refused.

    Past :data:`MAX_REQUESTS`, the worker stops answering: Chromium then sends
    the rest to its proxy, which answers none, so a page that asks without end
    cannot hold the worker past its time limit.
    """

    def __init__(self, served: ServedView, allowed_hosts: tuple[AllowedHost, ...], context: BrowserContext) -> None:
        self.served = served
        self.allowed_hosts = allowed_hosts
        self.context = context
        self.count = 0
        self.warnings = Warnings()

    def answer(self, route: Route) -> None:
        """Answer one request; whatever goes wrong refuses that request, never the page."""
        self.count += 1
        try:
            if self.count == MAX_REQUESTS:
                self.warnings.add(TOO_MANY_REQUESTS)
                self.context.unroute_all(behavior="ignoreErrors")
            if self.count >= MAX_REQUESTS:
                route.abort("blockedbyclient")
                return
            self._answer(route)
        except (PlaywrightError, OSError, ValueError) as e:
            logger.info("refused a request of the page it could not answer: %s", e)
            try:
                route.abort("blockedbyclient")
            except PlaywrightError:
                pass  # answered already, or the page is gone

    def _answer(self, route: Route) -> None:
        request = route.request
        body = self.served.read(request.url)
        if body is not None:
            kind, _ = mimetypes.guess_type(urlsplit(request.url).path)
            route.fulfill(status=200, body=body, content_type=kind or "application/octet-stream")
            return
        if request.is_navigation_request():
            try:
                top = request.frame.parent_frame is None
            except PlaywrightError:  # a popup's first navigation has no frame yet: it is no part of the page
                route.abort("blockedbyclient")
                return
            if top:
                # The page navigating away (a refresh, a script, a form): "No Content" keeps it as it was.
                route.fulfill(status=204)
                return
        parts = urlsplit(request.url)
        host = (parts.hostname or "").lower()
        if host == PAGE_HOST:
            self.warnings.refused_file(self.served.named(request.url))
            route.abort("blockedbyclient")
            return
        if not host:
            self.warnings.add(NOT_ALLOWED.format(host=request.url[:60]))
            route.abort("blockedbyclient")
            return
        # Checked here as the proxy checks it, so that a refusal is a network error of the page's, and is said.
        refused = refusal(self.allowed_hosts, host, parts.port or DEFAULT_PORTS.get(parts.scheme, 0))
        if refused is None:
            route.continue_()
            return
        logger.info("refused a request of the page: %s", refused)
        self.warnings.add(NOT_ALLOWED.format(host=parts.netloc.rpartition("@")[2]))
        route.abort("blockedbyclient")

    def failed(self, request: Request) -> None:
        """Say a request that failed on its way (to an allowed host): refused ones were said when refused."""
        failure = request.failure
        if not failure or "ERR_BLOCKED_BY_CLIENT" in failure or "ERR_ABORTED" in failure:
            return
        # A network host the page names may be named back; a file, existing or not, never is.
        url = request.url
        if url.startswith(("http:", "https:")):
            self.warnings.add(f"{url[:200]} could not be loaded: {failure}")
        else:
            self.warnings.refused_file(None)
