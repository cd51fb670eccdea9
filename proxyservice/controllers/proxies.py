"""Proxies: list a file's proxies and serve their bytes, in the format asked for."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from http import HTTPStatus
from pathlib import Path
from typing import Iterable, NamedTuple

from flask import url_for
from werkzeug.exceptions import BadRequest, NotFound

from ..domain import ImageFormat, ProxyFile, encoded_typeidentifier
from ..process.format_choice import FormatRefusal, accepted_format, named_format
from ..schemas import quoted
from ..container import Services
from ..services.imaging import ImageScaler, ImagingError
from ..services.store import DoesNotExist, ProxyContent, ProxyStore, StoredObject, StoreFailed
from . import Response
from .errors import unavailable

logger = logging.getLogger(__name__)

NO_PROXIES = "no proxies of file %s (yet)"
NO_SUCH_PROXY = "no proxy %s of file %s"
STORE_DOWN = "the proxy store cannot be read; try again shortly"
NOT_ENCODABLE = "proxy %s of file %s cannot be had in %s: %s"
CACHE_SECONDS = 3600
"""How long a client may reuse a proxy's bytes before it asks again (with If-None-Match)."""
REDIRECT_MARGIN_SECONDS = 60
"""A redirect to a presigned URL is kept by a client this much less long than the URL lives:
clocks differ, and following the redirect takes a moment."""


class ProxyBody(NamedTuple):
    """A proxy's bytes as the route sends them."""

    content: Path | Iterable[bytes]
    """A local file to send, or the bytes as they arrive from object storage (closed when sent)."""
    mimetype: str
    filename: str

    @property
    def file(self) -> Path | None:
        """The local file that holds the bytes, if one does."""
        return self.content if isinstance(self.content, Path) else None


def list_proxies(services: Services, file_id: str) -> Response:
    """The proxies of a file with their metadata and URLs."""
    listed = proxy_listing(services, file_id)
    if not listed:
        raise NotFound(NO_PROXIES % quoted(file_id))
    return {"file_id": file_id, "proxies": listed}, HTTPStatus.OK, {}


def proxy_listing(services: Services, file_id: str) -> list[dict[str, object]]:
    """Each proxy of a file (none: ``[]``), with its URL and a signed link to it.

    Raises
    ------
    ServiceUnavailable
        The store cannot be read (503).
    """
    with reading_store():
        proxies = services.store.list(file_id)
    auth, ttl = services.auth, services.settings.SIGNED_LINK_TTL
    listed = []
    for proxy in proxies:
        url = url_for("api.proxy_content", file_id=file_id, typeidentifier=proxy.typeidentifier)
        expires, signature = auth.sign_link(url, ttl)
        listed.append({**asdict(proxy), "url": url, "signed_url": f"{url}?expires={expires}&signature={signature}"})
    return listed


def proxy_content(
    services: Services, file_id: str, typeidentifier: str, if_none_match: list[str], link_expires: int | None = None,
    format_name: str | None = None, accept: list[tuple[str, float]] | None = None,
) -> Response:
    """A proxy's bytes (a :class:`ProxyBody`), ``304`` when the client has them, or ``307`` to them.

    From a local store the route sends the file; from object storage it
    streams the object, or with STORE_REDIRECT answers ``307`` to a presigned
    URL of it that lives no longer than a signed link would.

    A proxy is made as PNG or JPEG. It is served as WebP or AVIF when the
    request names that format, or when its ``Accept`` header prefers one
    (:func:`accepted_format`); the copy in that format is made on the first
    such request and stored beside the proxy, so each format is made once.

    Parameters
    ----------
    if_none_match
        The entity tags from the request's ``If-None-Match`` header.
    link_expires
        When the request came through a signed link: the link's expiry time
        (Unix seconds). ``None`` when it came with a bearer token.
    format_name
        The format the request names (``webp``, ``avif``), if it names one.
    accept
        The media ranges of the request's ``Accept`` header, with their quality values.
    """
    missing = NO_SUCH_PROXY % (quoted(typeidentifier), quoted(file_id))
    store = services.store
    with reading_store(missing):
        proxy, content = store.get(file_id, typeidentifier)
    now = time.time()
    headers = {"Cache-Control": cache_control(link_expires, now)}
    # Made as PNG or JPEG by a plugin, and small enough to encode in a request (any proxy a size names is).
    negotiable = (not proxy.made_from and ImageFormat.of_mimetype(proxy.mimetype) in (ImageFormat.PNG, ImageFormat.JPEG)
                  and max(proxy.width, proxy.height) <= services.settings.MAX_PROXY_SIDE)
    available = ImageScaler.modern_formats()
    if format_name is not None:
        chosen = named_format(format_name, available)
        if isinstance(chosen, FormatRefusal):
            raise BadRequest(chosen.reason)
        if proxy.mimetype != chosen.mimetype:
            if not negotiable:
                raise NotFound(NOT_ENCODABLE % (quoted(typeidentifier), quoted(file_id), chosen.value.upper(),
                                                f"it is {proxy.mimetype}, {proxy.width}x{proxy.height}"))
            proxy, content = _in_format(store, proxy, content, chosen, False, services.settings.MAX_IMAGE_PIXELS)
    elif negotiable and available:
        headers["Vary"] = "Accept"  # the same URL answers other bytes to other clients
        best = accepted_format(accept or [], proxy.mimetype, available)
        if best is not None:
            proxy, content = _in_format(store, proxy, content, best, True, services.settings.MAX_IMAGE_PIXELS)
    # The blob's name is its checksum, so a tag names one content for ever.
    headers["ETag"] = f'"{proxy.checksum}"'
    if proxy.checksum in if_none_match or "*" in if_none_match:
        return None, HTTPStatus.NOT_MODIFIED, headers
    if isinstance(content, Path):
        return ProxyBody(content, proxy.mimetype, proxy.filename), HTTPStatus.OK, headers
    settings = services.settings
    if settings.STORE_REDIRECT:
        expires_in = presign_seconds(link_expires, now, settings.SIGNED_LINK_TTL)
        return _redirect(content, proxy.mimetype, proxy.filename, expires_in, headers)
    with reading_store(missing):
        body = content.open()
    headers["Content-Length"] = str(body.length)
    return ProxyBody(body, proxy.mimetype, proxy.filename), HTTPStatus.OK, headers


def _in_format(store: ProxyStore, proxy: ProxyFile, content: ProxyContent, fmt: ImageFormat,
               fall_back: bool, max_pixels: int) -> tuple[ProxyFile, ProxyContent]:
    """The proxy in a modern format: its stored copy, or one made now from it and stored.

    A copy made from an earlier picture of the proxy (its ``made_from`` is
    not the proxy's checksum) is made again. Two requests that make the same
    copy at once store the same bytes.

    Parameters
    ----------
    fall_back
        When the copy cannot be made, answer the proxy as it is (its format was
        only preferred) instead of an error (it was asked for by name).
    """
    name = encoded_typeidentifier(proxy.typeidentifier, fmt)
    try:
        found = _stored_copy(store, proxy, name)
        if found is not None:
            return found
        # Requests for the same copy on this host at once: one makes it, the others wait and take it.
        with store.making(proxy.file_id, name):
            found = _stored_copy(store, proxy, name)
            if found is not None:
                return found
            scaler = ImageScaler(max_pixels)
            target = store.generate_temp_filename(fmt.extension)
            try:
                with store.local_file(content) as original:
                    made = scaler.encode(original, target, fmt)
                store.ingest(proxy.file_id, proxy.plugin, target, name, f"{Path(proxy.filename).stem}{fmt.extension}",
                             made.mimetype, made_from=proxy.checksum)
            finally:
                target.unlink(missing_ok=True)
            return store.get(proxy.file_id, name)
    except (ImagingError, DoesNotExist, StoreFailed) as e:
        if fall_back:
            logger.warning("proxy %s of %s served as it is: %s", proxy.typeidentifier, proxy.file_id, e)
            return proxy, content
        if isinstance(e, StoreFailed):
            raise unavailable(STORE_DOWN, e) from e
        raise NotFound(NOT_ENCODABLE % (quoted(proxy.typeidentifier), quoted(proxy.file_id), fmt.value.upper(),
                                        e)) from e


def _stored_copy(store: ProxyStore, proxy: ProxyFile, name: str) -> tuple[ProxyFile, ProxyContent] | None:
    """The copy of ``proxy`` kept under ``name``, if one made from its present picture is kept."""
    try:
        copy, content = store.get(proxy.file_id, name)
    except DoesNotExist:
        return None
    return (copy, content) if copy.made_from == proxy.checksum else None


def _redirect(content: StoredObject, mimetype: str, filename: str, expires_in: int,
              headers: dict[str, str]) -> Response:
    kept = max(0, min(CACHE_SECONDS, expires_in - REDIRECT_MARGIN_SECONDS))
    # Whoever holds a presigned URL has the bytes: no shared cache keeps it, and no one longer than it lives.
    private = f"private, max-age={kept}"
    with reading_store():
        url = content.presigned_url(expires_in, mimetype, filename, private)
    return None, HTTPStatus.TEMPORARY_REDIRECT, {**headers, "Location": url, "Cache-Control": private}


def presign_seconds(link_expires: int | None, now: float, link_ttl: int) -> int:
    """How long a presigned URL to a proxy lives: never longer than a signed link would.

    Parameters
    ----------
    link_expires
        The signed link's expiry time (Unix seconds), or ``None`` for a request with a bearer token.
    now
        The time now (Unix seconds).
    link_ttl
        How long a signed link lives (SIGNED_LINK_TTL).
    """
    return max(1, _seconds_left(link_expires, now, link_ttl))


def cache_control(link_expires: int | None, now: float) -> str:
    """The ``Cache-Control`` of a proxy's bytes.

    Parameters
    ----------
    link_expires
        The signed link's expiry time (Unix seconds), or ``None`` for a request with a bearer token.
    now
        The time now (Unix seconds).
    """
    if link_expires is None:
        # Only the token holder's own cache may keep the bytes: a shared cache
        # (a CDN, a company proxy) would hand them to clients without a token.
        return f"private, max-age={CACHE_SECONDS}"
    # Anyone holding the link may have the bytes, but only while the link is valid.
    return f"public, max-age={max(0, _seconds_left(link_expires, now, CACHE_SECONDS))}"


def _seconds_left(link_expires: int | None, now: float, at_most: int) -> int:
    """Seconds until a signed link expires, at most ``at_most`` (and that for a bearer token's request)."""
    if link_expires is None:
        return at_most
    return min(at_most, int(link_expires - now))


@contextmanager
def reading_store(missing: str = "") -> Iterator[None]:
    """The store's errors in the block as answers: ``missing`` (404), or 503 when it cannot be read."""
    try:
        yield
    except DoesNotExist as e:
        raise NotFound(missing) from e
    except StoreFailed as e:
        raise unavailable(STORE_DOWN, e) from e
