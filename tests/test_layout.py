"""The package's layout as rules the code must keep (issue 13): stages import only earlier
stages, no import cycles, and only the command line names command-line options."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mobility"

#: Each top-level module or subpackage and its stage: a module may import its own stage and
#: earlier ones, never a later one (data and solvers at the bottom, views and CLI on top).
STAGES: dict[str, int] = {
    **dict.fromkeys(("_errors", "_version", "_data", "_progress", "_parallel", "settings",
                     "result", "_io", "names", "flows", "_yaml", "schema", "synthetic",
                     "unit_profiles", "scenario", "network", "forces", "movement"), 0),
    **dict.fromkeys(("engines", "osm"), 1),
    **dict.fromkeys(("routing", "disruption", "osm_import", "calibration"), 2),
    **dict.fromkeys(("analysis", "sweep", "materiel"), 3),
    "viz": 4,
    "bench": 5,
    "cli": 6,
}

#: A command-line option in a string: ``--out``, ``--snap-km``.
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
#: Strings that are options of another program, not of ``mobility``.
FOREIGN_OPTIONS = {"viz/browser_export.py"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _unit(path: Path) -> str:
    """The top-level module or subpackage a file belongs to."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _stage(parts: list[str] | tuple[str, ...]) -> int:
    """The stage of module ``mobility.<parts>``: its unit's, but a subpackage's ``views``
    module (maps and reports of that concept) stands with the views."""
    return max(STAGES[parts[0]], STAGES["viz"] if parts[-1] == "views" else 0)


def _imported_stages(tree: ast.AST) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mobility" and len(parts) > 1 and parts[1] in STAGES:
                found.add((".".join(parts), _stage(parts[1:])))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_every_module_has_a_stage():
    units = {_unit(p) for p in _modules()} - {"__init__"}
    assert units <= set(STAGES), f"give these a stage in STAGES: {sorted(units - set(STAGES))}"


def test_no_module_imports_a_later_stage():
    upward = []
    for path in _modules():
        if _unit(path) == "__init__":  # the package's face hands every stage on
            continue
        stage = _stage(path.relative_to(PACKAGE).with_suffix("").parts)
        for target, target_stage in _imported_stages(ast.parse(path.read_text("utf-8"))):
            if target_stage > stage:
                upward.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert not upward


def test_no_import_cycles_between_modules():
    graph = nx.DiGraph()
    for path in _modules():
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and \
                    node.module.startswith("mobility.") and \
                    _in_type_checking(tree, node) is False:
                graph.add_edge(name, node.module)
    cycles = [c for c in nx.simple_cycles(graph) if len(c) > 1 and not all(
        _is_parent(a, b) or _is_parent(b, a) for a, b in itertools.pairwise(c + c[:1]))]
    assert not cycles


def _is_parent(package: str, module: str) -> bool:
    return module.startswith(package + ".")


def _in_type_checking(tree: ast.AST, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and \
                node.test.id == "TYPE_CHECKING" and any(target is n for n in ast.walk(node)):
            return True
    return False


@pytest.mark.parametrize("path", [p for p in _modules() if _unit(p) != "cli" and
                                  str(p.relative_to(PACKAGE)) not in FOREIGN_OPTIONS],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_command_line_names_options(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    named = [(node.lineno, node.value) for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and id(node) not in skip and OPTION.search(node.value)]
    assert not named, "name the argument between backticks (see mobility._errors)"


def test_argument_names_become_options_on_the_command_line():
    from mobility._errors import MobilityError, as_options, field_of

    error = MobilityError("`snap_km` 0: must be positive; or add `secondary`")
    assert str(error) == "snap_km 0: must be positive; or add secondary"
    assert as_options(error) == "--snap-km 0: must be positive; or add --secondary"
    with pytest.raises(MobilityError) as wrapped, field_of("s.yaml", "osm"):
        raise error
    assert as_options(wrapped.value) == "s.yaml: field 'osm': --snap-km 0: must be positive; " \
                                        "or add --secondary"


def test_every_mode_of_the_registry_reaches_the_input_schemas():
    """A mode is added in mobility.schema.MODES: the schemas that need a field per mode (unit
    profiles, planning factors, fleets) take theirs from it."""
    from mobility.forces import CARRIERS
    from mobility.scenario import UnitFactors
    from mobility.schema import DATA_MODES, KIND_TRANSFER_MODES, MODES, Mode
    from mobility.unit_profiles import Carriers, KindHandling

    assert set(MODES) == set(Mode) - {Mode.transfer}
    assert set(KindHandling.model_fields) == {str(m) for m in DATA_MODES}
    assert set(UnitFactors.model_fields) == {spec.unit for spec in MODES.values()}
    assert set(Carriers.model_fields) == {"bus_troops"} | {
        spec.unit for spec in MODES.values() if spec.long_haul}
    assert {spec.carrier for spec in MODES.values() if spec.carrier} <= set(CARRIERS)
    assert set().union(*KIND_TRANSFER_MODES.values()) <= {str(m) for m in DATA_MODES}
