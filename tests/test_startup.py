"""Start-up stays light: importing the package or the CLI loads none of the heavy libraries,
and the public API is the same as when the package imported everything (no timings here:
`mobility bench` and farm-bench measure those)."""

from __future__ import annotations

import json
import subprocess
import sys

import mobility

HEAVY = ("pandas", "networkx", "geopandas", "shapely", "pyproj", "ortools", "numpy", "scipy",
         "dask", "pyarrow", "matplotlib", "folium", "osmnx")


def _loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_package_and_the_cli_loads_no_heavy_library():
    assert _loaded_after("import mobility") == []
    assert _loaded_after("import mobility.cli") == []  # what every command pays before parsing


def test_every_public_name_still_imports_from_the_package():
    for name in mobility.__all__:
        assert getattr(mobility, name) is not None
    assert set(mobility.__all__) <= set(dir(mobility))


def test_public_functions_stay_functions_after_their_modules_are_imported():
    import mobility.analysis.compare
    import mobility.analysis.criticality
    import mobility.engines.fleet

    for name in ("closure", "compare", "criticality"):
        assert callable(getattr(mobility, name)), name
        assert getattr(mobility, name).__name__ == name
    assert mobility.closure is mobility.engines.closure
    assert not hasattr(mobility, "_Package")  # no module class rebinding attributes
