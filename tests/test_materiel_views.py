"""The materiel map and report: offline, escaped, and (with Chromium) drawn without errors."""

from __future__ import annotations

import datetime as dt

import pytest

from mobility.materiel import MaterielPlan, materiel
from mobility.materiel.views import comparison_rows, materiel_map, report_html
from mobility.network import load_network
from mobility.viz._offline import fetched_urls
from mobility.viz.maps import map_html

INJECTED = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def graph():
    return load_network()


@pytest.fixture(scope="module")
def plans_and_results(graph):
    plans = []
    for n, rate in enumerate((5, 4)):
        plans.append(MaterielPlan.model_validate({
            "name": f"plan-{n}", "start": dt.date(2029, 1, 1), "deadline": dt.date(2029, 2, 1),
            "items": [{"id": "bunker", "name": INJECTED, "pieces_per_unit": 2,
                       "piece_weight_t": 10, "piece_length_m": 4, "piece_width_m": 2.5,
                       "piece_height_m": 2.5, "source": "test"}],
            "production": [{"id": "plant", "name": INJECTED, "node": "tallinn",
                            "output_units_per_week": {"bunker": rate}, "source": INJECTED}],
            "storage_areas": [{"id": "area", "name": INJECTED, "lon": 27.9, "lat": 59.3,
                               "access_node": "narva", "last_mile_km": 15,
                               "last_mile_road_class": "primary",
                               "demand_units": {"bunker": 20}, "source": INJECTED,
                               "installation": {"crews": 4, "cranes": 2}}],
            "fleet": [{"id": "truck", "name": "truck", "kind": "truck", "count": 6,
                       "payload_t": 20, "deck_length_m": 8, "deck_width_m": 2.55,
                       "loaded_speed_kph": 60, "empty_speed_kph": 70, "source": "test"}],
        }))
    return plans, [materiel(plan, graph=graph) for plan in plans]


def test_map_and_report_fetch_nothing_and_escape_plan_text(graph, plans_and_results):
    plans, results = plans_and_results
    page = map_html(materiel_map(graph, results, plans))
    report = report_html(graph, results, plans)
    for text in (page, report):
        assert not fetched_urls(text)
        assert INJECTED not in text
    assert "Storage areas: plan-1" in page and "Deliveries: plan-0" in page
    assert "Completion compared with the first plan" in report


def test_comparison_rows_count_days_against_the_first_plan(plans_and_results):
    _, results = plans_and_results
    rows = {(r["plan"], r["area"]): r for r in comparison_rows(results)}
    assert rows["plan-0", "overall"]["days_later_than_first"] == 0
    assert rows["plan-1", "overall"]["days_later_than_first"] > 0  # 4 a week instead of 5
    assert rows["plan-1", "area"]["completion"] == results[1].completion


def test_materiel_is_a_stage_of_the_package_with_its_function():
    import mobility

    assert mobility.materiel.__name__ == "mobility.materiel"  # the stage, as a module
    assert callable(mobility.materiel.materiel)
    assert mobility.MaterielResult is mobility.materiel.MaterielResult


@pytest.mark.browser
def test_map_draws_offline_without_errors_in_chromium(graph, plans_and_results, tmp_path):
    from mobility.viz.browser_export import chromium_path

    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found: install Debian's chromium (apt-get install -y "
                    "chromium) or set MOBILITY_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    plans, results = plans_and_results
    path = tmp_path / "materiel.html"
    path.write_text(map_html(materiel_map(graph, results, plans)))
    errors, external, dialogs = [], [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1200, "height": 800})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: external.append(r.url)
                if not r.url.startswith(("file:", "data:", "about:")) else None)
        page.goto(path.as_uri())
        page.wait_for_timeout(800)
        # the storage areas, the last-mile lines and the plants are drawn as SVG paths
        paths = page.locator("path.leaflet-interactive").count()
        labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
        browser.close()
    assert errors == [] and external == [] and dialogs == []
    assert paths > 10
    assert any("Storage areas: plan-0" in label for label in labels)
    assert any("Plants: plan-1" in label for label in labels)
