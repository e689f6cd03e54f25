"""PDF and PNG of a map or report through headless Chromium, printed as a browser prints it.

The page is opened from its file, every request that is not ``file:``, ``data:`` or
``about:`` is refused (the pages are offline; this proves it while exporting), the print
style is applied and each map on the page (also one in a report's ``<iframe>``) is told it is
being printed (the ``beforeprint`` event, so it refits the theatre to the page), then Chromium
prints it (PDF: A4 or US letter, landscape) or takes a full-page screenshot (PNG). Chromium is
driven through Playwright with the system binary (Debian's ``chromium``, or
``MOBILITY_CHROMIUM``); ``playwright install`` is not needed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mobility._errors import MobilityError
from mobility._io import atomic_write_bytes

#: Chromium flags for an offline, headless run (no sandbox: containers run as root).
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run")
LOCAL_SCHEMES = ("file:", "data:", "about:")
#: Paper sizes :func:`export_page` prints on (landscape), and their long side in mm.
PAPER_FORMATS = {"a4": "A4", "letter": "Letter"}
PAPER_WIDTH_MM = {"a4": 297.0, "letter": 279.4}
#: The page margin of the report's and maps' print style (``@page``), in mm.
PRINT_MARGIN_MM = 10.0
#: Window size for PNG exports and for laying the page out before printing (pixels).
VIEWPORT_PX = {"width": 1366, "height": 768}
EXPORT_FORMATS = (".pdf", ".png")


class BrowserExportError(MobilityError):
    """Chromium or Playwright is missing, or the page could not be exported."""


def chromium_path() -> str | None:
    """A Chromium binary: ``MOBILITY_CHROMIUM``, ``chromium`` on the PATH or Debian's, or
    ``None``."""
    candidates = [os.environ.get("MOBILITY_CHROMIUM"), shutil.which("chromium"),
                  shutil.which("chromium-browser"), "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).exists()), None)


def _require_browser() -> tuple[str, object]:
    executable = chromium_path()
    if executable is None:
        msg = ("cannot export: Chromium not found; install Debian's chromium "
               "(apt-get install -y chromium) or set MOBILITY_CHROMIUM to its path")
        raise BrowserExportError(msg)
    try:
        from playwright import sync_api
    except ImportError:
        msg = ("cannot export: the Python package 'playwright' is missing; "
               "pip install 'baltic-mobility[export]' (Chromium itself is found at "
               f"{executable})")
        raise BrowserExportError(msg) from None
    return executable, sync_api


def check_export(targets: list[Path], *, paper: str = "a4") -> tuple[str, object]:
    """Check export targets and paper, and that Chromium and Playwright are there, before any
    long work; returns (Chromium's path, Playwright's sync API).

    Raises
    ------
    BrowserExportError
        A suffix other than ``.pdf``/``.png``, an unknown paper, or no browser.
    """
    for target in targets:
        suffix = Path(target).suffix.lower()
        if suffix not in EXPORT_FORMATS:
            msg = f"{target}: cannot export to {suffix or 'no suffix'!r}; valid: .pdf, .png"
            raise BrowserExportError(msg)
    if paper.lower() not in PAPER_FORMATS:
        msg = f"paper {paper!r} is not known; valid: {', '.join(PAPER_FORMATS)}"
        raise BrowserExportError(msg)
    return _require_browser()


def export_page(html_path: str | Path, out_path: str | Path, *, paper: str = "a4",
                timeout_s: float = 30.0) -> Path:
    """Print ``html_path`` to a PDF, or screenshot it to a PNG, by the suffix of ``out_path``.

    Parameters
    ----------
    html_path
        A map or report from :func:`mobility.viz.maps.save_map` or
        :func:`mobility.viz.report.closure_report`.
    out_path
        ``.pdf`` (printed on ``paper``, landscape, print style) or ``.png`` (the whole page at
        :data:`VIEWPORT_PX` wide, screen style); written atomically.
    paper
        ``a4`` or ``letter``.
    timeout_s
        How long to wait for the page and its maps to load.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    BrowserExportError
        Chromium or Playwright is missing, the suffix or paper is not one of the valid ones,
        or the page tried to fetch something from the network.
    """
    target = Path(out_path)
    suffix = target.suffix.lower()
    executable, sync_api = check_export([target], paper=paper)
    refused: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(LOCAL_SCHEMES):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    with sync_api.sync_playwright() as playwright:  # type: ignore[attr-defined]
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=list(CHROMIUM_ARGS))
        try:
            viewport = dict(VIEWPORT_PX)
            if suffix == ".pdf":
                # lay the page out as wide as the paper, so maps fit the width they print at
                width_mm = PAPER_WIDTH_MM[paper.lower()] - 2 * PRINT_MARGIN_MM
                viewport["width"] = round(width_mm / 25.4 * 96)
            page = browser.new_page(viewport=viewport)
            page.route("**/*", route)
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load",
                      timeout=timeout_s * 1000)
            for frame in page.frames:
                frame.wait_for_function("typeof mobilityClosureMap === 'undefined' || "
                                        "window.mobilityMap !== undefined",
                                        timeout=timeout_s * 1000)
            if suffix == ".pdf":
                page.emulate_media(media="print")
                for frame in page.frames:
                    frame.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                page.wait_for_timeout(300)
                data = page.pdf(format=PAPER_FORMATS[paper.lower()], landscape=True,
                                print_background=True, prefer_css_page_size=False)
            else:
                page.wait_for_timeout(300)
                data = page.screenshot(full_page=True)
        finally:
            browser.close()
    if refused:
        msg = f"{html_path}: the page tried to fetch {refused[0]!r}; not exported"
        raise BrowserExportError(msg)
    return atomic_write_bytes(target, data)
