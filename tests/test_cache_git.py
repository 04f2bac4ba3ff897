"""In a git work tree the cache learns what changed from `git status`; it must never serve stale records."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import CallSpy, Run, git
from tests.test_cache import ParseCounter, rewrite
from tracker.storage import cache as cache_module
from tracker.storage import store
from tracker.storage.config import load_config
from tracker.storage.gitscan import git_scan, parse_status
from tracker.storage.store import load_records

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
OVERDUE = ("overdue", "--as-of", "2024-01-15", "--format", "json")


class ScanCounter(CallSpy):
    """Counts the fallbacks to stat-ing every file (the git path must not need them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        super().__init__(monkeypatch, store, "scan_records")


def assert_fresh(root: Path) -> store.RecordSet:
    """The cached load (twice: filling and using) gives exactly what reading every file gives."""
    config = load_config(root)
    plain = load_records(config, use_cache=False)
    for _ in range(2):
        cached = load_records(config)
        assert list(cached.records) == list(plain.records)
        assert cached.records == plain.records
        assert cached.problems == plain.problems
    return cached


def responsible(root: Path) -> str:
    return str(load_records(load_config(root)).records["pcc-2023-03-22-6a"].responsible)  # type: ignore[attr-defined]


def test_the_git_path_is_taken_and_parses_nothing_when_warm(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert git_scan(git_repo) is not None
    assert_fresh(git_repo)
    scans = ScanCounter(monkeypatch)
    parses = ParseCounter(monkeypatch)
    load_records(load_config(git_repo))
    assert scans.calls == 0
    assert parses.paths == []


def test_the_digest_is_the_git_blob_id(git_repo: Path) -> None:
    data = (git_repo / ACTION).read_bytes()
    assert cache_module.digest(data) == git(git_repo, "hash-object", ACTION).strip()


def test_a_same_size_unstaged_edit_within_a_second_shows_up(git_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    time.sleep(1.1)  # the files' last change (their ctime) lies in an earlier second than the edit below
    before = responsible(git_repo)  # a warm run: git has just refreshed its index
    # Same length, within the second of that run, the old mtime put back.
    rewrite(git_repo / ACTION, f"responsible: {before}", f"responsible: {before[::-1]}", keep_mtime=True)
    scans = ScanCounter(monkeypatch)
    assert responsible(git_repo) == before[::-1]
    assert scans.calls == 0
    assert_fresh(git_repo)


def test_an_edit_that_puts_the_mtime_back_shows_up_even_when_git_ignores_ctime(git_repo: Path) -> None:
    git(git_repo, "config", "core.trustctime", "false")
    time.sleep(1.1)
    assert_fresh(git_repo)
    git(git_repo, "status")  # the index now records the file's stat
    before = responsible(git_repo)
    rewrite(git_repo / ACTION, f"responsible: {before}", f"responsible: {before[::-1]}", keep_mtime=True)
    assert responsible(git_repo) == before[::-1]


def test_a_same_size_rewrite_in_the_second_of_the_checkout_with_the_mtime_put_back_shows_up(git_repo: Path) -> None:
    # Straight after the commit that made the repository: git compares change times only to the second, so this
    # rewrite can look clean to it; the files were cached while recently written, so their own stat decides.
    before = responsible(git_repo)
    rewrite(git_repo / ACTION, f"responsible: {before}", f"responsible: {before[::-1]}", keep_mtime=True)
    assert responsible(git_repo) == before[::-1]
    assert_fresh(git_repo)


def test_staged_and_committed_edits_show_up(git_repo: Path) -> None:
    assert_fresh(git_repo)
    rewrite(git_repo / ACTION, "status: ongoing", "status: complete")
    git(git_repo, "add", ACTION)
    assert assert_fresh(git_repo).records["pcc-2023-03-22-6a"].status == "complete"  # type: ignore[attr-defined]
    # Staged one way, edited back the other in the work tree: the work tree is what counts.
    rewrite(git_repo / ACTION, "status: complete", "status: ongoing")
    assert assert_fresh(git_repo).records["pcc-2023-03-22-6a"].status == "ongoing"  # type: ignore[attr-defined]
    rewrite(git_repo / ACTION, "status: ongoing", "status: complete")
    git(git_repo, "commit", "-qam", "Complete an action")
    assert assert_fresh(git_repo).records["pcc-2023-03-22-6a"].status == "complete"  # type: ignore[attr-defined]


def test_checkout_merge_and_rebase_show_up(git_repo: Path) -> None:
    assert_fresh(git_repo)
    git(git_repo, "checkout", "-q", "-b", "side")
    rewrite(git_repo / ACTION, "status: ongoing", "status: complete")
    git(git_repo, "commit", "-qam", "Complete an action")
    assert_fresh(git_repo)
    git(git_repo, "checkout", "-q", "main")
    assert assert_fresh(git_repo).records["pcc-2023-03-22-6a"].status == "ongoing"  # type: ignore[attr-defined]
    other = sorted((git_repo / "records").rglob("*.yaml"))[0]
    other_rel = other.relative_to(git_repo).as_posix()
    other.write_text(other.read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
    git(git_repo, "commit", "-qam", "Note on main")
    git(git_repo, "merge", "-q", "--no-edit", "side")
    merged = assert_fresh(git_repo)
    assert merged.records["pcc-2023-03-22-6a"].status == "complete"  # type: ignore[attr-defined]
    git(git_repo, "reset", "-q", "--hard", "HEAD~1")
    assert assert_fresh(git_repo).records["pcc-2023-03-22-6a"].status == "ongoing"  # type: ignore[attr-defined]
    git(git_repo, "checkout", "-q", "side")
    git(git_repo, "rebase", "-q", "main")
    rebased = assert_fresh(git_repo)
    assert rebased.records["pcc-2023-03-22-6a"].status == "complete"  # type: ignore[attr-defined]
    assert (git_repo / other_rel).read_text(encoding="utf-8").endswith("# a note\n")


def test_new_deleted_and_ignored_files_show_up(git_repo: Path, run: Run) -> None:
    assert run(git_repo, *OVERDUE).exit_code == 0
    source = git_repo / ACTION
    # A new, untracked file with the same ID: a problem at once.
    shutil.copy(source, source.with_name("pcc-2023-03-22-6z.yaml"))
    refused = run(git_repo, *OVERDUE)
    assert refused.exit_code == 1
    assert "pcc-2023-03-22-6z.yaml" in refused.stderr
    assert_fresh(git_repo)
    # Ignored by git, but a record all the same (as when every file is stat-ed).
    (git_repo / ".gitignore").write_text(".tracker-cache/\nrecords/**/*-6z.yaml\n", encoding="utf-8")
    assert git(git_repo, "status", "--porcelain", "--", "records") == ""
    assert run(git_repo, *OVERDUE).exit_code == 1
    assert_fresh(git_repo)
    source.with_name("pcc-2023-03-22-6z.yaml").unlink()
    assert run(git_repo, *OVERDUE).exit_code == 0
    # A tracked file deleted: gone at once.
    source.unlink()
    assert "pcc-2023-03-22-6a" not in assert_fresh(git_repo).records
    git(git_repo, "checkout", "--", ACTION)
    assert "pcc-2023-03-22-6a" in assert_fresh(git_repo).records


def test_records_not_yet_committed_are_read_by_stat(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(bundled, "init", "-q", "-b", "main")
    assert git_scan(bundled) is None  # no commit at all
    git(bundled, "config", "user.name", "Test Clerk")
    git(bundled, "config", "user.email", "clerk@example.org")
    git(bundled, "add", "tracker.yaml")
    git(bundled, "commit", "-qm", "Settings only")
    assert git_scan(bundled) is None  # records/ not in HEAD
    scans = ScanCounter(monkeypatch)
    assert_fresh(bundled)
    assert scans.calls > 0
    before = responsible(bundled)
    rewrite(bundled / ACTION, f"responsible: {before}", f"responsible: {before[::-1]}", keep_mtime=True)
    assert responsible(bundled) == before[::-1]
    git(bundled, "add", "-A")
    git(bundled, "commit", "-qm", "Records")
    assert git_scan(bundled) is not None
    assert_fresh(bundled)


def test_a_folder_inside_a_larger_repository_is_read_by_stat(git_repo: Path, tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    outer.mkdir()
    shutil.copytree(git_repo, outer / "inner", ignore=shutil.ignore_patterns(".git"))
    git(outer, "init", "-q", "-b", "main")
    assert git_scan(outer / "inner") is None
    assert_fresh(outer / "inner")


def test_status_output_is_parsed_with_spaces_and_renames() -> None:
    output = (
        b"1 .M N... 100644 100644 100644 aaaa bbbb records/a b.yaml\0"
        b"2 R. N... 100644 100644 100644 aaaa bbbb R100 records/new.yaml\0records/old.yaml\0"
        b"u UU N... 100644 100644 100644 100644 aaaa bbbb cccc records/c.yaml\0"
    )
    assert parse_status(output) == {"records/a b.yaml", "records/new.yaml", "records/old.yaml", "records/c.yaml"}
    assert parse_status(b"X what\0") is None


def test_a_git_command_holding_the_index_lock_neither_blocks_nor_is_blocked(git_repo: Path) -> None:
    assert_fresh(git_repo)
    lock = git_repo / ".git" / "index.lock"
    lock.write_bytes(b"")  # as while a clerk's `git commit` is running
    try:
        before = responsible(git_repo)
        rewrite(git_repo / ACTION, f"responsible: {before}", f"responsible: {before[::-1]}")
        assert git_scan(git_repo) is not None
        assert responsible(git_repo) == before[::-1]
        assert lock.exists() and lock.read_bytes() == b""
    finally:
        lock.unlink()


def test_folder_listings_are_reused_and_a_new_or_removed_file_still_shows_up(
    git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "SETTLE_NS", 0)  # every folder counts as settled at once
    assert_fresh(git_repo)
    import tracker.storage.gitscan as gitscan_module

    listed: list[str] = []
    real = gitscan_module.os.scandir

    def counting(path):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(git_repo / "records")):
            listed.append(str(path))
        return real(path)

    monkeypatch.setattr(gitscan_module.os, "scandir", counting)
    load_records(load_config(git_repo))
    assert listed == []  # nothing changed: no folder listed again
    source = git_repo / ACTION
    extra = source.with_name("pcc-2023-03-22-6z.yaml")
    shutil.copy(source, extra)
    loaded = load_records(load_config(git_repo))
    assert {path.rstrip("/") for path in listed} == {str(source.parent)}  # only the changed folder is listed
    assert any("6z" in str(problem) for problem in validate_problems(git_repo, loaded))
    assert_fresh(git_repo)
    extra.unlink()
    assert_fresh(git_repo)
    sub = source.parent / "more"
    sub.mkdir()
    shutil.copy(source, sub / "pcc-2023-03-22-6z.yaml")
    assert "records/pcc/actions/2023/more/pcc-2023-03-22-6z.yaml" in {r.path for r in assert_fresh(git_repo)}


def validate_problems(root: Path, records: store.RecordSet) -> list[object]:
    from tracker.storage.validate import validate

    return list(validate(load_config(root), records))
