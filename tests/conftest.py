"""Shared fixtures: a copy of the bundled records in a temporary repository, and ways to run the CLI."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import main

PROJECT = Path(__file__).resolve().parent.parent
# Excerpts of the public documents the bundled records were transcribed from; each names its source on line 1.
DATA = PROJECT / "tests" / "data"
PCC_SUMMARY_LIST = DATA / "pcc-summary-list-2023-05-24.md"
LEWISHAM_UPDATE = DATA / "lewisham-referrals-update-2021.txt"


def data_file(path: Path) -> Path:
    """A file the golden tests compare against; its absence is a failure, never a reason to skip."""
    assert path.is_file(), f"test data missing from the checkout: {path.relative_to(PROJECT)}"
    return path


def git(cwd: Path, *args: str) -> str:
    """Run a real git command in cwd and return its output."""
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A copy of the project's own records repository (tracker.yaml and records/) to change freely."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(PROJECT / "tracker.yaml", root / "tracker.yaml")
    shutil.copytree(PROJECT / "records", root / "records")
    return root


@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    """A fresh records repository with the pcc committee and nothing else."""
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "tracker.yaml").write_text("committees:\n  pcc: Police and Crime Committee\n", encoding="utf-8")
    (root / "records").mkdir()
    return root


@pytest.fixture
def git_repo(bundled: Path) -> Path:
    """The bundled records committed to a real git repository."""
    git(bundled, "init", "-q", "-b", "main")
    git(bundled, "config", "user.name", "Test Clerk")
    git(bundled, "config", "user.email", "clerk@example.org")
    git(bundled, "add", "-A")
    git(bundled, "commit", "-q", "-m", "Bundled records")
    return bundled


def list_bodies(root: Path, *names: str) -> None:
    """Add names to the bodies the bundled tracker.yaml lists (it ends with that list), so records may name them."""
    with (root / "tracker.yaml").open("a", encoding="utf-8") as handle:
        handle.write("".join(f"  {name}:\n" for name in names))


Run = Callable[..., Result]


def ok(result: Result) -> str:
    """What a command that must succeed printed; its output in the failure message when it did not."""
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def run() -> Run:
    """Invoke the CLI as a user would: `run(root, "list", "--open")`; stdout and stderr kept apart."""

    def invoke(root: Path, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        result = runner.invoke(main, ["--root", str(root), *args], input=input, env=env, catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return invoke


class CallSpy:
    """Records each call of owner.name while the real function still runs: `CallSpy(monkeypatch, store, "parse_record")`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str):
        self.args: list[tuple[object, ...]] = []
        real = getattr(owner, name)

        def spy(*args: object, **kwargs: object) -> object:
            self.args.append(args)
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, spy)

    @property
    def calls(self) -> int:
        return len(self.args)


def commit_all(root: Path, message: str = "Records") -> Path:
    """Make root a git repository with everything in it committed, as a clerk's records repository is."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.org", "commit", "-qm", message)
    return root


def generated_repo(factory: pytest.TempPathFactory, name: str, records: int, seed: int) -> Path:
    """A synthetic records repository from benchmarks/generate.py, made once per test module."""
    from benchmarks.generate import generate

    root = factory.mktemp(name) / "repo"
    generate(root, records, seed)
    return root
