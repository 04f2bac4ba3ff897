"""The cache can never change an answer: each way found to make it serve a wrong one, or run code, is a test here.

Every test compares the cached answer with `--no-cache`'s (which reads every file afresh), or with what a clerk
must see, after doing to the repository or to `.tracker-cache/` what a colleague, a tool or an attacker could.
"""

from __future__ import annotations

import ast
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Run, git

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
OVERDUE = ("overdue", "--as-of", "2024-01-15", "--format", "json")
COMMANDS = [
    ("validate",),
    ("list", "--format", "json"),
    ("show", "pcc-2023-03-22-6a", "--format", "json"),
    OVERDUE,
    ("render", "actions", "--committee", "pcc", "--as-of", "2024-01-15"),
]


def tracker(root: Path, *args: str, timeout: float = 60, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """tracker as a clerk runs it, in a process of its own (so a hang is a timeout, not a stuck test run)."""

    def limit() -> None:
        if memory is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    env = {key: value for key, value in os.environ.items() if key != "TRACKER_NO_CACHE"}
    return subprocess.run([sys.executable, "-m", "tracker", "--root", str(root), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=PROJECT, env=env, preexec_fn=limit)


def answers(run: Run, root: Path, *args: str) -> tuple[int, str]:
    result = run(root, *args)
    return result.exit_code, result.stdout


def uncached(run: Run, root: Path, *args: str) -> tuple[int, str]:
    return answers(run, root, "--no-cache", *args)


def assert_same_as_uncached(run: Run, root: Path, commands: list[tuple[str, ...]] = COMMANDS) -> None:
    """Every command, through the cache (twice: the second may use what the first kept), answers as a full read."""
    for args in commands:
        expected = uncached(run, root, *args)
        for _ in range(2):
            assert answers(run, root, *args) == expected, args


def fill(run: Run, root: Path, settle: bool = False) -> None:
    """Run every command twice, so the cache holds what they keep. With settle, first wait until every file's last
    write lies further back than the cache's window for distrusting recent writes, so that git's word is taken."""
    if settle:
        time.sleep(3.5)
    for args in COMMANDS:
        run(root, *args)
        run(root, *args)


def breaking_edit(root: Path) -> None:
    path = root / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace("status: ongoing", "status: nonsense"), encoding="utf-8")


# 1. git's index flags and attributes are not taken on trust.

@pytest.mark.parametrize("flag", ["--skip-worktree", "--assume-unchanged"])
def test_a_flagged_file_edited_is_still_validated(git_repo: Path, run: Run, flag: str) -> None:
    fill(run, git_repo, settle=True)
    git(git_repo, "update-index", flag, ACTION)
    breaking_edit(git_repo)
    result = run(git_repo, "validate")
    assert result.exit_code == 1
    assert ACTION in result.stdout
    assert_same_as_uncached(run, git_repo)


def test_a_sparse_checkout_lists_only_the_records_on_disk(git_repo: Path, run: Run) -> None:
    fill(run, git_repo, settle=True)
    git(git_repo, "sparse-checkout", "set", "--no-cone", "/tracker.yaml", "/records/lewisham-ssc/",
        "/records/pcc/meetings/", "/records/pcc/actions/")
    assert not (git_repo / "records/pcc/reports").exists()
    assert_same_as_uncached(run, git_repo)


def test_an_ident_attribute_shows_the_file_not_the_blob(git_repo: Path, run: Run) -> None:
    path = git_repo / ACTION
    text = path.read_text(encoding="utf-8").replace("responsible: Baroness", 'responsible: "$Id$" # Baroness')
    path.write_text(text, encoding="utf-8")
    git(git_repo, "commit", "-qam", "Mark the file")
    fill(run, git_repo, settle=True)
    (git_repo / ".gitattributes").write_text("*.yaml ident\n", encoding="utf-8")
    git(git_repo, "add", ".gitattributes")
    git(git_repo, "commit", "-qm", "Expand $Id$")
    path.unlink()
    git(git_repo, "checkout", "--", ACTION)
    assert "$Id: " in path.read_text(encoding="utf-8")
    shown = run(git_repo, "show", "pcc-2023-03-22-6a", "--format", "json")
    assert "$Id: " in shown.stdout
    assert_same_as_uncached(run, git_repo)


# 2. The cached path reads files through the same guarded reader as a full read.

def test_a_pipe_in_place_of_a_cached_record_is_refused_without_waiting(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    (git_repo / ACTION).unlink()
    os.mkfifo(git_repo / ACTION)
    result = tracker(git_repo, "validate", timeout=30)
    assert result.returncode == 1
    assert ACTION in result.stdout
    assert "Traceback" not in result.stderr


def test_a_link_to_dev_zero_in_place_of_a_cached_record_is_refused(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    (git_repo / ACTION).unlink()
    (git_repo / ACTION).symlink_to("/dev/zero")
    result = tracker(git_repo, "validate", timeout=60, memory=1 << 30)
    assert result.returncode == 1
    assert ACTION in result.stdout
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr


def test_a_link_out_of_the_repository_in_place_of_a_cached_record_is_refused(git_repo: Path, run: Run,
                                                                              tmp_path: Path) -> None:
    fill(run, git_repo)
    outside = tmp_path / "outside.yaml"
    shutil.copy(git_repo / ACTION, outside)
    (git_repo / ACTION).unlink()
    (git_repo / ACTION).symlink_to(outside)
    result = run(git_repo, "validate")
    assert result.exit_code == 1
    assert ACTION in result.stdout and "outside" in result.stdout
    assert_same_as_uncached(run, git_repo)


# 3. What the cache holds is checked before it is used, and can never run code.

def cache_files(root: Path) -> list[Path]:
    files = [path for path in (root / ".tracker-cache").rglob("*") if path.is_file()]
    assert files, "the cache was not filled"
    return files


def databases(root: Path) -> list[Path]:
    found = []
    for path in cache_files(root):
        with path.open("rb") as handle:
            if handle.read(16) == b"SQLite format 3\x00":
                found.append(path)
    return found


def value_columns(database: Path) -> list[tuple[str, str]]:
    """Every (table, column) of a database that is not part of its table's key."""
    db = sqlite3.connect(database)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return [(table, row[1]) for table in tables for row in db.execute(f"PRAGMA table_info('{table}')") if not row[5]]
    finally:
        db.close()


def rewrite_column(database: Path, table: str, column: str, change: object) -> int:
    """Replace the column's every text or blob value with change(value); how many were replaced."""
    changed = 0
    db = sqlite3.connect(database, isolation_level=None)
    try:
        keys = [row[1] for row in db.execute(f"PRAGMA table_info('{table}')") if row[5]] or ["rowid"]
        where = " AND ".join(f'"{key}" IS ?' for key in keys)
        for row in db.execute(f'SELECT {", ".join(keys)}, "{column}" FROM \'{table}\'').fetchall():
            value = row[-1]
            if isinstance(value, (bytes, str)) and value:
                db.execute(f'UPDATE \'{table}\' SET "{column}" = ? WHERE {where}', (change(value), *row[:-1]))  # type: ignore[operator]
                changed += 1
    finally:
        db.close()
    return changed


def corrupt_each_part(run: Run, root: Path, change: object) -> None:
    """For each column of each cache table, and then for every other cache file: fill the cache afresh, change
    every value of that part with change(value), and check every answer against a full read."""
    fill(run, root)
    parts = [(database.relative_to(root), table, column) for database in databases(root)
             for table, column in value_columns(database)]
    assert parts
    changed_any = False
    for database, table, column in parts:
        shutil.rmtree(root / ".tracker-cache")
        fill(run, root)
        changed_any = rewrite_column(root / database, table, column, change) > 0 or changed_any
        assert_same_as_uncached(run, root, COMMANDS[1:])
    assert changed_any
    shutil.rmtree(root / ".tracker-cache")
    fill(run, root)
    for path in cache_files(root):
        if path not in databases(root) and path.stat().st_size:
            path.write_bytes(change(path.read_bytes()))  # type: ignore[operator]
    assert_same_as_uncached(run, root)


def flip(value: bytes | str) -> bytes | str:
    """One letter, from the middle on, changed to the next (as "error" to "errpr"), else one bit of the middle."""
    middle = len(value) // 2
    if isinstance(value, str):
        at = next((index for index in range(middle, len(value)) if "a" <= value[index] < "z"), None)
        return value + "x" if at is None else value[:at] + chr(ord(value[at]) + 1) + value[at + 1:]
    at = next((index for index in range(middle, len(value)) if 97 <= value[index] < 122), middle)
    return value[:at] + bytes([value[at] + 1 if 97 <= value[at] < 122 else value[at] ^ 0x10]) + value[at + 1:]


def test_a_truncated_kept_answer_is_worked_out_again(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    expected = uncached(run, git_repo, *OVERDUE)
    for path in cache_files(git_repo):
        if path not in databases(git_repo) and path.stat().st_size > 10:
            path.write_bytes(path.read_bytes()[:98])
    assert answers(run, git_repo, *OVERDUE) == expected
    assert expected[0] == 0


def test_a_flipped_byte_anywhere_in_the_cache_changes_no_answer(git_repo: Path, run: Run) -> None:
    corrupt_each_part(run, git_repo, flip)


class _Marker:
    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.path}",))


def test_crafted_bytes_in_every_cache_file_and_row_run_nothing(git_repo: Path, run: Run, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    crafted = pickle.dumps(_Marker(marker))
    corrupt_each_part(run, git_repo, lambda value: crafted if isinstance(value, bytes) else crafted.decode("latin-1"))
    assert not marker.exists()


def test_garbage_in_place_of_the_database_is_rebuilt(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    for database in databases(git_repo):
        database.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    assert_same_as_uncached(run, git_repo)


def test_nothing_in_the_package_can_execute_what_it_reads() -> None:
    forbidden_modules = {"pickle", "marshal", "shelve", "dill", "cloudpickle"}
    found = []
    for path in sorted((PROJECT / "tracker").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path.name, alias.name) for alias in node.names if alias.name.split(".")[0] in forbidden_modules]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in forbidden_modules:
                found.append((path.name, str(node.module)))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                found.append((path.name, node.func.id))
    assert found == []


# 4. Links in the records folder: a linked folder is a problem, never records dropped without a word.

def test_a_linked_committee_folder_is_a_problem(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    (git_repo / "elsewhere").mkdir()
    shutil.move(git_repo / "records/pcc", git_repo / "elsewhere/pcc")
    (git_repo / "records/pcc").symlink_to("../elsewhere/pcc")
    for cache in ([], ["--no-cache"]):
        result = run(git_repo, *cache, "validate")
        assert result.exit_code == 1, cache
        assert "records/pcc" in result.stdout
    assert_same_as_uncached(run, git_repo)


def test_a_linked_file_inside_the_repository_is_read_alike_by_every_command(git_repo: Path, run: Run) -> None:
    fill(run, git_repo)
    (git_repo / "elsewhere").mkdir()
    shutil.move(git_repo / ACTION, git_repo / "elsewhere/action.yaml")
    (git_repo / ACTION).symlink_to(os.path.relpath(git_repo / "elsewhere/action.yaml", (git_repo / ACTION).parent))
    assert_same_as_uncached(run, git_repo)
