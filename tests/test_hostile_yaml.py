"""YAML is only ever read through a safe path: no code in tracker/ can construct Python objects from a record."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import Run
from tracker.model.errors import TrackerError
from tracker.storage.reading import parse_record
from tracker.storage.yamlio import load_text

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"

UNSAFE_FUNCTIONS = {"load", "load_all", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"}
UNSAFE_LOADERS = {"Loader", "CLoader", "FullLoader", "CFullLoader", "UnsafeLoader", "CUnsafeLoader"}
SAFE_RUAMEL_TYPES = {"rt", "safe"}


def unsafe_uses(source: str) -> list[str]:
    """Every way this module could ask PyYAML or ruamel.yaml to build arbitrary Python objects."""
    tree = ast.parse(source)
    pyyaml = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
              for alias in node.names if alias.name == "yaml"}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "yaml":
            found += [alias.name for alias in node.names if alias.name in UNSAFE_LOADERS | UNSAFE_FUNCTIONS]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in pyyaml:
            if node.attr in UNSAFE_LOADERS | UNSAFE_FUNCTIONS:
                found.append(f"yaml.{node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "YAML":
            kinds = [k.value for k in node.keywords if k.arg == "typ"]
            # ruamel's default is "rt", which keeps unknown tags as text and never builds objects from them.
            if kinds and not (isinstance(kinds[0], ast.Constant) and kinds[0].value in SAFE_RUAMEL_TYPES):
                found.append("YAML(typ=...)")
    return found


@pytest.mark.parametrize("snippet", [
    "import yaml\ndata = yaml.load(text)",
    "import yaml\ndata = yaml.load(text, Loader=yaml.SafeLoader)",
    "import yaml as y\ndata = y.unsafe_load(text)",
    "import yaml\ndata = yaml.full_load(text)",
    "import yaml\nyaml.compose(text, Loader=yaml.FullLoader)",
    "from yaml import CLoader",
    "from yaml import load",
    "YAML(typ='unsafe').load(text)",
    "YAML(typ=kind).load(text)",
])
def test_the_scan_catches_unsafe_loading(snippet: str) -> None:
    assert unsafe_uses(snippet)


def test_the_package_never_loads_yaml_unsafely() -> None:
    found = {path.name: unsafe_uses(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.rglob("*.py"))}
    assert {name: uses for name, uses in found.items() if uses} == {}
    assert "CSafeLoader" in (PACKAGE / "storage" / "yamlio.py").read_text(encoding="utf-8")


PAYLOADS = [
    "!!python/object/apply:os.system [\"touch {marker}\"]",
    "!!python/object/new:os.system [\"touch {marker}\"]",
    "!!python/object/apply:subprocess.call [[\"touch\", \"{marker}\"]]",
    "!!python/name:os.system",
    "!!python/module:os",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_python_tags_are_refused_and_never_run(payload: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    text = f"id: pcc-2023-04-19\nkind: meeting\ncommittee: pcc\ndate: 2023-04-19\ntitle: {payload.format(marker=marker)}\n"
    with pytest.raises(TrackerError, match="is not allowed"):
        load_text(text, "m.yaml")
    record, problems = parse_record("m.yaml", text.encode())
    assert record is None and problems[0].line == 5 and problems[0].field == "title"
    assert not marker.exists()


def test_round_trip_editing_keeps_python_tags_as_text(tmp_path: Path) -> None:
    from tracker.storage.roundtrip import edit_text

    marker = tmp_path / "PWNED"
    text = f'a: !!python/object/apply:os.system ["touch {marker}"]\nb: 1\n'
    assert edit_text(text, lambda document: document.__setitem__("b", 2)) == text.replace("b: 1", "b: 2")
    assert not marker.exists()


def test_hostile_settings_file_is_refused(tmp_path: Path, run: Run) -> None:
    marker = tmp_path / "PWNED"
    root = tmp_path / "repo"
    (root / "records").mkdir(parents=True)
    (root / "tracker.yaml").write_text(
        f'committees:\n  pcc: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    result = run(root, "list")
    assert result.exit_code == 1
    assert "tracker.yaml:2:" in result.stderr and "is not allowed" in result.stderr
    assert not marker.exists()
