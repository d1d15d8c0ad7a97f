"""The apps stand on floors and import downward only (docs/architecture.md, "Floors"): an import
running up a floor, even one inside a function, is how a lower app comes to depend on a higher
one's models, and how a cycle starts."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"wksbm_site": 0, "registry": 0, "members": 1, "odk": 1, "pmks": 2, "network": 2,
          "psks": 2, "bantuan": 3, "verifikasi": 3, "ketahanan": 4, "demo": 5,
          "api": 5}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & FLOORS.keys()


@pytest.mark.parametrize("app", sorted(FLOORS))
def test_no_module_imports_an_app_on_a_higher_floor(app):
    modules = [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    assert modules, f"{app} has no modules"
    upward = [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in modules
        for other in sorted(imported_apps(path))
        if FLOORS[other] > FLOORS[app]
    ]
    assert upward == []


def test_apps_on_one_floor_do_not_import_each_other_both_ways():
    """pmks and network share floor 2: one may use the other, not each the other."""
    uses = {
        app: set().union(*(imported_apps(p) for p in (ROOT / app).rglob("*.py")
                           if "migrations" not in p.parts)) - {app}
        for app in FLOORS
    }
    both = sorted(
        (a, b) for a in FLOORS for b in FLOORS if a < b and b in uses[a] and a in uses[b]
    )
    assert both == []
