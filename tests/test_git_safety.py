"""Writes in awkward repository states: unrelated staged files, a detached HEAD, a merge in progress, a read-only
checkout. Each gets a clear message (or the right behaviour) and no damage."""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Run, git

ACTION_A = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
ACTION_B = "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"
ACTION_C = "records/pcc/actions/2023/pcc-2023-02-22-7a.yaml"
UPDATE = ("update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02", "--note", "Received.")


def _state(root: Path) -> dict[str, str]:
    """Everything a write could damage: every working-tree file, the index, HEAD and git's in-progress markers."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".tracker-cache/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    out["index"] = git(root, "ls-files", "--stage")
    out["HEAD"] = git(root, "rev-parse", "HEAD")
    out["symbolic HEAD"] = subprocess.run(["git", "symbolic-ref", "-q", "HEAD"], cwd=root, capture_output=True,
                                          text=True).stdout
    out["status"] = git(root, "status", "--porcelain=v1")
    out["markers"] = " ".join(sorted(p.name for p in (root / ".git").iterdir() if p.name.isupper()))
    return out


def _refused(result: object, *phrases: str) -> None:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert result.stderr.startswith("error: ")  # type: ignore[attr-defined]
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr  # type: ignore[attr-defined]


# ---------------------------------------------------------------- staged files


def test_commit_with_unrelated_changes_staged_commits_only_its_file(git_repo: Path, run: Run) -> None:
    # A hand edit of another record, a new file and a deletion, all staged; an unstaged edit of a third record.
    with (git_repo / ACTION_B).open("a", encoding="utf-8") as handle:
        handle.write("# checked against the minutes\n")
    (git_repo / "draft.md").write_text("A draft letter.\n", encoding="utf-8")
    git(git_repo, "add", ACTION_B, "draft.md")
    git(git_repo, "rm", "-q", "--cached", "records/pcc/actions/2023/pcc-2023-01-11-6a.yaml")
    with (git_repo / ACTION_C).open("a", encoding="utf-8") as handle:
        handle.write("# not staged\n")
    staged = git(git_repo, "diff", "--cached", "--name-status")
    unstaged = git(git_repo, "diff", "--name-status")
    head = git(git_repo, "rev-parse", "HEAD").strip()

    result = run(git_repo, *UPDATE, "--commit")
    assert result.exit_code == 0, result.output
    assert git(git_repo, "rev-parse", "HEAD~1").strip() == head
    assert git(git_repo, "show", "--name-only", "--format=", "HEAD").split() == [ACTION_A]
    assert git(git_repo, "log", "-1", "--format=%s%n%n%b%n%an").strip() == (
        "pcc-2023-03-22-6a: ongoing → completed\n\nReceived.\n\nTest Clerk")
    assert git(git_repo, "diff", "--cached", "--name-status") == staged
    assert git(git_repo, "diff", "--name-status") == unstaged
    assert git(git_repo, "status", "--porcelain", "--", ACTION_A) == ""


# ---------------------------------------------------------------- detached HEAD


def test_commit_on_a_detached_head_is_refused_before_anything_is_written(git_repo: Path, run: Run) -> None:
    git(git_repo, "checkout", "-q", "--detach", "HEAD")
    before = _state(git_repo)
    result = run(git_repo, *UPDATE, "--commit")
    _refused(result, "HEAD is detached", "could be lost", "nothing was changed")
    assert "git switch" in result.stderr
    assert _state(git_repo) == before


def test_without_commit_a_detached_head_is_no_obstacle(git_repo: Path, run: Run) -> None:
    git(git_repo, "checkout", "-q", "--detach", "HEAD")
    result = run(git_repo, *UPDATE, "--no-commit")
    assert result.exit_code == 0, result.output
    assert git(git_repo, "status", "--porcelain").split() == ["M", ACTION_A]


# ---------------------------------------------------------------- a merge in progress


def _mid_merge(root: Path) -> None:
    """Two branches edit one record differently; the merge stops with conflict markers in it."""
    git(root, "checkout", "-q", "-b", "other")
    text = (root / ACTION_B).read_text(encoding="utf-8")
    (root / ACTION_B).write_text(text.replace("Senior Policy Adviser", "Monitoring Officer"), encoding="utf-8")
    git(root, "commit", "-qam", "Other side")
    git(root, "checkout", "-q", "main")
    (root / ACTION_B).write_text(text.replace("Senior Policy Adviser", "Senior Committee Officer"), encoding="utf-8")
    git(root, "commit", "-qam", "This side")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True, text=True)
    assert merge.returncode != 0 and (root / ".git" / "MERGE_HEAD").exists()


def test_commit_in_the_middle_of_a_merge_is_refused_and_the_merge_left_as_it_was(git_repo: Path, run: Run) -> None:
    _mid_merge(git_repo)
    before = _state(git_repo)
    result = run(git_repo, "validate")
    assert result.exit_code == 1 and "merge conflict" in result.stdout
    # The records are refused while a file holds conflict markers, whether or not the write would commit.
    for extra in ("--commit", "--no-commit"):
        _refused(run(git_repo, *UPDATE, extra), "fix them first", "merge conflict")
        assert _state(git_repo) == before
    # Once the conflicted file is fixed (but the merge not yet committed), --commit is still refused.
    text = (git_repo / ACTION_B).read_text(encoding="utf-8")
    resolved = "\n".join(line for line in text.splitlines() if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
                         and "Monitoring Officer" not in line) + "\n"
    (git_repo / ACTION_B).write_text(resolved, encoding="utf-8")
    assert run(git_repo, "validate").exit_code == 0
    before = _state(git_repo)
    result = run(git_repo, *UPDATE, "--commit")
    _refused(result, "a merge is in progress", "nothing was changed", "git merge --abort")
    assert _state(git_repo) == before
    # The clerk can still finish the merge as git expects.
    git(git_repo, "commit", "-qam", "Merge other")
    assert not (git_repo / ".git" / "MERGE_HEAD").exists()


def test_commit_in_the_middle_of_a_cherry_pick_is_refused(git_repo: Path, run: Run) -> None:
    _mid_merge(git_repo)
    git(git_repo, "merge", "--abort")
    picked = subprocess.run(["git", "cherry-pick", "other"], cwd=git_repo, capture_output=True, text=True)
    assert picked.returncode != 0 and (git_repo / ".git" / "CHERRY_PICK_HEAD").exists()
    (git_repo / ACTION_B).write_text(git(git_repo, "show", f"HEAD:{ACTION_B}"), encoding="utf-8")
    before = _state(git_repo)
    _refused(run(git_repo, *UPDATE, "--commit"), "a cherry-pick is in progress")
    assert _state(git_repo) == before


# ---------------------------------------------------------------- a read-only checkout


def _can_mount_read_only() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,ro,bind /tmp /tmp"],
                           capture_output=True)
    return probe.returncode == 0


def _run_read_only(read_only: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a private mount namespace in which read_only is a read-only bind mount.

    The tests run as root, for whom `chmod -R a-w` stops nothing; a read-only mount stops root too (EROFS).
    """
    assert _can_mount_read_only(), "these tests need `unshare -m` and bind mounts (run them as root)"
    folder = shlex.quote(str(read_only))
    command = shlex.join([sys.executable, "-m", "tracker", "--root", str(root), *args])
    script = f"mount --bind {folder} {folder} && mount -o remount,ro,bind {folder} {folder} && exec {command}"
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("extra", ["--commit", "--no-commit"])
def test_a_read_only_checkout_refuses_the_write_with_a_clear_message(git_repo: Path, extra: str) -> None:
    before = _state(git_repo)
    done = _run_read_only(git_repo, git_repo, *UPDATE, extra)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {git_repo}: cannot write: Read-only file system; nothing was changed")
    assert "hint: is the checkout read-only?" in done.stderr
    assert _state(git_repo) == before


def test_a_read_only_records_folder_refuses_the_write_naming_the_file(git_repo: Path) -> None:
    (git_repo / ".tracker-cache").mkdir()  # the lock can be taken; the record itself cannot be written
    before = _state(git_repo)
    for args in (UPDATE, ("followup", "pcc-2023-03-22-6b", "--date", "2023-06-02")):
        done = _run_read_only(git_repo / "records", git_repo, *args, "--commit")
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "cannot write: Read-only file system; nothing was changed" in done.stderr
        assert "records/pcc/actions/2023/pcc-2023-03-22-6" in done.stderr.splitlines()[0]
        assert _state(git_repo) == before
    # Reading still works in a read-only checkout.
    listed = _run_read_only(git_repo, git_repo, "show", "pcc-2023-03-22-6a")
    assert listed.returncode == 0 and "Baroness Casey" in listed.stdout
