"""The pieces behind issue 15, in process: the safe YAML loader, outputs written as a set,
GeoPackage/GeoParquet exports, the sweep's input fingerprint and the route snap limit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mobility._errors import MobilityError, OutputPathError
from mobility._io import atomic_write_set, check_output
from mobility._yaml import MAX_DEPTH, parse_yaml, read_yaml

FIXTURES = Path(__file__).parent / "fixtures"


# --- YAML ---------------------------------------------------------------------------------


def test_the_loader_reads_what_pyyaml_reads_for_ordinary_files():
    for path in sorted((Path(__file__).parents[1] / "data").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text) == yaml.safe_load(text), path


def test_anchors_and_merge_keys_still_work():
    assert parse_yaml("base: &b {x: 1}\nother: {<<: *b, y: 2}\n") == {
        "base": {"x": 1}, "other": {"x": 1, "y": 2}}


@pytest.mark.parametrize(("text", "message"), [
    ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first at line 1)"),
    ("x: [" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), f"nested deeper than {MAX_DEPTH}"),
    ("a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, n in zip("abcd", "bcde", strict=True)), "expand to more than 100,000 values"),
])
def test_refused_documents_name_the_problem(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MobilityError, match="x.yaml: not valid YAML") as error:
        read_yaml(path)
    assert message in str(error.value)


def test_nesting_just_inside_the_limit_is_read():
    depth = MAX_DEPTH - 1
    assert parse_yaml("[" * depth + "]" * depth) is not None


# --- outputs ------------------------------------------------------------------------------


def test_a_set_whose_second_file_fails_leaves_nothing(tmp_path):
    files = {tmp_path / "out" / "a.txt": "first", tmp_path / "out" / "deep" / "b.bin": object()}
    with pytest.raises(TypeError):
        atomic_write_set(files)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_set_is_written_whole(tmp_path):
    written = atomic_write_set({tmp_path / "o" / "a.txt": "x", tmp_path / "o" / "b.bin": b"y"})
    assert sorted(p.name for p in written) == ["a.txt", "b.bin"]
    assert (tmp_path / "o" / "a.txt").read_text() == "x"
    assert oct((tmp_path / "o" / "b.bin").stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["a.txt", "b.bin"]


def test_output_checks_create_nothing(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        check_output(tmp_path / "file" / "a" / "m.html", "--map")
    with pytest.raises(OutputPathError, match="this is a file; give a folder"):
        check_output(tmp_path / "file", "--out", folder=True)
    with pytest.raises(OutputPathError, match="this is a folder; give a file name"):
        check_output(tmp_path, "--map")
    assert check_output(tmp_path / "new" / "deeper" / "m.html", "--map").name == "m.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet"])
def test_geodata_export_holds_every_day_or_the_chosen_day(tmp_path, maps_graph, maps_result,
                                                          suffix):
    import geopandas as gpd

    from mobility.viz.export import write_outputs

    read = gpd.read_file if suffix == ".gpkg" else gpd.read_parquet
    every = read(write_outputs(maps_result, tmp_path / f"all{suffix}", maps_graph)[0])
    flows = maps_result.edge_flows
    assert len(every) == len(flows)
    assert sorted(set(every["day"])) == sorted(set(flows["day"]))
    assert every.crs.to_epsg() == 4326
    assert set(every.geom_type) == {"LineString"}
    one = read(write_outputs(maps_result, tmp_path / f"day{suffix}", maps_graph, day=5)[0])
    assert set(one["day"]) == {5}
    assert len(one) == (flows["day"] == 5).sum()
    assert one["flow_troops_per_day"].sum() == pytest.approx(
        flows.loc[flows["day"] == 5, "flow_troops_per_day"].sum())


def test_export_refuses_a_day_without_flows_and_an_unknown_file_type(tmp_path, maps_graph,
                                                                     maps_result):
    from mobility.viz.export import write_outputs

    with pytest.raises(MobilityError, match=r"^day 400: no edge flows on that day"):
        write_outputs(maps_result, tmp_path / "f.gpkg", maps_graph, day=400)
    with pytest.raises(OutputPathError, match=r"cannot write a \.xlsx file"):
        write_outputs(maps_result, tmp_path / "f.xlsx", maps_graph)
    assert list(tmp_path.iterdir()) == []


# --- sweeps -------------------------------------------------------------------------------


def _tiny_sweep(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "tiny", tmp_path / "tiny")
    scenario = (FIXTURES / "tiny-scenario.yaml").read_text(encoding="utf-8")
    (tmp_path / "s.yaml").write_text(scenario, encoding="utf-8")
    path = tmp_path / "w.yaml"
    path.write_text("name: fp\nbase_scenario: s.yaml\nruns: 2\nseed: 3\n", encoding="utf-8")
    return path


def test_a_changed_network_is_refused_on_resume_and_named(tmp_path):
    from mobility.sweep import PARTS, SweepError, run_sweep

    sweep = _tiny_sweep(tmp_path)
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=0, max_runs=1)
    assert run_sweep(sweep, out, workers=0).resumed_runs == 1  # same inputs: resumes
    assert pd.read_parquet(out / PARTS)["run"].tolist() == [0, 1]
    edges = tmp_path / "tiny" / "edges.csv"
    edges.write_text(edges.read_text().replace(",60,20,1435,", ",60,10,1435,"))
    with pytest.raises(SweepError, match=r"computed from other inputs \(changed since: "
                                         r"network\)"):
        run_sweep(sweep, out, workers=0)


def test_a_changed_base_scenario_is_refused_and_named(tmp_path):
    from mobility.sweep import SweepError, run_sweep

    sweep = _tiny_sweep(tmp_path)
    out = tmp_path / "out"
    run_sweep(sweep, out, workers=0, max_runs=1)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(scenario.read_text().replace("default_h: 6", "default_h: 7"))
    with pytest.raises(SweepError, match=r"changed since: base scenario\)"):
        run_sweep(sweep, out, workers=0)


def test_fingerprint_covers_force_list_and_version(tmp_path, monkeypatch):
    import importlib.metadata

    from mobility.scenario import load_scenario
    from mobility.sweep import input_digests, load_sweep

    base = load_scenario(FIXTURES / "tiny-fleet-scenario.yaml")
    sweep = load_sweep(_tiny_sweep(tmp_path))
    digests = input_digests(sweep, base)
    assert {"sweep", "base scenario", "network", "force list", "fleets", "unit profiles",
            "planning factors", "package version"} <= set(digests)
    monkeypatch.setattr(importlib.metadata, "version", lambda _name: "9.9.9")
    assert input_digests(sweep, base)["package version"] == "9.9.9"


# --- route snapping -----------------------------------------------------------------------


def test_coordinates_far_from_the_network_are_refused_with_the_nearest_node():
    from mobility.routing import route, route_network

    graph = route_network(None)
    with pytest.raises(MobilityError, match=r"'-33.87,151.21' is 1\d,\d{3}\.\d km from the "
                                            r"nearest node .* the limit is 25 km"):
        route(graph, "-33.87,151.21", "Kaunas")
    near = route(graph, "54.68,25.28", "Kaunas")  # Vilnius
    assert near.from_.snap_km is not None and near.from_.snap_km < 25
    with pytest.raises(MobilityError, match="the limit is 1 km"):
        route(graph, "54.68,25.28", "Kaunas", max_snap_km=1)


def test_the_strict_loader_is_not_installed_globally():
    # Other libraries reading YAML keep PyYAML's own behaviour.
    assert yaml.safe_load("a: 1\na: 2\n") == {"a": 2}


def test_terminal_progress_shows_names_literally(monkeypatch):
    import io

    from rich.console import Console

    import mobility.cli._render as cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, markup=False, force_terminal=True,
                                            width=80, color_system=None))
    with cli._progress() as say:
        say("Depot [/x] closure")  # rich markup would raise MarkupError on the closing tag
    with cli._progress() as update:
        update("edge [/x] lost", 1, 2)
    assert "Depot [/x] closure" in screen.getvalue()
    assert "edge [/x] lost" in screen.getvalue()
