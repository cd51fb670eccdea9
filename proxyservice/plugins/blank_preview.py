"""A page's preview drawn blank where the page is not: drawn again the ways that can fix it, then said.

A picture of one colour (:meth:`ImageScaler.is_near_uniform`) of a page that
has something of its own to show (:func:`shows_something`: text, a picture,
or a script and an element for it to fill) is a finding, not a success. It is
drawn again, each way only while the picture stays blank:

1. whole, when it was drawn cut to RENDER_PAGE_BYTES (a page built by its
   script from data in the part cut away);
2. by the other HTML engine, when it is enabled (a script QtWebKit cannot
   run draws in Chromium).

A picture still blank is the preview, with a warning saying so; with
BLANK_PROXY=fail the task fails instead. An empty page drawn blank is neither.
"""

import logging
import os
from pathlib import Path
from typing import Callable, Iterator

from ..config import HTML_ENGINES
from ..domain import SourceView
from ..errors import InputInvalid
from ..services.renderer import PageRenderer, RenderError
from .contract import JobContext
from .registry import enabled_names

logger = logging.getLogger(__name__)

BLANK = "the preview is blank (one colour), though the page has text, pictures or scripts of its own: {tried}"
"""Said of a preview still blank after every way of drawing it was tried."""


class PreviewBlank(InputInvalid):
    """A page with something of its own to show drew blank every way it was tried, and BLANK_PROXY=fail asks
    for that to fail its task: open the page in a browser to see why (a script that fails, content hidden)."""


def blank_outcome(context: JobContext, tried: list[str]) -> list[str]:
    """The warning of a preview still blank after ``tried``, or its failure (BLANK_PROXY=fail).

    Raises
    ------
    PreviewBlank
        BLANK_PROXY is ``fail``.
    """
    said = BLANK.format(tried="; ".join(tried))
    if context.settings.blank_proxy_fails:
        raise PreviewBlank(f"{said} (BLANK_PROXY=fail)")
    return [f"{said} (BLANK_PROXY=fail makes this an error)"]


def other_engines(context: JobContext, engine: str) -> Iterator[tuple[str, PageRenderer]]:
    """The enabled HTML engines other than ``engine``, each with its renderer."""
    enabled = enabled_names(context.settings)
    for name, plugin in HTML_ENGINES.items():
        if name != engine and plugin in enabled:
            yield name, context.chromium_renderer() if name == "chromium" else context.html_renderer()


def draw_page(context: JobContext, renderer: PageRenderer, engine: str, view: SourceView, raw: Path,
              copy: Path | None, shows_something: Callable[[], bool]) -> list[str]:
    """Draw the page (the first of ``view``) into ``raw`` with ``renderer``, and again while it draws blank.

    Parameters
    ----------
    engine
        ``renderer``'s name in HTML_ENGINE's words: the others, when enabled, are tried after it.
    copy
        The job's checked copy of the page, drawn in its place.
    shows_something
        Whether the page has something of its own to show: only then is a blank picture a finding (asked only
        of a blank picture: it reads the page again).

    Returns
    -------
    list of str
        Warnings: what the picture kept could not load, how it was drawn if not at first, and that it is
        blank if it still is.

    Raises
    ------
    PreviewBlank
        It is still blank, and BLANK_PROXY is ``fail``.
    RenderError
        The first drawing made no picture.
    """
    timeout = context.settings.RENDER_TIMEOUT
    source = view.paths[0]
    report = renderer.render(source, raw, timeout, view, copy)
    scaler = context.image_scaler()
    if not scaler.is_near_uniform(raw) or not shows_something():
        return list(report.warnings)
    first = f"{engine} drew it blank" + (" cut to RENDER_PAGE_BYTES" if report.cut else "")
    tried = [first]
    others = list(other_engines(context, engine))
    attempts = [(engine, renderer)] if report.cut else []
    for name, again_renderer in attempts + others:
        how = "whole" if name == engine else f"by {name}"
        with context.temporary_file() as again:
            try:
                again_report = again_renderer.render(source, again, timeout, view, copy, whole=report.cut)
            except RenderError as e:
                logger.info("drawing %s %s again failed: %s", source.name, how, e)
                tried.append(f"drawn {how}, it failed: {e}")
                continue
            if not scaler.is_near_uniform(again):
                os.replace(again, raw)
                logger.info("%s: %s; drawn %s, it is not", source.name, first, how)
                return [*again_report.warnings, f"this preview was drawn {how}: {first}"]
        tried.append(f"drawn {how}, it is blank too")
    if not others:
        tried.append("no other HTML engine is enabled to try")
    return [*report.warnings, *blank_outcome(context, tried)]
