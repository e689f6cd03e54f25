"""The Parquet dataset of a sweep's rows: one part per chunk of runs, written atomically."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from mobility.sweep.plan import SweepPlan, _schema
from mobility.sweep.spec import SweepError

MANIFEST = "sweep.json"
#: The subfolder of the output folder that holds only the Parquet parts, so that
#: ``pandas.read_parquet(OUT / "runs")`` reads every run.
PARTS = "runs"
PART_PATTERN = re.compile(r"^part-(\d{7})-(\d{7})\.parquet$")


# --- the Parquet dataset ----------------------------------------------------------------


def write_part(plan: SweepPlan, rows: list[dict[str, Any]], out_dir: Path) -> Path:
    """Write rows as one Parquet part, atomically (temporary file, then os.replace)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = sorted(rows, key=lambda r: r["run"])
    table = pa.Table.from_pylist(rows, schema=_schema(plan))
    folder = Path(out_dir) / PARTS
    folder.mkdir(exist_ok=True)
    path = folder / f"part-{rows[0]['run']:07d}-{rows[-1]['run']:07d}.parquet"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if this failed part was to be its first
        raise
    return path


def done_runs(out_dir: str | Path) -> set[int]:
    """Run ids already stored in the parts of an output folder."""

    done: set[int] = set()
    for path in _parts(Path(out_dir)):
        done.update(_read_part(path, columns=["run"])["run"].tolist())
    return done


def _read_part(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns).to_pandas()
    except Exception as error:  # pyarrow raises several types for a damaged file
        what = " ".join(str(error).split())[:120]
        msg = f"{path}: not a readable sweep part ({what}); delete it to recompute its runs"
        raise SweepError(msg) from None


def _parts(out_dir: Path) -> list[Path]:
    """The part files: in ``OUT/runs/`` (older sweeps wrote them into ``OUT/`` itself)."""
    found = []
    for folder in (out_dir / PARTS, out_dir):
        if folder.is_dir():
            found += [p for p in folder.iterdir() if PART_PATTERN.match(p.name)]
    return sorted(found, key=lambda p: p.name)


def read_results(out_dir: str | Path) -> pd.DataFrame:
    """All rows of a sweep output folder as one DataFrame, sorted by run."""

    out_dir = Path(out_dir)
    _check_output_folder(out_dir, None, must_exist=True)
    parts = _parts(out_dir)
    if not parts:
        raise SweepError(f"{out_dir}: no sweep results yet (no part-*.parquet files)")
    frame = pd.concat([_read_part(p) for p in parts], ignore_index=True)
    frame = frame.drop_duplicates("run").sort_values("run", kind="stable")
    return frame.reset_index(drop=True)


def _check_output_folder(out_dir: Path, plan: SweepPlan | None, *, must_exist: bool) -> None:
    """A sweep output folder: absent, empty, or holding the parts of this very sweep, computed
    from the same inputs (see :func:`input_digests`)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise SweepError(f"{out_dir}: `out` must be a folder, but this is a file")
    if not out_dir.exists():
        if must_exist:
            raise SweepError(f"{out_dir}: no such sweep output folder")
        return
    manifest = out_dir / MANIFEST
    entries = [p for p in out_dir.iterdir() if not p.name.startswith(".")]
    if not manifest.exists():
        if entries:
            msg = (f"{out_dir}: not a sweep output folder (no {MANIFEST}) and not empty; "
                   "give a new or empty folder")
            raise SweepError(msg)
        if must_exist:
            raise SweepError(f"{out_dir}: no sweep results here (no {MANIFEST})")
        return
    try:
        stored = json.loads(manifest.read_text(encoding="utf-8"))
        fingerprint = stored["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SweepError(f"{manifest}: unreadable sweep manifest ({error})") from None
    if plan is None or fingerprint == plan.fingerprint:
        return
    before = stored.get("inputs") if isinstance(stored.get("inputs"), dict) else {}
    changed = [name for name, value in plan.inputs if before.get(name) != value]
    if "sweep" in changed or stored.get("name") != plan.sweep.name:
        msg = (f"{out_dir}: holds results of a different sweep ({stored.get('name')!r}, "
               f"fingerprint {fingerprint}); resume only the same sweep file, or give a new `out`")
    else:
        msg = (f"{out_dir}: holds runs of this sweep computed from other inputs (changed "
               f"since: {', '.join(changed) or 'an input this version does not record'}); "
               "mixing them would summarise two models together: give a new `out`, or delete "
               "the folder to start again")
    raise SweepError(msg)


