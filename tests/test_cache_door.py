"""The cache is an optimisation nobody can see: every command's output is byte for byte the same with it and with
`--no-cache` (which neither reads nor writes it), cold and warm, clean and after edits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run, git

AS_OF = ("--as-of", "2024-01-15")
FORMATS = ("table", "json", "csv", "markdown")
COMMANDS = [
    ("validate",),
    ("validate", "--format", "json"),
    *[("list", "--format", fmt) for fmt in FORMATS],
    ("list", "--open", "--committee", "pcc", "--format", "json"),
    ("show", "pcc-2023-03-22-6a", *AS_OF),
    ("show", "pcc-2023-03-22-6a", *AS_OF, "--format", "json"),
    *[("overdue", *AS_OF, "--format", fmt) for fmt in FORMATS],
    ("overdue", *AS_OF, "--committee", "pcc", "--format", "json"),
    ("render", "actions", "--committee", "pcc", *AS_OF),
    ("render", "actions", "--committee", "pcc", "--as-of", "2023-05-24", "--since", "2023-03-22"),
    ("render", "recommendations", "--report", "probation-services-in-london", *AS_OF),
    ("stats", *AS_OF, "--format", "json"),
    ("stats", *AS_OF),
    ("changes",),
    ("changes", "HEAD~1", "--format", "json"),
]
ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"


def outputs(run: Run, root: Path, *extra: str) -> list[tuple[int, str, str]]:
    return [(result.exit_code, result.stdout, result.stderr)
            for result in (run(root, *extra, *args) for args in COMMANDS)]


@pytest.fixture
def history(git_repo: Path) -> Path:
    """The bundled records with a second commit, so `changes` has something to say."""
    path = git_repo / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace("status: ongoing", "status: completed"), encoding="utf-8")
    git(git_repo, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.org", "commit", "-qam", "Done")
    return git_repo


def test_every_command_answers_alike_with_and_without_the_cache(history: Path, run: Run) -> None:
    expected = outputs(run, history, "--no-cache")
    assert not (history / ".tracker-cache").exists()
    assert all(code == 0 for code, _, _ in expected)
    assert outputs(run, history) == expected  # cold: worked out and kept
    assert outputs(run, history) == expected  # warm: as kept


def test_every_command_answers_alike_after_edits(history: Path, run: Run) -> None:
    outputs(run, history)
    path = history / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace("Baroness Casey", "The Commissioner"), encoding="utf-8")
    sorted((history / "records/pcc/meetings").glob("*.yaml"))[0].unlink()
    expected = outputs(run, history, "--no-cache")
    assert outputs(run, history) == expected
    assert outputs(run, history) == expected
    path.write_text(path.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")  # now a problem
    expected = outputs(run, history, "--no-cache")
    assert any(code == 1 for code, _, _ in expected)
    assert outputs(run, history) == expected
