"""`render actions` answers through the cache exactly as from every file read afresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Run, commit_all, generated_repo, git
from tests.test_cache import rewrite
from tracker.storage.config import load_config


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_repo(tmp_path_factory, "partial", 300, 5)


def test_render_actions_is_the_same_from_a_partial_load(generated: Path, tmp_path: Path, run: Run) -> None:
    root = tmp_path / "copy"
    shutil.copytree(generated, root)
    commit_all(root)
    config = load_config(root)
    assert run(root, "validate").exit_code == 0
    for committee in sorted(config.committees):
        args = ("render", "actions", "--committee", committee, "--as-of", "2024-06-30")
        plain = run(root, "--no-cache", *args)
        assert plain.exit_code == 0, plain.output
        for _ in range(2):
            assert run(root, *args).stdout == plain.stdout
    # After an edit the state is validated afresh, and the answer follows the edit.
    action = sorted((root / "records").glob("*/actions/20*/*.yaml"))[0]
    committee = action.relative_to(root).parts[1]
    text = action.read_text(encoding="utf-8")
    text_line = next(line for line in text.splitlines() if line.startswith("text: \"") and line.endswith("\""))
    rewrite(action, text_line, text_line[:-1] + ' (amended)"')
    args = ("render", "actions", "--committee", committee, "--as-of", "2030-01-01")
    plain = run(root, "--no-cache", *args)
    assert "(amended)" in plain.stdout
    assert run(root, *args).stdout == plain.stdout
    assert run(root, *args).stdout == plain.stdout


def test_render_actions_refuses_a_broken_repository_even_when_partial(bundled: Path, run: Run) -> None:
    args = ("render", "actions", "--committee", "pcc", "--as-of", "2024-01-15")
    assert run(bundled, *args).exit_code == 0
    report = next((bundled / "records").glob("*/reports/*/*.yaml"))
    rewrite(report, "committee: ", "committee: x")
    refused = run(bundled, *args)
    assert refused.exit_code == 1
    assert "unknown committee" in refused.stderr


def test_the_closing_line_admits_every_kind_of_uncommitted_record(git_repo: Path, run: Run) -> None:
    args = ("render", "actions", "--committee", "pcc", "--as-of", "2023-05-24")
    admitted = "with uncommitted changes as of 24 May 2023."
    assert admitted not in run(git_repo, *args).stdout
    action = git_repo / "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
    original = action.read_bytes()
    action.write_bytes(original + b"# a clerk's note\n")
    assert admitted in run(git_repo, *args).stdout  # changed
    git(git_repo, "add", "-A")
    assert admitted in run(git_repo, *args).stdout  # staged
    git(git_repo, "reset", "-q", "--hard")
    assert admitted not in run(git_repo, *args).stdout
    extra = action.with_name("pcc-2023-03-22-6y.yaml")
    extra.write_bytes(original.replace(b"pcc-2023-03-22-6a", b"pcc-2023-03-22-6y"))
    new = run(git_repo, *args)
    assert admitted in new.stdout, new.stderr  # new
    (git_repo / ".gitignore").write_text(".tracker-cache/\n*-6y.yaml\n", encoding="utf-8")
    assert admitted in run(git_repo, *args).stdout  # ignored by git, but read as a record
    extra.unlink()
    assert admitted not in run(git_repo, *args).stdout
    action.unlink()
    assert admitted in run(git_repo, *args).stdout  # deleted
    git(git_repo, "checkout", "--", "records")
    assert admitted not in run(git_repo, *args).stdout
