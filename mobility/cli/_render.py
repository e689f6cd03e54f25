"""What the commands print: the consoles, progress displays and the result tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mobility._progress import Progress, silent
from mobility.settings import BINDING_SHARE

# User text (names, descriptions) is printed literally: markup only where a call asks for it
# with markup=True, and then user values go through rich.markup.escape.
out = Console(markup=False)

err = Console(stderr=True, markup=False)


@contextmanager
def _progress(enabled: bool = True) -> Iterator[Progress]:
    """A transient rich progress line on a terminal for a :class:`mobility._progress.Progress`:
    the stage's message, and a bar once the work is counted (``done`` of ``total``)."""
    if not enabled or not err.is_terminal:
        yield silent
        return
    from rich.progress import (
        BarColumn,
        SpinnerColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as ProgressDisplay

    columns = (SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
               TaskProgressColumn(), TimeElapsedColumn())
    with ProgressDisplay(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def update(message: str, done: float | None = None, total: float | None = None,
                   /) -> None:
            bar.update(task, description=message[:60], completed=done or 0, total=total)

        yield update


def print_closure(result) -> None:
    """``mobility run``: targets, troops by day, formations, what binds, fleets."""
    out.print(f"[bold]Scenario[/] {escape(result.scenario)}: "
              f"{escape(result.description)}".rstrip(": "), highlight=False, markup=True)
    out.print(f"method: {result.method}; targets: {result.targets_reading} reading; "
              f"horizon {result.horizon_days:g} days", highlight=False)
    table = Table(title="Force Model targets")
    ready = bool(result.integration_days)
    for column in ("target (troops)", "deadline (day)", "reached (day)",
                   *(("combat-ready (day)",) if ready else ()), "at deadline (troops)",
                   "shortfall (troops)"):
        table.add_column(column, justify="right")
    for t in result.targets:
        reached = f"{t.reached_day:.1f}" if t.reached_day is not None else "not reached"
        combat = result.combat_ready_day(t.reached_day)
        table.add_row(f"{t.troops:,.0f}", f"{t.deadline_day:g}", reached,
                      *((f"{combat:.1f}" if combat is not None else "—",) if ready else ()),
                      _num(t.troops_at_deadline), _num(t.shortfall))
    out.print(table)
    if result.method == "fleet":
        _print_fleet_tables(result)
    else:
        days = Table(title="Troops arrived (cumulative)")
        days.add_column("by day", justify="right")
        days.add_column("troops", justify="right")
        for day, troops in result.troops_by_day.items():
            days.add_row(str(day), f"{troops:,.0f}")
        out.print(days)
        necks = Table(title="Bottlenecks (binding at the horizon; * = on the minimum cut)")
        for column in ("", "capacity", "kind", "used", "from day"):
            necks.add_column(column, justify="left" if not column else "right")
        for b in result.bottlenecks:
            necks.add_row(("* " if b.in_min_cut else "  ") + b.name,
                          f"{b.capacity_per_day:,.1f} {b.unit}s/day", b.kind,
                          f"{b.utilisation:.0%}",
                          f"{b.from_day:.1f}" if b.from_day is not None else "—")
        out.print(necks)
    split = ", ".join(f"{mode} {share:.0%}" for mode, share in result.mode_split.items())
    out.print(f"Mode split (troops entering LT/LV/EE): {split or 'none'}", highlight=False)
    if result.rounding:
        parts = [f"day {d}: {v['change_troops']:+,.0f} ({v['change_percent']:+.1f} %)"
                 for d, v in result.rounding.get("by_day", {}).items()]
        out.print("Whole trains/convoys/sailings/flights change: " + "; ".join(parts),
                  highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


def _num(value: float) -> str:
    return "—" if value != value else f"{value:,.0f}"


def _print_fleet_tables(result) -> None:
    """Closure beside its bounds, formations, and what binds (fleet engine)."""

    days = Table(title="Troops closed at their assembly areas (cumulative)")
    days.add_column("by day", justify="right")
    days.add_column("with the fleets", justify="right")
    bounds = [c for c in result.bounds.columns if c != "day"]
    for name in bounds:
        days.add_column(name, justify="right")
    if result.integration_days:
        days.add_column(f"combat-ready (+{result.integration_days:g} d)", justify="right")
    for day, troops in result.troops_by_day.items():
        row = [str(day), f"{troops:,.0f}"]
        for name in bounds:
            row.append(f"{result.bound_by(name, day):,.0f}")
        if result.integration_days:
            row.append(f"{result.combat_ready_by(day):,.0f}")
        days.add_row(*row)
    out.print(days)
    formations = Table(title="Formations (ready, mode, closing day)")
    for column in ("formation", "troops", "ready", "modes", "embarkation", "to", "first in",
                   "closed"):
        formations.add_column(column, justify="right" if column in
                              ("troops", "ready", "first in", "closed") else "left")
    for row in result.formations.itertuples():
        closed = f"{row.closed_day:.1f}" if row.closed_day == row.closed_day and \
            row.closed_day is not None else f"{row.closed_share:.0%} by end"
        first = f"{row.first_arrival_day:.1f}" if row.first_arrival_day is not None and \
            row.first_arrival_day == row.first_arrival_day else "—"
        formations.add_row(row.formation, f"{row.troops:,.0f}", f"{row.ready_day:g}",
                           row.modes, row.embarkation, row.destination, first, closed)
    out.print(formations)
    necks = Table(title="What binds, and what one more unit buys (troops closed sooner)")
    report_days = list(result.troops_by_day)
    for column in ("resource", "kind", "one more", *(f"by day {d}" for d in report_days),
                   "binds (days)"):
        necks.add_column(column, justify="left" if column in ("resource", "kind", "one more")
                         else "right")
    for m in result.marginal:
        gains = [f"{m['troops_gained_by_day'][str(d)]:+,.0f}" for d in report_days]
        necks.add_row(m["resource"], m["kind"], m["change"], *gains,
                      f"{m['binding_days']:.0f} ({m['from_day']:.0f}–{m['to_day']:.0f})")
    out.print(necks)
    if not result.fleet_use.empty:
        peak = result.fleet_use.assign(share=result.fleet_use["in_use"] /
                                       result.fleet_use["available"].where(
                                           result.fleet_use["available"] > 0))
        parts = []
        for carrier, rows in peak.groupby("carrier"):
            busy = rows[rows["share"] >= BINDING_SHARE]
            parts.append(f"{carrier} peak {rows['in_use'].max():,.0f} of "
                         f"{rows['available'].max():,.0f}"
                         + (f", all in use on {((busy['to_day'] - busy['from_day']).sum()):.0f} "
                            "days" if len(busy) else ""))
        out.print("Fleets (standard carriers): " + "; ".join(parts), highlight=False)
    _print_sustainment(result)


def _print_sustainment(result) -> None:
    rows = result.sustainment_by_day()
    if not rows:
        return
    table = Table(title="Sustainment (supplies for the troops arrived, by the same fleets)")
    for column in ("by day", "troops arrived", "need t/day", "delivered t", "stock t",
                   "lift on supplies"):
        table.add_column(column, justify="left" if column == "lift on supplies" else "right")
    for r in rows:
        table.add_row(str(r["day"]), _num(r["troops_arrived"]), _num(r["need_t_per_day"]),
                      _num(r["delivered_t"]), _num(r["stock_t"]),
                      result.supply_share_words(r["day"]))
    out.print(table)
    short = result.supplies_short_day()
    if short is not None:
        out.print(f"Supplies short from day {short:g}: the stock at the assembly areas goes "
                  "below zero (see the sustainment note)", highlight=False)
    over = {c: d for c, d in result.supplies_exceed_lift_day().items() if d is not None}
    out.print("Supplies take more than half a fleet (more than is left to move forces): "
              + ("; ".join(f"{c} from day {d:g}" for c, d in over.items()) if over
                 else "no fleet within the horizon"), highlight=False)


def print_route(found) -> None:
    """``mobility route``: the move, its legs and stops, border crossings, alternatives."""
    by = f"by {found.mode}" if found.mode != "any" else "by any mode"
    out.print(f"[bold]{escape(found.from_.name)}[/] ({found.from_.country}) → "
              f"[bold]{escape(found.to.name)}[/] ({found.to.country}): {found.unit} {by} — "
              f"[bold]{found.hours:,.1f} h[/] ({found.days:.1f} days), {found.km:,.0f} km",
              highlight=False, markup=True)
    for place in (found.from_, *found.via, found.to):
        if place.snap_km is not None:
            out.print(f"  {place.query} → nearest node {place.name} ({place.snap_km:.1f} km away)",
                      highlight=False)
    out.print(f"  first element arrives after {found.first_arrival_h:,.1f} h; the whole unit "
              f"has closed {found.closing_h:,.1f} h later ({found.closing_bottleneck})",
              highlight=False)
    legs = Table(title="Legs")
    for column in ("mode", "gauge", "from → to", "km", "hours", "corridors"):
        legs.add_column(column, justify="right" if column in ("km", "hours") else "left")
    for leg in found.legs:
        hours = f"{leg.hours:,.1f}"
        if leg.march_days:
            hours += f" ({leg.march_days} d, {leg.driving_h:.1f} h driving)"
        legs.add_row(leg.mode, leg.gauge or "", f"{leg.from_name} → {leg.to_name}",
                     f"{leg.km:,.0f}", hours, ", ".join(leg.corridors))
    out.print(legs)
    stops = Table(title="Loading, gauge transfers, unloading")
    for column in ("at", "what", "dwell (h)", "handling (h)", "hours"):
        stops.add_column(column, justify="left" if column in ("at", "what") else "right")
    for t in found.transfers:
        change = t.action.replace("_", " ")
        if t.action == "gauge_transfer":
            change += f" {t.from_gauge} → {t.to_gauge} mm"
        elif t.from_mode and t.to_mode:
            change += f" {t.from_mode} → {t.to_mode}"
        else:
            change += f" ({t.from_mode or t.to_mode})"
        stops.add_row(t.name, change, f"{t.dwell_h:g}", f"{t.handling_h:g}", f"{t.hours:g}")
    out.print(stops)
    if found.border_crossings:
        out.print("Border crossings: " + "; ".join(
            f"{b.from_country}→{b.to_country} {b.mode} ({b.name or b.edge}) {b.delay_h:g} h"
            for b in found.border_crossings), highlight=False)
    if found.alternatives:
        alts = Table(title="Alternatives (different corridors; never faster)")
        for column in ("#", "hours", "days", "km", "distinguished by"):
            alts.add_column(column, justify="left" if column == "distinguished by" else "right")
        for i, alt in enumerate(found.alternatives, start=1):
            alts.add_row(str(i), f"{alt.hours:,.1f}", f"{alt.days:.1f}", f"{alt.km:,.0f}",
                         "; ".join(alt.distinguished_by))
        out.print(alts)
    for note in found.assumptions:
        out.print(f"note: {note}", highlight=False)


def print_sweep_summary(summary) -> None:
    """``mobility sweep``: targets met over the runs, troops, bottlenecks, grid points."""
    out.print(f"[bold]Sweep[/] {escape(summary.name)}: {summary.runs:,} of "
              f"{summary.total_runs:,} runs; {summary.runs_with_failures:,} with failures, "
              f"{summary.runs_cut_off:,} with an origin or destination cut off", highlight=False,
              markup=True)
    table = Table(title="Force Model targets over the runs")
    for column in ("target (troops)", "deadline (day)", "P(met)", "day p5", "day p50",
                   "day p95"):
        table.add_column(column, justify="right")
    for t in summary.targets:
        table.add_row(f"{t.troops:,.0f}", f"{t.deadline_day:g}", f"{t.probability_met:.0%}",
                      *(f"{d:.1f}" if d is not None else "never"
                        for d in t.days_percentiles.values()))
    out.print(table)
    troops = Table(title="Troops arrived (cumulative), percentiles over runs")
    for column in ("by day", "p5", "p50", "p95"):
        troops.add_column(column, justify="right")
    for day, values in summary.troops_percentiles.items():
        troops.add_row(str(day), *(_num(v) for v in values.values()))
    out.print(troops)
    necks = Table(title="Bottlenecks that bind most often")
    necks.add_column("bottleneck")
    necks.add_column("binds in", justify="right")
    necks.add_column("top one in", justify="right")
    tops = dict(summary.top_bottlenecks)
    for name, share in summary.bottlenecks:
        necks.add_row(name, f"{share:.0%}", f"{tops.get(name, 0.0):.0%}")
    out.print(necks)
    if summary.grid:
        grid = Table(title="By grid point: P(met) per target")
        keys = [k for k in summary.grid[0] if k not in ("grid_point", "runs")
                and not k.startswith("target_")]
        for column in (*keys, "runs", *(f"P({t.troops / 1000:,.0f}k by day {t.deadline_day:g})"
                                        for t in summary.targets)):
            grid.add_column(column, justify="right")
        for entry in summary.grid:
            grid.add_row(*(f"{entry[k]:g}" for k in keys), str(entry["runs"]),
                         *(f"{entry[f'target_{k}_probability_met']:.0%}"
                           for k in range(1, len(summary.targets) + 1)))
        out.print(grid)


def _element(element) -> str:
    return f"{element.name} [{element.id}]"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def print_network_info(info: dict[str, Any]) -> None:
    """``mobility network info``: counts, km of track, gauge transfers, PL–LT crossings."""
    out.print(f"[bold]Network[/] {escape(str(info['source']))} — year {info['year'] or 'today'}"
              f"; phases: {escape(', '.join(info['phases'])) or 'none'}", highlight=False,
              markup=True)
    out.print(f"{info['nodes']} nodes, {info['edges']} edges (each bidirectional)")
    for title, key in (("Nodes by kind", "nodes_by_kind"), ("Nodes by country", "nodes_by_country"),
                       ("Edges by mode", "edges_by_mode"), ("Rail edges by gauge",
                                                             "rail_edges_by_gauge")):
        out.print(f"{title}: " + ", ".join(f"{k} {v}" for k, v in info[key].items()),
                  highlight=False)
    km = Table(title="Rail km by gauge and country")
    km.add_column("gauge")
    km.add_column("country")
    km.add_column("km", justify="right")
    for gauge, countries in info["rail_km_by_gauge_and_country"].items():
        for country, value in countries.items():
            km.add_row(gauge, country, f"{value:,.1f}")
    out.print(km)
    sites = Table(title="Gauge-transfer sites")
    for column in ("site", "country", "trains/day", "dwell (h)"):
        sites.add_column(column)
    for site in info["gauge_transfer_sites"]:
        sites.add_row(site["name"], site["country"], f"{site['capacity_trains_per_day']:g}",
                      f"{site['dwell_h'] or 0:g}")
    out.print(sites)
    out.print("Polish–Lithuanian border crossings:")
    for crossing in info["pl_lt_border_crossings"]:
        out.print(f"  {crossing['mode']}: {crossing['name']} ({' – '.join(crossing['between'])})",
                  highlight=False)


def print_comparison(data: dict[str, Any]) -> None:
    """``mobility compare``: targets and troops by scenario, the edges whose flow changed most."""
    table = Table(title="Closure by scenario")
    table.add_column("")
    for row in data["scenarios"]:
        table.add_column(row["scenario"], justify="right")
    for i, target in enumerate(data["scenarios"][0]["targets"]):
        cells = []
        for row in data["scenarios"]:
            reached = row["targets"][i]["reached_day"]
            later = row["targets"][i]["days_later_than_first"]
            cells.append("not reached" if reached is None else f"day {reached:.1f}" + (
                f" ({later:+.1f} d)" if later is not None and row is not data["scenarios"][0]
                else ""))
        table.add_row(f"{target['troops']:,.0f} troops (deadline day {target['deadline_day']:g})",
                      *cells)
    for day in data["scenarios"][0]["troops_by_day"]:
        table.add_row(f"troops by day {day}",
                      *[f"{row['troops_by_day'].get(day, float('nan')):,.0f}"
                        for row in data["scenarios"]])
    table.add_row("binding bottleneck", *[row["binding_bottleneck"] or "—"
                                          for row in data["scenarios"]])
    if any(row["sustained"] for row in data["scenarios"]):
        table.add_row("supplies short from", *[
            "—" if not row["sustained"] else "never" if row["supplies_short_from_day"] is None
            else f"day {row['supplies_short_from_day']:g}" for row in data["scenarios"]])
    out.print(table)
    changes = Table(title=f"Edges whose flow changed most (troops carried in days "
                          f"1-{data['flow_days']}, vs {data['scenarios'][0]['scenario']})")
    for column in ("scenario", "edge", "mode", "before", "after", "change"):
        changes.add_column(column, justify="right" if column in ("before", "after", "change")
                           else "left")
    for row in data["edges_changed_most"]:
        changes.add_row(row["scenario"], f"{row['edge_id']} ({row['u']}→{row['v']})", row["mode"],
                        f"{row['flow_first']:,.0f}", f"{row['flow_this']:,.0f}",
                        f"{row['change_troops']:+,.0f}")
    out.print(changes)


def print_import(source: object, nodes, edges, target: Path) -> None:
    """``mobility import-osm``: what was imported from ``source`` and where it was written."""
    by_mode = edges["mode"].value_counts().sort_index()
    by_kind = nodes["kind"].value_counts().sort_index()
    out.print(f"[bold]Imported[/] {escape(str(source))}: {len(nodes)} nodes "
              f"({', '.join(f'{k} {v}' for k, v in by_kind.items())}), {len(edges)} edges "
              f"({', '.join(f'{k} {v}' for k, v in by_mode.items())})", highlight=False,
              markup=True)
    for line in nodes.attrs.get("report", ()):
        out.print(f"note: {line}", highlight=False)
    out.print(f"wrote {target}", highlight=False)


def print_merge(source: object, merged, target: Path) -> None:
    """``mobility import-osm --merge``: each curated node's match, each curated edge's
    coverage, the notes, and where the merged network was written."""
    nodes = Table(title="Curated nodes in the extract's area")
    for column in ("node", "kind", "status", "joined to OSM (mode gauge: node, metres)",
                   "missing"):
        nodes.add_column(column)
    for match in merged.matches:
        joins = "; ".join(f"{j.mode}{' ' + j.gauge if j.gauge else ''}: {j.osm_node}, "
                          f"{j.distance_m:.0f} m" for j in match.joins)
        if match.status == "placed":
            joins = f"on the OSM gauge break, {match.distance_m:.0f} m" + (
                f"; {joins}" if joins else "")
        nodes.add_row(match.node, match.kind, match.status, joins, ", ".join(match.missing))
    edges = Table(title="Curated road/rail edges touching the area")
    for column in ("edge", "mode", "curated km", "OSM km", "OSM/curated", "coverage",
                   "result"):
        edges.add_column(column, justify="right" if "km" in column or column in (
            "OSM/curated", "coverage") else "left")
    for item in merged.coverage:
        ratio = item.length_ratio
        edges.add_row(item.edge, item.mode, f"{item.curated_km:.1f}",
                      "" if item.osm_km is None else f"{item.osm_km:.1f}",
                      "" if ratio is None else f"{ratio:.2f}",
                      f"{item.coverage:.0%}" if item.osm_km is not None else "",
                      item.reason if not item.replaced else
                      f"replaced by {len(item.osm_edges)} OSM edge(s)")
    wide = out if out.is_terminal else Console(width=140)
    wide.print(nodes)
    wide.print(edges)
    for line in merged.report:
        out.print(f"note: {line}", highlight=False)
    by_mode = merged.edges["mode"].value_counts().sort_index()
    out.print(f"Merged {escape(str(source))} with the curated network: {len(merged.nodes)} "
              f"nodes, {len(merged.edges)} edges "
              f"({', '.join(f'{k} {v}' for k, v in by_mode.items())})", highlight=False)
    out.print(f"wrote {target}", highlight=False)


def print_bench(config, result: dict[str, Any]) -> None:
    """``mobility bench``: the methods side by side, other timings, the machine."""
    from mobility.bench import other_rows, summary_rows

    table = Table(title=f"Exact earliest-arrival curve vs hourly time-expanded max flow, "
                        f"{config.horizon_days:g}-day horizon")
    for column in ("network", "arcs", "method", "time", "peak RSS",
                   f"troops by day {max(config.check_days):g}", "vs exact"):
        table.add_column(column, justify="left" if column in ("network", "method") else "right")
    for row in summary_rows(result):
        table.add_row(*row)
    (out if out.is_terminal else Console(width=130)).print(table)  # piped: keep rows whole
    other = Table(title="Other timings")
    for column in ("measurement", "time", "goal"):
        other.add_column(column)
    for row in other_rows(result):
        other.add_row(*row)
    out.print(other)
    machine = result["machine"]
    out.print(f"machine: {machine['cpus']} CPUs, {machine['available_memory_gb'] or 0:.1f} GB "
              f"available, Python {machine['python']}, OR-Tools {machine['ortools']}",
              highlight=False)
    for note in result["notes"]:
        out.print(f"note: {note}", highlight=False)


def print_criticality(result, top: int) -> None:
    """``mobility critical``: single points of failure and the ``top`` most critical elements."""
    base = result.baseline
    out.print(f"[bold]Criticality[/] {escape(result.scenario)}: {result.n_elements} elements, "
              f"{result.n_solved} closures solved, {result.n_skipped} changes not re-solved "
              f"(see the notes; {result.executor})", highlight=False, markup=True)
    out.print("baseline: " + "; ".join(
        f"{label} reached day {_days(day)}" for label, day in
        zip(result.target_labels, base.reached_day, strict=True)) + "; " + ", ".join(
        f"{v:,.0f} troops by day {d}" for d, v in base.troops_by_day.items()), highlight=False)
    spof = result.single_points_of_failure()
    if spof:
        table = Table(title="Single points of failure")
        for column in ("element", "change", "verdict", "score"):
            table.add_column(column, justify="right" if column == "score" else "left",
                             overflow="fold")
        for i in spof[:top]:
            table.add_row(_element(i.element), i.change,
                          i.verdict(result.target_labels), f"{i.score:.3f}")
        out.print(table)
    days = list(base.troops_by_day)
    for factor in result.factors:
        rows = [i for i in result.ranked(factor) if not i.single_point_of_failure][:top]
        table = Table(title=f"Most critical elements, {rows[0].change if rows else factor} "
                            "(score: mean share of troops lost)")
        table.add_column("element", overflow="fold")
        table.add_column("score", justify="right")
        table.add_column("days lost per target", justify="right")
        table.add_column("troops lost by day " + "/".join(map(str, days)), justify="right")
        for i in rows:
            table.add_row(_element(i.element), f"{i.score:.3f}",
                          " / ".join(_days(v) for v in i.days_lost),
                          " / ".join(f"{i.troops_lost[d]:,.0f}" for d in days))
        out.print(table)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


def print_interdiction(result) -> None:
    """``mobility interdict``: the elements removed and the closure without them."""
    out.print(f"[bold]Interdiction[/] {escape(result.scenario)}, K = {result.cuts} "
              f"({result.solver}, {'optimal' if result.optimal else 'best found'}): throughput "
              f"{result.throughput_before_troops_per_day:,.0f} → "
              f"{result.throughput_after_troops_per_day:,.0f} troops/day", highlight=False,
              markup=True)
    removed = Table(title="Elements removed")
    removed.add_column("element")
    removed.add_column("kind")
    for e in result.removed:
        removed.add_row(_element(e), e.kind)
    out.print(removed)
    table = Table(title="Closure with these elements lost")
    for column in ("target", "reached (day) before", "after", "days lost"):
        table.add_column(column, justify="left" if column == "target" else "right")
    for label, before, after, lost in zip(result.target_labels, result.baseline.reached_day,
                                          result.after.reached_day, result.days_lost, strict=True):
        table.add_row(label, _days(before), _days(after) if after is not None else "not reached",
                      _days(lost))
    out.print(table)
    out.print("troops by day: " + ", ".join(
        f"day {d}: {result.baseline.troops_by_day[d]:,.0f} → {v:,.0f}"
        for d, v in result.after.troops_by_day.items()), highlight=False)
    if result.after.cuts_off:
        out.print("cuts off: " + ", ".join(result.after.cuts_off), highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


def print_investments(result) -> None:
    """``mobility invest``: each investment alone, the best portfolio, shadow prices."""
    days = list(result.baseline.troops_by_day)
    out.print(f"[bold]Investments[/] {escape(result.scenario)}; objective: {result.objective}; "
              "budget: " + (f"EUR {result.budget_eur / 1e6:,.0f} M" if result.budget_eur
                            else "none"), highlight=False, markup=True)
    table = Table(title="Each investment alone (* = cost or effect assumed)")
    table.add_column("investment", overflow="fold")
    table.add_column("EUR M", justify="right")
    table.add_column("days saved per target", justify="right")
    table.add_column("troops gained by day " + "/".join(map(str, days)), justify="right")
    table.add_column(f"{result.objective} per EUR M", justify="right")
    for e in result.effects:
        table.add_row(("* " if e.investment.assumption else "  ") + e.investment.name,
                      f"{e.cost_meur:,.0f}",
                      " / ".join("—" if d is None else f"{d:.2f}" for d in e.gain.days_saved),
                      " / ".join(f"{e.gain.troops_gained[d]:,.0f}" for d in days),
                      f"{e.per_million(result.objective):.3g}")
    out.print(table)
    if result.best is not None:
        best = result.best
        out.print(f"[bold]Best portfolio[/] (EUR {best.cost_eur / 1e6:,.0f} M): "
                  f"{escape(', '.join(best.ids))}", highlight=False, markup=True)
        out.print(f"  {result.objective}: {best.gain.value(result.objective):,.2f} "
                  f"(sum of the single effects would claim "
                  f"{best.sum_of_single_values:,.2f}); days saved per target "
                  + " / ".join("—" if d is None else f"{d:.2f}" for d in best.gain.days_saved),
                  highlight=False)
        out.print(f"  search: {result.search}", highlight=False)
    else:
        out.print("No investment fits the budget.")
    if result.shadow_prices:
        shown = sorted({d for p in result.shadow_prices for d in p.troops_gained_by_day})
        prices = Table(title="What one more unit of a binding capacity or fleet is worth")
        prices.add_column("capacity or fleet", overflow="fold")
        prices.add_column("change")
        prices.add_column("troops more by day " + "/".join(map(str, shown)), justify="right")
        for p in result.shadow_prices:
            prices.add_row(p.name, p.change, " / ".join(
                f"{p.troops_gained_by_day[d]:,.0f}" if d in p.troops_gained_by_day else "—"
                for d in shown))
        out.print(prices)
        out.print(f"note: {result.shadow_method}", highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)
