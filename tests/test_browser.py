"""Open the saved maps and report in headless Chromium, offline, and check what really happens.

Needs a system Chromium (Debian: ``apt-get install -y chromium``) or ``MOBILITY_CHROMIUM``;
Playwright drives it through ``executable_path`` (no ``playwright install``). Set
``MOBILITY_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import INJECTED_NAME

from mobility import maps
from mobility.report import closure_report

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "about:")
VIEWPORT = {"width": 1400, "height": 900}
_FLOW_TEXT = re.compile(
    r"[\d,]+ troops/day = [\d,.]+ (trains|vehicles)/day of [\d,.]+ \1/day \(\d+ %\)")


def chromium_path() -> str | None:
    """A Chromium binary: ``MOBILITY_CHROMIUM``, ``chromium`` on the PATH or Debian's."""
    candidates = [os.environ.get("MOBILITY_CHROMIUM"), shutil.which("chromium"),
                  "/usr/bin/chromium"]
    return next((c for c in candidates if c and Path(c).exists()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found: install Debian's chromium (apt-get install -y "
                    "chromium) or set MOBILITY_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageEvents:
    """What a page did: console errors, uncaught errors, requests, dialogs."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.dialogs == []  # the alert(1) payload never ran
        assert [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)] == []


def _open(browser, path: Path):
    page = browser.new_page(viewport=VIEWPORT)
    events = PageEvents()
    page.on("console", lambda m: m.type == "error" and events.console_errors.append(m.text))
    page.on("pageerror", lambda error: events.page_errors.append(str(error)))
    page.on("request", lambda request: events.requests.append(request.url))

    def on_dialog(dialog) -> None:
        events.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.resolve().as_uri())
    page.wait_for_function("window.mobilityMap !== undefined", timeout=10_000)
    return page, events


@pytest.fixture
def map_file(tmp_path, maps_graph, maps_result) -> Path:
    return maps.save_map(maps.closure_map(maps_graph, maps_result), tmp_path / "map.html")


def _drawn_paths(page) -> int:
    return page.evaluate("document.querySelectorAll('.leaflet-map-pane svg path').length")


def _open_all_tooltips(page) -> list[str]:
    """Open every layer's tooltip and return the tooltips' text as shown."""
    return page.evaluate("""() => {
        const map = window.mobilityMap.map;
        map.eachLayer(layer => { if (layer.getTooltip && layer.getTooltip()) {
            layer.openTooltip(layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter());
        } });
        return Array.from(document.querySelectorAll('.leaflet-tooltip'), t => t.textContent);
    }""")


def _screenshot_colours(png: bytes) -> tuple[int, float]:
    """Distinct colours in a PNG and the share of the most common one."""
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    rgb = np.round(pixels[..., :3] * 255).astype(np.int32).reshape(-1, 3)
    codes = rgb[:, 0] * 65536 + rgb[:, 1] * 256 + rgb[:, 2]
    _, counts = np.unique(codes, return_counts=True)
    return len(counts), counts.max() / counts.sum()


def test_map_runs_offline_without_errors(browser, map_file):
    page, events = _open(browser, map_file)
    tooltips = _open_all_tooltips(page)
    page.wait_for_timeout(300)  # give a broken image's onerror the time to fire
    assert any(INJECTED_NAME in text for text in tooltips)  # shown as text …
    assert page.locator(".leaflet-tooltip img").count() == 0  # … not as an element
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert any("Suwałki corridor, ≈65 km" in text for text in tooltips)
    assert any(_FLOW_TEXT.search(text) for text in tooltips)
    assert page.locator(".leaflet-control-scale-line").count() == 1
    assert "Legend" in page.locator(".mobility-legend").inner_text()
    events.assert_clean()
    page.close()


def test_layer_control_lists_and_toggles_layers(browser, map_file):
    page, events = _open(browser, map_file)
    assert page.locator(".leaflet-control-layers-expanded").count() == 0  # collapsed
    page.hover(".leaflet-control-layers")  # opens on hover (or tap)
    labels = page.locator(".leaflet-control-layers-overlays label")
    assert [text.strip() for text in labels.all_inner_texts()] == list(maps.LAYER_NAMES.values())
    before = _drawn_paths(page)
    toggle = labels.filter(has_text=maps.LAYER_NAMES["rail_1520"]).locator("input")
    toggle.uncheck()
    hidden = _drawn_paths(page)
    toggle.check()
    assert hidden < before
    assert _drawn_paths(page) == before
    basemap = labels.filter(has_text=maps.LAYER_NAMES["basemap"]).locator("input")
    basemap.uncheck()
    assert _drawn_paths(page) < before - 10  # countries, lakes, coast and borders went
    events.assert_clean()
    page.close()


def test_time_slider_plays_the_closure(browser, map_file, maps_result):
    page, events = _open(browser, map_file)
    text = page.locator(".mobility-day-text")
    assert text.inner_text() == "Day 12 of 12: 15,750 troops arrived"
    flows_last_day = page.evaluate("window.mobilityMap.layers.flows.getLayers().length")
    page.locator(".mobility-day").evaluate(
        "el => { el.value = '0'; el.dispatchEvent(new Event('input')); }")
    assert text.inner_text() == "Day 1 of 12: 0 troops arrived"
    # on day 1 only the rail lines carry flow; the road flow appears from day 2
    assert page.evaluate("window.mobilityMap.layers.flows.getLayers().length") == (
        flows_last_day - 1)
    assert "Rukla: 0" in page.locator(".mobility-arrival").inner_text()
    page.locator(".mobility-play").click()
    page.wait_for_function(
        "document.querySelector('.mobility-day-text').textContent.startsWith('Day 3 ')",
        timeout=5_000)
    assert "Pause" in page.locator(".mobility-play").inner_text()
    page.locator(".mobility-play").click()  # pause
    day = int(page.locator(".mobility-day").input_value()) + 1
    expected = f"{maps_result.arrivals_by(day):,.0f} troops arrived"
    assert text.inner_text().endswith(expected)
    events.assert_clean()
    page.close()


def test_screenshot_is_not_blank(browser, map_file, tmp_path):
    page, events = _open(browser, map_file)
    page.evaluate("window.mobilityMap.map.setView([54.6, 23.6], 8)")
    page.wait_for_timeout(300)
    folder = Path(os.environ.get("MOBILITY_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=folder / "closure-map.png")
    colours, top_share = _screenshot_colours(png)
    assert colours > 200
    assert top_share < 0.8
    events.assert_clean()
    page.close()


def test_report_runs_offline(browser, tmp_path, maps_graph, maps_result):
    path = closure_report(maps_graph, maps_result, tmp_path / "report.html")
    page = browser.new_page(viewport=VIEWPORT)
    events = PageEvents()
    page.on("console", lambda m: m.type == "error" and events.console_errors.append(m.text))
    page.on("pageerror", lambda error: events.page_errors.append(str(error)))
    page.on("request", lambda request: events.requests.append(request.url))
    page.on("dialog", lambda dialog: (events.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.resolve().as_uri())
    frame = page.frame_locator("iframe.map")
    frame.locator(".leaflet-control-layers").wait_for(timeout=10_000)
    assert frame.locator(".leaflet-map-pane svg path").count() > 20
    assert INJECTED_NAME in page.locator("body").inner_text()
    assert page.locator("img.plot").evaluate("img => img.naturalWidth") > 500
    events.assert_clean()
    page.close()
