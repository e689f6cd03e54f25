"""Terminals, bases, ports and airfields from OSM tags (issue 16), on ``fixtures/osm/sites.osm``:
a 1520 line with a station node and a yard area, a trunk road, barracks and a firing range, a
civil aerodrome node, a military airfield area and a port area (hand-written, invented)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
import pytest

from mobility._errors import NetworkDataError
from mobility.network import load_network
from mobility.osm.along import to_pbf
from mobility.osm.tags import SITE_DEFAULTS
from mobility.osm_import import merged_network_from_osm, network_from_osm, write_network
from mobility.schema import KIND_TRANSFER_MODES, NodeKind

SITES = Path(__file__).parent / "fixtures" / "osm" / "sites.osm"
EXPECTED = {"osm-node-3": "rail_terminal", "osm-way-2": "rail_terminal", "osm-way-4": "base",
            "osm-node-50": "airport", "osm-way-6": "air_base", "osm-way-7": "port"}


@pytest.fixture(scope="module")
def imported():
    return network_from_osm(SITES)


def test_tagged_sites_become_terminals_bases_ports_and_airfields(imported):
    nodes, _ = imported
    found = nodes.set_index("id")
    assert {i: found.loc[i, "kind"] for i in EXPECTED if i in found.index} == EXPECTED
    assert "osm-way-5" not in found.index  # military=range: no place to load
    for node_id, kind in EXPECTED.items():
        row = found.loc[node_id]
        capacity, dwell = SITE_DEFAULTS[NodeKind(kind)]
        assert (row["transfer_capacity_per_day"], row["transfer_dwell_h"]) == (capacity, dwell)
        assert "(assumption O" in row["source"] and "by tag" in row["source"]


def test_each_site_is_joined_in_every_mode_it_handles(imported, tmp_path):
    nodes, edges = imported
    write_network(nodes, edges, tmp_path / "sites.gpkg")
    graph = load_network(tmp_path / "sites.gpkg")
    for node_id, kind in EXPECTED.items():
        handled = KIND_TRANSFER_MODES[NodeKind(kind)] & {"road", "rail"}
        joined = {d["mode"] for *_, d in graph.out_edges(node_id, data=True)}
        assert joined == handled, node_id
        if "rail" in handled:  # a rail move can load here, on the gauge of the line
            assert graph.nodes[node_id]["loading_gauges"] == ("1520",)


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_a_table_overrides_the_defaults(tmp_path, suffix):
    table = tmp_path / f"sites{suffix}"
    table.write_text("kind,transfer_capacity_per_day,transfer_dwell_h\nrail_terminal,10,2\n"
                     "port,,12\n" if suffix == ".csv" else
                     "rail_terminal: {transfer_capacity_per_day: 10, transfer_dwell_h: 2}\n"
                     "port: {transfer_dwell_h: 12}\n", encoding="utf-8")
    nodes, _ = network_from_osm(SITES, site_defaults=table)
    found = nodes.set_index("id")
    assert found.loc["osm-node-3", "transfer_capacity_per_day"] == 10
    assert found.loc["osm-node-3", "transfer_dwell_h"] == 2
    assert "from the table given" in found.loc["osm-node-3", "source"]
    assert found.loc["osm-way-7", "transfer_dwell_h"] == 12
    assert found.loc["osm-way-7", "transfer_capacity_per_day"] == SITE_DEFAULTS[NodeKind.port][0]
    assert "(assumption O2)" in found.loc["osm-way-4", "source"]  # untouched: default


@pytest.mark.parametrize(("text", "expected"), [
    ("kind,transfer_capacity_per_day\nharbor,3\n", r"field 'kind' = 'harbor': valid kinds"),
    ("kind,transfer_capacity_per_day\nport,-1\n",
     r"kind 'port': field 'transfer_capacity_per_day' = '-1': expected a positive number"),
    ("kind,trains\nport,1\n", r"column 'trains': expected columns kind,"),
])
def test_a_bad_table_is_one_clear_error(tmp_path, text, expected):
    table = tmp_path / "sites.csv"
    table.write_text(text, encoding="utf-8")
    with pytest.raises(NetworkDataError, match=rf"sites.csv: {expected}"):
        network_from_osm(SITES, site_defaults=table)


def test_pbf_and_xml_find_the_same_sites(imported, tmp_path):
    pbf = tmp_path / "sites.osm.pbf"
    to_pbf(SITES, pbf)
    nodes, edges = network_from_osm(pbf)
    pd.testing.assert_frame_equal(pd.DataFrame(nodes), pd.DataFrame(imported[0]))
    pd.testing.assert_frame_equal(pd.DataFrame(edges), pd.DataFrame(imported[1]))


def test_a_curated_site_of_the_same_modes_stands_for_an_osm_one(tmp_path):
    network = tmp_path / "net"
    network.mkdir()
    (network / "nodes.csv").write_text(
        "id,name,country,kind,lon,lat,gauge,transfer_capacity_per_day,transfer_dwell_h,source\n"
        "kaserne,Curated barracks,LT,base,22.10,55.331,1520,5,6,test\n"
        "east,East,LT,city,22.30,55.32,,,,test\n", encoding="utf-8")
    (network / "edges.csv").write_text(
        "id,u,v,mode,speed_kph,capacity_per_day,road_class,source\n"
        "road-kaserne-east,kaserne,east,road,40,3000,trunk,test\n", encoding="utf-8")
    merged = merged_network_from_osm(SITES, network=network)
    ids = set(merged.nodes["id"])
    assert "kaserne" in ids and "osm-way-4" not in ids
    assert any("'kaserne'" in line and "left out" in line for line in merged.report)
    assert {"osm-node-3", "osm-way-2"} <= ids  # stations are no base's twins: kept


def test_cli_site_defaults_bad_file_is_one_line(tmp_path):
    table = tmp_path / "sites.csv"
    table.write_text("kind,transfer_capacity_per_day\nharbor,3\n", encoding="utf-8")
    done = subprocess.run(["mobility", "import-osm", str(SITES), "--site-defaults", str(table),
                           "--out", str(tmp_path / "x.gpkg")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "valid kinds" in done.stderr
    assert not (tmp_path / "x.gpkg").exists()
