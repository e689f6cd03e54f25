"""Open the saved maps and report in headless Chromium, offline, and check what really happens.

Needs a system Chromium (Debian: ``apt-get install -y chromium``) or ``MOBILITY_CHROMIUM``;
Playwright drives it through ``executable_path`` (no ``playwright install``). Set
``MOBILITY_SCREENSHOT_DIR`` to keep the screenshots.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from conftest import INJECTED_NAME

from mobility.viz import maps
from mobility.viz.browser_export import chromium_path
from mobility.viz.report import closure_report

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_SCHEMES = ("file:", "data:", "about:")
VIEWPORT = {"width": 1400, "height": 900}
_FLOW_TEXT = re.compile(
    r"[\d,]+ troops/day = [\d,.]+ (trains|vehicles)/day of [\d,.]+ \1/day \(\d+ %\)")


def _chromium() -> str:
    """The Chromium the browser tests drive; skipped where there is none (``.ci/run``
    installs Debian's), with what to install."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found: install Debian's chromium (apt-get install -y "
                    "chromium) or set MOBILITY_CHROMIUM")
    return executable


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = _chromium()
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


def _open(browser, path: Path, viewport: dict[str, int] = VIEWPORT):
    page = browser.new_page(viewport=viewport)
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


def test_gauge_transfer_tooltips_show_use_by_day(browser, map_file, maps_result, tmp_path):
    page, events = _open(browser, map_file)
    use = maps_result.transfer_use.set_index(["node", "day"])

    def tooltip(name: str) -> str:
        return page.evaluate("""(name) => { let text = null;
            window.mobilityMap.map.eachLayer(layer => {
                if (layer.getTooltip && layer.getTooltip() && layer.getLatLng &&
                    layer.getTooltip().getContent().startsWith('<b>' + name + '</b>')) {
                    layer.openTooltip(); text = layer.getTooltip().getElement().textContent; }
            });
            return text; }""", name)

    def expected(node: str, day: int) -> str:
        row = use.loc[(node, day)]
        return maps.use_text(row.flow_units_per_day, row.capacity_units_per_day, "train")

    last = int(maps_result.horizon_days)
    text = tooltip("Mockava")
    assert f"Transfers on day {last}: {expected('mockava', last)}" in text
    peak = use.loc["mockava"]["flow_units_per_day"].idxmax()
    assert f"Transfers: peak {expected('mockava', peak)} on day {peak}" in text
    page.screenshot(path=_screenshot_dir(tmp_path) / "transfer-tooltip.png")
    page.evaluate("window.mobilityMap.setDay(0)")
    assert f"Transfers on day 1: {expected('mockava', 1)}" in tooltip("Mockava")
    assert "Transfers on day 1: 0 trains/day of 6 trains/day (0 %)" in tooltip("Šeštokai")
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


# --- briefing: labels, panels, print ---------------------------------------------------------

SMALL_SCREENS = [{"width": 1366, "height": 768}, {"width": 1280, "height": 720}]
#: (lat, lon) of the three capitals a printed page must show.
CAPITALS = {"Vilnius": (54.687, 25.280), "Rīga": (56.949, 24.106), "Tallinn": (59.437, 24.754)}


def _screenshot_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("MOBILITY_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _visible_label_boxes(page) -> list[dict]:
    """Text and client rectangle of every place label the map shows."""
    return page.evaluate("""() => Array.from(document.querySelectorAll('.mobility-place'))
        .filter(el => el.style.display !== 'none' && el.style.visibility !== 'hidden')
        .map(el => { const r = el.firstChild.getBoundingClientRect();
                     return {text: el.textContent, x1: r.left, y1: r.top, x2: r.right,
                             y2: r.bottom}; })""")


def _overlap(a: dict, b: dict, slack_px: float = 0.5) -> bool:
    return (a["x1"] + slack_px < b["x2"] and b["x1"] + slack_px < a["x2"]
            and a["y1"] + slack_px < b["y2"] and b["y1"] + slack_px < a["y2"])


def _panel_boxes(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control'))
        .map(el => el.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
        .map(r => ({x1: r.left, y1: r.top, x2: r.right, y2: r.bottom}))""")


@pytest.mark.parametrize("zoom", [None, 8.0])
def test_place_labels_are_shown_and_never_overlap(browser, map_file, tmp_path, zoom):
    page, events = _open(browser, map_file, SMALL_SCREENS[0])
    if zoom is not None:
        page.evaluate(f"window.mobilityMap.map.setView([54.35, 23.4], {zoom}, {{animate: false}})")
    boxes = _visible_label_boxes(page)
    texts = [box["text"] for box in boxes]
    assert "Rukla: 15,750" in texts  # the destination's label carries its arrivals
    assert {"Warszawa Praga", "Kaunas", "Klaipėda"} <= set(texts) if zoom is None else True
    if zoom is not None:  # zoomed in on the Suwałki gap: its crowded sites all get a label
        assert {"Mockava", "Šeštokai", "Trakiszki", "Budzisko"} <= set(texts)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (a, b)
        for panel in _panel_boxes(page):
            assert not _overlap(a, panel), (a, panel)
    name = "labels-default.png" if zoom is None else f"labels-zoom{zoom:g}.png"
    page.screenshot(path=_screenshot_dir(tmp_path) / name)
    events.assert_clean()
    page.close()


def test_labels_thin_out_as_the_map_zooms_out(browser, map_file):
    page, events = _open(browser, map_file, SMALL_SCREENS[0])
    counts = {}
    for zoom in (5.0, 9.0):
        page.evaluate(f"window.mobilityMap.map.setView([54.6, 23.6], {zoom}, {{animate: false}})")
        counts[zoom] = {box["text"] for box in _visible_label_boxes(page)}
    assert INJECTED_NAME not in counts[5.0]  # a junction: only from zoom 8
    assert counts[5.0] < counts[9.0] or len(counts[5.0]) < len(counts[9.0])
    assert page.evaluate("window.mobilityMap.map.getMinZoom()") == maps.ZOOM_RANGE[0]
    assert page.evaluate("window.mobilityMap.map.getMaxZoom()") == maps.ZOOM_RANGE[1]
    events.assert_clean()
    page.close()


def test_basemap_fades_out_at_its_edge(browser, map_file, tmp_path):
    """Across the basemap's eastern edge (Russia at 57.5° N) the land turns into the sea
    colour without a step at every zoom: no two neighbouring pixels differ by more than a
    few levels."""
    import matplotlib.image

    page, events = _open(browser, map_file, SMALL_SCREENS[0])
    page.add_style_tag(content=".leaflet-control-container, .mobility-label { display: none; }")
    edge = 33.0  # the Natural Earth extract ends at 33° E
    # half the width looked at, in degrees: from 30° E (all Russia) at the smallest zoom
    for zoom, half in ((maps.ZOOM_RANGE[0], 3.0), (8.0, 2.5), (maps.ZOOM_RANGE[1], 0.1)):
        page.evaluate(f"window.mobilityMap.map.setView([57.5, {edge}], {zoom}, "
                      "{animate: false})")
        xs, y = page.evaluate(f"""() => {{ const m = window.mobilityMap.map;
            const a = m.latLngToContainerPoint([57.5, {edge - half}]);
            const b = m.latLngToContainerPoint([57.5, {edge + half}]);
            return [[Math.round(a.x), Math.round(b.x)], Math.round(a.y)]; }}""")
        png = page.screenshot(path=_screenshot_dir(tmp_path) / f"basemap-edge-zoom{zoom:g}.png")
        pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3] * 255
        row = pixels[y, max(xs[0], 0):min(xs[1], pixels.shape[1])].astype(float)
        steps = np.abs(np.diff(row, axis=0)).max()
        assert steps <= 4, (zoom, steps)  # a hard edge between land and sea steps by ~20
        if zoom == maps.ZOOM_RANGE[0]:  # the land really is there, and really ends
            assert np.abs(row[0] - row[-1]).max() > 10
    events.assert_clean()
    page.close()


@pytest.mark.parametrize("viewport", SMALL_SCREENS, ids=lambda v: f"{v['width']}x{v['height']}")
def test_panels_do_not_cover_the_baltic_states(browser, map_file, tmp_path, viewport):
    page, events = _open(browser, map_file, viewport)
    baltic = page.evaluate("""() => { const m = window.mobilityMap.map;
        const b = window.mobilityMap.data.baltic;
        const sw = m.latLngToContainerPoint(b[0]), ne = m.latLngToContainerPoint(b[1]);
        const o = m.getContainer().getBoundingClientRect();
        return {x1: sw.x + o.left, y1: ne.y + o.top, x2: ne.x + o.left, y2: sw.y + o.top}; }""")
    size = page.evaluate("[window.innerWidth, window.innerHeight]")
    assert baltic["x1"] >= 0 and baltic["y1"] >= 0  # the whole of the three states is in view
    assert baltic["x2"] <= size[0] and baltic["y2"] <= size[1]
    panels = _panel_boxes(page)
    assert len(panels) >= 5  # title, zoom, layers, legend, slider, scale, attribution
    for panel in panels:
        assert not _overlap(panel, baltic), (panel, baltic)
    assert page.locator("details.mobility-collapsible").count() == 2  # both collapse
    page.locator(".mobility-legend summary").click()
    assert page.locator(".mobility-legend details").evaluate("d => d.open") is False
    page.screenshot(path=_screenshot_dir(tmp_path) / f"panels-{viewport['width']}.png")
    events.assert_clean()
    page.close()


def test_bottleneck_badges_are_ranked(browser, map_file):
    page, events = _open(browser, map_file)
    assert page.locator(".mobility-rank span").all_inner_texts() == ["1", "2"]
    ranks = page.locator(".mobility-ranks li").all_inner_texts()
    assert ranks[0].startswith("Mockava gauge transfer")  # on the minimum cut: first
    events.assert_clean()
    page.close()


def _visible_badge_boxes(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('.mobility-rank'))
        .filter(el => el.style.display !== 'none')
        .map(el => { const r = el.firstChild.getBoundingClientRect();
                     return {text: el.textContent, x1: r.left, y1: r.top, x2: r.right,
                             y2: r.bottom}; })""")


def test_ranked_badges_never_overlap(browser, tmp_path, maps_graph, maps_result):
    from mobility.viz.map_layers import Highlight

    # a badge on every node as well as the two bottlenecks': crowded at low zoom
    ranked = [Highlight(layer="Critical links and nodes", element_id=str(node), label=str(node),
                        score=1.0, rank=rank) for rank, node in enumerate(maps_graph.nodes, 1)]
    path = maps.save_map(maps.closure_map(maps_graph, maps_result, highlights=ranked),
                         tmp_path / "badges.html")
    page, events = _open(browser, path, SMALL_SCREENS[0])
    total = page.locator(".mobility-rank").count()
    assert total == len(ranked) + 2
    shown = {}
    for zoom in (5.0, 7.0, 12.0):
        page.evaluate(f"window.mobilityMap.map.setView([54.6, 23.6], {zoom}, {{animate: false}})")
        boxes = _visible_badge_boxes(page)
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not _overlap(a, b), (zoom, a, b)
        shown[zoom] = [box["text"] for box in boxes]
        if zoom == 5.0:
            page.screenshot(path=_screenshot_dir(tmp_path) / "badges-zoom5.png")
    assert "1" in shown[5.0]  # the best-ranked badge keeps its place
    assert len(shown[5.0]) < total  # thinned where they crowd …
    assert len(shown[5.0]) <= len(shown[7.0]) <= len(shown[12.0])  # … and back as you zoom in
    events.assert_clean()
    page.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_map_shows_the_baltic_states(browser, map_file, tmp_path, paper):
    page, events = _open(browser, map_file, SMALL_SCREENS[0])
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    inside = page.evaluate("""(capitals) => { const b = window.mobilityMap.map.getBounds();
        return Object.fromEntries(Object.entries(capitals).map(
            ([name, ll]) => [name, b.contains(L.latLng(ll[0], ll[1]))])); }""", CAPITALS)
    assert inside == dict.fromkeys(CAPITALS, True)
    assert page.locator(".leaflet-control-zoom").is_hidden()
    assert page.locator(".leaflet-control-layers").is_hidden()
    assert page.locator(".mobility-play").is_hidden()
    assert page.locator(".mobility-title").is_visible()  # the briefing stays on the page
    pdf = page.pdf(format=paper, landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the map fits one page
    (_screenshot_dir(tmp_path) / f"map-{paper}.pdf").write_bytes(pdf)
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    events.assert_clean()
    page.close()


def test_report_exports_to_pdf_and_png_offline(tmp_path):
    """``mobility report … --pdf --png`` in a process of its own (the module's browser runs
    Playwright's event loop here); the export refuses any request that leaves the file."""
    _chromium()
    pytest.importorskip("playwright.sync_api")
    folder = _screenshot_dir(tmp_path)
    scenario = Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "mobility.cli", "report", str(scenario),
         "--out", str(tmp_path / "report.html"), "--pdf", str(folder / "report.pdf"),
         "--png", str(folder / "report.png"), "--paper", "letter"],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    pdf = (folder / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2
    assert b"/MediaBox [0 0 792 612]" in pdf  # US letter, landscape
    assert (folder / "report.png").read_bytes().startswith(b"\x89PNG")


def test_difference_map_runs_offline_and_marks_what_changed(browser, tmp_path):
    import pandas as pd

    from mobility.analysis.compare import Comparison
    from mobility.engines import closure, network_for
    from mobility.scenario import load_scenario
    from mobility.viz.compare_views import comparison_map

    fixtures = Path(__file__).parent / "fixtures"
    scenarios = [load_scenario(str(fixtures / name)) for name in
                 ("tiny-fleet-scenario.yaml", "tiny-fleet-road-closed.yaml")]
    results = [closure(network_for(s), s) for s in scenarios]
    comparison = Comparison(results=results, day=30, edge_changes=pd.DataFrame())
    path = maps.save_map(comparison_map(network_for(scenarios[1]), comparison, scenarios),
                         tmp_path / "difference.html")
    page, events = _open(browser, path, SMALL_SCREENS[0])
    page.hover(".leaflet-control-layers")
    overlays = [t.strip() for t in
                page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert {"Flow gained (troops moved)", "Flow lost (troops moved)", "Closed"} <= set(overlays)
    title = page.locator(".mobility-title").inner_text()
    assert "Compared with tiny-fleet" in title and "days (lost)" in title
    page.screenshot(path=_screenshot_dir(tmp_path) / "difference-map.png")
    events.assert_clean()
    page.close()


def test_interdiction_map_draws_the_rerouted_flows(browser, tmp_path):
    from mobility.analysis.interdiction import interdict, rerouting
    from mobility.engines import network_for
    from mobility.scenario import load_scenario
    from mobility.viz.analysis_reports import analysis_map, interdiction_summary
    from mobility.viz.map_layers import interdiction_highlights

    scenario = load_scenario(str(Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"))
    graph = network_for(scenario)
    plan = interdict(graph, scenario, cuts=1)
    rerouted = rerouting(graph, scenario, plan)
    assert rerouted is not None and any(lost and lost > 0 for lost in plan.days_lost)
    path = maps.save_map(analysis_map(graph, title="Interdiction plan, K = 1", scenario=scenario,
                                      highlights=interdiction_highlights(plan),
                                      summary=interdiction_summary(plan), rerouted=rerouted),
                         tmp_path / "interdiction.html")
    page, events = _open(browser, path, SMALL_SCREENS[0])
    page.evaluate("window.mobilityMap.setDay(3)")  # day 4: the force is still moving
    page.hover(".leaflet-control-layers")
    overlays = [t.strip() for t in
                page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert {"Flow gained (troops moved)", "Flow lost (troops moved)",
            "Interdiction plan (K = 1)", "Flows (troops/day)"} <= set(overlays)
    assert page.evaluate("window.mobilityMap.layers.flows.getLayers().length") > 0
    assert "Throughput" in page.locator(".mobility-title").inner_text()
    page.mouse.move(5, 400)
    page.evaluate("window.mobilityMap.map.setView([54.3, 24.0], 8, {animate: false})")
    page.screenshot(path=_screenshot_dir(tmp_path) / "interdiction-map.png")
    events.assert_clean()
    page.close()


def test_investment_map_is_ranked_with_a_key(browser, tmp_path):
    from mobility.analysis.investments import (
        Catalogue,
        catalogue_network,
        evaluate_investments,
        investment_layers,
    )
    from mobility.scenario import load_scenario
    from mobility.viz.analysis_reports import analysis_map
    from mobility.viz.map_layers import (
        investment_highlights,
        investment_key,
        investment_ranking,
        ranked_investments,
    )

    scenario = load_scenario(str(Path(__file__).parent / "fixtures" / "tiny-fleet-scenario.yaml"))
    common = {"source": "test", "cost_source": "test"}
    catalogue = Catalogue.model_validate({"investments": [
        {"id": "road", "name": "E67 four lanes", "cost_eur": 20e6,
         "edge_capacity": [{"edge": "road-hub-camp", "factor": 3}], **common},
        {"id": "gauge", "name": "Šeštokai transfer", "cost_eur": 10e6,
         "transfer_capacity": [{"node": "sestokai", "factor": 3}], **common},
        {"id": "borders", "name": "Faster borders", "cost_eur": 5e6, "border_delay_h": 0,
         **common}]})
    result = evaluate_investments(scenario, catalogue=catalogue, shadow=False)
    graph = catalogue_network(scenario, catalogue)
    ranking = investment_ranking(result)
    highlights = investment_highlights(graph, investment_layers(graph, catalogue),
                                       result.best.ids if result.best else (), ranking)
    path = maps.save_map(analysis_map(graph, title="Investments", scenario=scenario,
                                      highlights=highlights,
                                      key_rows=investment_key(ranking, result.objective)),
                         tmp_path / "investments.html")
    page, events = _open(browser, path, SMALL_SCREENS[0])
    page.evaluate("window.mobilityMap.map.setView([54.3, 24.0], 9, {animate: false})")
    # one badge per investment, numbered by the report's rank
    badges = sorted(int(t) for t in page.locator(".mobility-rank span").all_inner_texts())
    assert badges == list(range(1, len(catalogue.investments) + 1))
    page.screenshot(path=_screenshot_dir(tmp_path) / "investment-map.png")
    first = ranked_investments(result)[0].investment
    assert any(f"#1 {first.name}" in text for text in _open_all_tooltips(page))
    legend = page.locator(".mobility-legend").inner_text()
    assert "Numbered badges: rank of each investment alone" in legend
    most = max(days for _, days in ranking.values())
    if most > 0:  # the widths' key states the days saved
        assert f"saves {most:.1f} days over the targets" in legend
    for box in _visible_badge_boxes(page):
        for other in _visible_badge_boxes(page):
            assert box == other or not _overlap(box, other)
    events.assert_clean()
    page.close()


def test_flashpoint_and_materiel_maps_run_offline(browser, tmp_path):
    """The issue-17 maps: the flashpoint area and the units' moves; storage areas and
    deliveries; offline, without errors, the theatre clear of the panels."""
    from mobility.massing import load_flashpoint, mass, network_for_flashpoint
    from mobility.massing.views import massing_map
    from mobility.materiel import load_plan, materiel, network_for_plan
    from mobility.materiel.views import materiel_map

    flashpoint = load_flashpoint("narva")
    graph = network_for_flashpoint(flashpoint)
    massed = mass(flashpoint, graph=graph)
    plan = load_plan("estonia-bunkers")
    plan_graph = network_for_plan(plan)
    delivered = materiel(plan, graph=plan_graph, marginal=False)
    for name, built, wanted in (
            ("flashpoint", massing_map(graph, [massed], [flashpoint]), "Narva"),
            ("materiel", materiel_map(plan_graph, [delivered], [plan]), "bunker")):
        path = maps.save_map(built, tmp_path / f"{name}.html")
        page, events = _open(browser, path, SMALL_SCREENS[0])
        assert _drawn_paths(page) > 50
        assert wanted.lower() in page.locator(".mobility-title").inner_text().lower()
        page.hover(".leaflet-control-layers")
        overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        assert len(overlays) >= 3
        page.screenshot(path=_screenshot_dir(tmp_path) / f"{name}-map.png")
        events.assert_clean()
        page.close()
