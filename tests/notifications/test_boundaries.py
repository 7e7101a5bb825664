"""The notifications app sits below the workflow apps (DESIGN §3): it imports Django, libraries,
core and departments only, and the apps above use its public names only."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIRST_PARTY = {"collab_portal", "core", "departments", "notifications", "tasks", "documents", "teams", "conflicts"}
FIRST_PARTY |= {"reports", "demo", "bench"}
ALLOWED_BELOW = {"core", "departments", "notifications"}


def imports(path: Path):
    """(module, imported name or None) for every absolute import in the file, nested ones included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.module, alias.name


def python_files(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def test_notifications_imports_nothing_above_it():
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("notifications")
        for module, _name in imports(path)
        if module.split(".")[0] in FIRST_PARTY - ALLOWED_BELOW
    ]
    assert python_files("notifications") and found == []


def test_other_apps_use_only_public_names_of_notifications():
    found = []
    for package in sorted(FIRST_PARTY - {"notifications"}):
        for path in python_files(package) if (ROOT / package).is_dir() else []:
            for module, name in imports(path):
                parts = module.split(".")
                if parts[0] == "notifications" and any(p.startswith("_") for p in [*parts[1:], name or ""]):
                    found.append(f"{path.relative_to(ROOT)}: {module}.{name}")
    assert found == []
