"""A committee's papers the bundled records were not shaped on: the model, the checks and the writes a clerk needs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, git


def _clerk_git(root: Path) -> None:
    git(root, "config", "user.name", "Test Clerk")
    git(root, "config", "user.email", "clerk@example.org")


# ---------------------------------------------------------------- 14: init starts on main


def test_init_starts_the_repository_on_main_even_where_git_defaults_to_master(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "borough"
    global_config = tmp_path / "gitconfig"
    global_config.write_text("[init]\n\tdefaultBranch = master\n", encoding="utf-8")
    result = run(tmp_path, "init", str(target), "--committee", 'osc="Overview and Scrutiny Committee"',
                 env={"GIT_CONFIG_GLOBAL": str(global_config)})
    assert result.exit_code == 0, result.output
    assert "on branch main" in result.stdout
    assert git(target, "symbolic-ref", "--short", "HEAD").strip() == "main"
    _clerk_git(target)
    git(target, "add", "-A")
    git(target, "commit", "-qm", "Start the records")
    git(target, "checkout", "-qb", "new-meeting")
    assert run(target, "new", "meeting", "--committee", "osc", "--date", "2022-03-24").exit_code == 0
    git(target, "add", "-A")
    git(target, "commit", "-qm", "Record the meeting")
    changed = run(target, "changes", "main...HEAD")
    assert changed.exit_code == 0, changed.output
    assert "osc-2022-03-24" in changed.stdout
