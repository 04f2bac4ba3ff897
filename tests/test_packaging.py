"""The package as users get it: a non-editable install in a fresh environment, run from anywhere; and the code checks."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.conftest import PROJECT


@pytest.mark.slow
def test_a_plain_install_carries_its_schemas_and_templates(tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    source = tmp_path / "source"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns(".git", ".venv", "*.egg-info", "build", "__pycache__", ".tracker-cache"))
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    located = subprocess.run([str(python), "-c", "import tracker, pathlib; print(pathlib.Path(tracker.__file__).parent)"],
                             cwd=elsewhere, capture_output=True, text=True, check=True).stdout.strip()
    assert located.startswith(str(env_dir)), located
    assert (Path(located) / "schema" / "action.schema.json").is_file()
    for template in ("site.css", "site-main.html", "site-report.md.j2"):  # the public site's stylesheet and theme page
        assert (Path(located) / "templates" / template).is_file(), template
    done = subprocess.run([str(env_dir / "bin" / "tracker"), "--root", str(PROJECT), "validate"],
                          cwd=elsewhere, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 problems" in done.stderr
    module = subprocess.run([str(python), "-m", "tracker", "--version"], cwd=elsewhere, capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.startswith("tracker, version ")


def test_ruff_finds_nothing() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "tracker", "tests", "benchmarks"], cwd=PROJECT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_on_the_core() -> None:
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=PROJECT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
