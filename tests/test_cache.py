"""The record cache never serves stale data, and losing or damaging it is harmless."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from tests.conftest import CallSpy, Run, generated_repo, git, list_bodies
from tracker.storage import cache, reading
from tracker.storage.config import load_config
from tracker.storage.store import load_records

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
ACTION_ID = "pcc-2023-03-22-6a"


def responsible(run: Run, root: Path, record_id: str = ACTION_ID, *extra: str) -> str:
    result = run(root, *extra, "show", record_id, "--format", "json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["responsible"])


def rewrite(path: Path, old: str, new: str, *, keep_mtime: bool = False) -> None:
    """Replace text in a file in place (same inode), optionally putting the old mtime back as some tools do."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    with path.open("r+", encoding="utf-8") as handle:
        handle.write(text.replace(old, new))
        handle.truncate()
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


class ParseCounter(CallSpy):
    """Counts the files actually parsed (rather than served from the cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        super().__init__(monkeypatch, reading, "parse_mapping")

    @property
    def paths(self) -> list[str]:
        return [str(args[0]) for args in self.args]


def test_first_run_fills_the_cache_and_the_second_parses_nothing(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(bundled)
    counter = ParseCounter(monkeypatch)
    first = load_records(config)
    assert len(counter.paths) == 93
    assert (bundled / ".tracker-cache" / "records.sqlite3").is_file()
    counter.args.clear()
    second = load_records(config)
    assert counter.paths == []
    assert second.records == first.records
    assert second.problems == first.problems == []


def test_the_cache_folder_ignores_itself_in_git(git_repo: Path, run: Run) -> None:
    assert run(git_repo, "list").exit_code == 0
    assert (git_repo / ".tracker-cache" / "records.sqlite3").is_file()
    assert git(git_repo, "status", "--porcelain", "--ignored=no") == ""


def test_a_same_size_edit_within_the_same_second_shows_up(bundled: Path, run: Run) -> None:
    list_bodies(bundled, "Baroness Cassy of Blackstock DBE CB")
    # Same size, same inode, and the mtime put back to the nanosecond: only the bytes differ.
    assert responsible(run, bundled) == "Baroness Casey of Blackstock DBE CB"
    rewrite(bundled / ACTION, "Baroness Casey", "Baroness Cassy", keep_mtime=True)
    assert responsible(run, bundled) == "Baroness Cassy of Blackstock DBE CB"
    rewrite(bundled / ACTION, "Baroness Cassy", "Baroness Casey", keep_mtime=True)
    assert responsible(run, bundled) == "Baroness Casey of Blackstock DBE CB"


def test_a_same_size_edit_of_a_settled_file_shows_up(
    bundled: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    list_bodies(bundled, "Baroness Cassy of Blackstock DBE CB")
    # Treat files as settled as soon as their change is older than the read (no safety margin), so the
    # stat alone decides: the ctime, which no tool can put back, must give the edit away.
    monkeypatch.setattr(cache, "SETTLE_NS", 0)
    counter = ParseCounter(monkeypatch)
    time.sleep(0.05)  # let the file system clock move past the copy
    assert responsible(run, bundled) == "Baroness Casey of Blackstock DBE CB"
    db = sqlite3.connect(bundled / ".tracker-cache" / "records.sqlite3")
    assert db.execute("SELECT settled FROM files WHERE path = ?", (ACTION,)).fetchone() == (1,)
    db.close()
    counter.args.clear()
    rewrite(bundled / ACTION, "Baroness Casey", "Baroness Cassy", keep_mtime=True)
    assert responsible(run, bundled) == "Baroness Cassy of Blackstock DBE CB"
    assert counter.paths == [ACTION]


def test_touching_a_file_does_not_parse_it_again(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(bundled)
    load_records(config)
    counter = ParseCounter(monkeypatch)
    os.utime(bundled / ACTION, ns=(0, 0))
    records = load_records(config)
    assert counter.paths == []
    assert ACTION_ID in records.records


def test_a_deleted_file_is_gone(bundled: Path, run: Run) -> None:
    assert responsible(run, bundled) == "Baroness Casey of Blackstock DBE CB"
    (bundled / ACTION).unlink()
    result = run(bundled, "show", ACTION_ID)
    assert result.exit_code == 1
    assert f"no record with ID '{ACTION_ID}'" in result.stderr


def test_a_renamed_file_carries_its_new_path(bundled: Path, run: Run) -> None:
    run(bundled, "list")
    moved = bundled / "records/pcc/actions/2022" / Path(ACTION).name
    (bundled / ACTION).rename(moved)
    rows = json.loads(run(bundled, "list", "--format", "json").stdout)
    assert [row["path"] for row in rows if row["id"] == ACTION_ID] == ["records/pcc/actions/2022/pcc-2023-03-22-6a.yaml"]
    # The file's old name now belongs to another record: its content, not the old one, is served.
    shutil.copy(bundled / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml", bundled / ACTION)
    result = run(bundled, "validate")
    assert "ID 'pcc-2023-03-22-6b' does not match the file name pcc-2023-03-22-6a.yaml" in result.stdout


def test_checking_out_another_branch_shows_up_at_once(git_repo: Path, run: Run) -> None:
    list_bodies(git_repo, "Baroness Cassy of Blackstock DBE CB")
    git(git_repo, "commit", "-qam", "List another name")
    other = responsible(run, git_repo, "pcc-2023-03-22-6b")
    git(git_repo, "checkout", "-q", "-b", "casey")
    rewrite(git_repo / ACTION, "Baroness Casey", "Baroness Cassy")  # same size
    (git_repo / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml").unlink()
    git(git_repo, "commit", "-q", "-am", "Rename the responsible person, drop an action")
    assert responsible(run, git_repo) == "Baroness Cassy of Blackstock DBE CB"
    git(git_repo, "checkout", "-q", "main")
    assert responsible(run, git_repo) == "Baroness Casey of Blackstock DBE CB"
    assert responsible(run, git_repo, "pcc-2023-03-22-6b") == other
    git(git_repo, "checkout", "-q", "casey")
    assert responsible(run, git_repo) == "Baroness Cassy of Blackstock DBE CB"
    assert run(git_repo, "show", "pcc-2023-03-22-6b").exit_code == 1
    git(git_repo, "checkout", "-q", "main")
    git(git_repo, "merge", "-q", "--no-edit", "casey")
    assert responsible(run, git_repo) == "Baroness Cassy of Blackstock DBE CB"


@pytest.mark.parametrize("damage", [b"", b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_damaged_cache_is_rebuilt_silently(bundled: Path, run: Run, damage: bytes) -> None:
    expected = run(bundled, "list", "--format", "json").stdout
    for name in ("records.sqlite3-wal", "records.sqlite3-shm"):
        (bundled / ".tracker-cache" / name).unlink(missing_ok=True)
    (bundled / ".tracker-cache" / "records.sqlite3").write_bytes(damage)
    result = run(bundled, "list", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == expected
    db = sqlite3.connect(bundled / ".tracker-cache" / "records.sqlite3")
    assert db.execute("SELECT count(*) FROM files").fetchone() == (93,)
    db.close()


def test_a_damaged_cache_entry_is_rebuilt_silently(bundled: Path, run: Run) -> None:
    expected = run(bundled, "list", "--format", "json").stdout
    db = sqlite3.connect(bundled / ".tracker-cache" / "records.sqlite3")
    db.execute("UPDATE files SET body = '{\"m\": 1}' WHERE path = ?", (ACTION,))
    db.commit()
    db.close()
    result = run(bundled, "list", "--format", "json")
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", expected)


def test_no_cache_bypasses_the_cache(bundled: Path, run: Run) -> None:
    result = run(bundled, "--no-cache", "list", "--format", "json")
    assert result.exit_code == 0
    assert not (bundled / ".tracker-cache").exists()
    assert run(bundled, "list", "--format", "json", env={"TRACKER_NO_CACHE": "1"}).stdout == result.stdout
    assert not (bundled / ".tracker-cache").exists()
    assert run(bundled, "list", "--format", "json").stdout == result.stdout
    assert (bundled / ".tracker-cache").exists()


def test_no_cache_reads_the_files_even_when_the_cache_is_wrong(bundled: Path, run: Run) -> None:
    list_bodies(bundled, "Baroness Cassy of Blackstock DBE CB")
    run(bundled, "list")
    rewrite(bundled / ACTION, "Baroness Casey", "Baroness Cassy", keep_mtime=True)
    # Forge a cache that claims the file settled long ago with its old bytes.
    db = sqlite3.connect(bundled / ".tracker-cache" / "records.sqlite3")
    stat = (bundled / ACTION).stat()
    db.execute("UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, ino = ?, settled = 1 WHERE path = ?",
               (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, ACTION))
    db.commit()
    db.close()
    assert responsible(run, bundled, ACTION_ID, "--no-cache") == "Baroness Cassy of Blackstock DBE CB"


def test_problems_are_reported_the_same_from_the_cache(bundled: Path, run: Run) -> None:
    rewrite(bundled / ACTION, "status: ongoing", "status: ongoing\ncolour: red")
    (bundled / "records/pcc/meetings/broken.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    (bundled / "records/pcc/meetings/folder.yaml").mkdir()
    plain = run(bundled, "--no-cache", "validate")
    first = run(bundled, "validate")
    second = run(bundled, "validate")
    assert plain.exit_code == first.exit_code == second.exit_code == 1
    assert plain.stdout == first.stdout == second.stdout
    assert f"{ACTION}:15:9: colour: unknown field 'colour' (custom fields must start with x-)" in second.stdout
    assert "records/pcc/meetings/broken.yaml:2:1: YAML syntax error" in second.stdout
    assert "records/pcc/meetings/folder.yaml: is a directory, expected a YAML file" in second.stdout
    assert "92 records checked, 3 problems" in second.stderr
    overdue = run(bundled, "overdue")
    assert overdue.exit_code == 1
    assert "the records have problems; fix them first" in overdue.stderr
    assert "colour: unknown field 'colour'" in overdue.stderr


def test_a_change_of_schema_or_code_starts_the_cache_afresh(tmp_path: Path) -> None:
    first = cache.RecordCache(tmp_path, "version-1")
    first.db.execute("INSERT INTO files (path, size) VALUES ('records/x.yaml', 1)")
    assert first.db.execute("SELECT count(*) FROM files").fetchone() == (1,)
    first.close()
    again = cache.RecordCache(tmp_path, "version-1")
    assert again.db.execute("SELECT count(*) FROM files").fetchone() == (1,)
    again.close()
    changed = cache.RecordCache(tmp_path, "version-2")
    assert changed.db.execute("SELECT count(*) FROM files").fetchone() == (0,)
    changed.close()


def test_the_fingerprint_follows_the_schemas(tmp_path: Path) -> None:
    package = Path(cache.__file__).parent.parent
    schemas = tmp_path / "schema"
    shutil.copytree(package.parent / "schema", schemas)
    before = cache.fingerprint(package, schemas)
    assert cache.fingerprint(package, schemas) == before
    action = schemas / "action.schema.json"
    action.write_text(action.read_text(encoding="utf-8").replace('"minLength": 1', '"minLength": 2', 1), encoding="utf-8")
    assert cache.fingerprint(package, schemas) != before


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_repo(tmp_path_factory, "generated", 400, 11)


def test_parallel_and_cached_loads_equal_a_plain_load(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(generated, root)
    config = load_config(root)
    files = sorted(reading.record_files(root))
    assert len(files) > reading.PARALLEL_FROM  # so the cold load runs across processes
    plain = reading.build_set(reading.read_sources(root, files))
    cold = load_records(config)
    warm = load_records(config)
    uncached = load_records(config, use_cache=False)
    for loaded in (cold, warm, uncached):
        assert list(loaded.records) == list(plain.records)
        assert loaded.records == plain.records
        assert loaded.problems == plain.problems == []


@pytest.mark.parametrize("as_of", ["2012-06-30", "2019-01-01", "2023-03-31", "2025-06-30", "2030-01-01"])
def test_overdue_is_the_same_cold_warm_and_uncached(generated: Path, as_of: str, tmp_path: Path, run: Run) -> None:
    root = tmp_path / "copy"
    shutil.copytree(generated, root)
    args = ("overdue", "--as-of", as_of, "--format", "json")
    plain = run(root, "--no-cache", *args)
    assert plain.exit_code == 0
    for _ in range(2):  # cold, then warm
        assert run(root, *args).stdout == plain.stdout


def test_a_cache_from_other_code_is_replaced_and_then_used(bundled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = bundled / ".tracker-cache"
    folder.mkdir()
    old = sqlite3.connect(folder / "records.sqlite3")
    old.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    old.execute("INSERT INTO meta VALUES ('version', 'from an older tracker')")
    old.execute("CREATE TABLE files (path TEXT PRIMARY KEY, payload BLOB)")
    old.commit()
    old.close()
    config = load_config(bundled)
    counter = ParseCounter(monkeypatch)
    assert len(load_records(config)) == 93
    assert len(counter.paths) == 93
    counter.args.clear()
    assert len(load_records(config)) == 93
    assert counter.paths == []


def test_starting_up_imports_only_click() -> None:
    import ast
    import subprocess
    import sys

    code = ("import sys, tracker.cli; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('tracker', 'yaml', 'jsonschema', 'rich', 'jinja2', 'git', 'sqlite3', 'ruamel')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    loaded = ast.literal_eval(done.stdout.strip())
    # Only the command-line layer itself (tracker.cli and the command modules it registers, which import only
    # click at the top), shell completion's file-name helpers and the few lines that make record text safe to show
    # at a terminal; nothing else of the core and none of the heavy libraries.
    assert loaded == ["tracker", "tracker.cli", "tracker.cli.app", "tracker.cli.chase", "tracker.cli.completion",
                      "tracker.cli.exchange", "tracker.cli.render", "tracker.cli.workflow", "tracker.model",
                      "tracker.model.textsafety"]


def test_a_warm_overdue_does_not_need_jsonschema(bundled: Path) -> None:
    import subprocess
    import sys

    code = ("import sys\nfrom tracker.cli import main\ntry:\n    main(['--root', sys.argv[1], 'overdue', '--format', 'json'])\n"
            "except SystemExit:\n    pass\nprint('jsonschema' in sys.modules, 'rich' in sys.modules, file=sys.stderr)")
    project = Path(__file__).parent.parent
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code, str(bundled)], capture_output=True, text=True, cwd=project)
    assert done.stderr.strip() == "False False"
