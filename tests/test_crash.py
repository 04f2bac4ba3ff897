"""`tracker` killed outright while it writes: every file is always wholly the old or wholly the new version.

The first test is deterministic: the writer's testing hook TRACKER_CRASH_AT makes the real CLI kill itself at each
step of an atomic write in turn (before writing, after N bytes, after fsync, after the rename), and the test checks
the state each step must leave. The second, marked slow, kills `tracker update` from outside at random moments.
Each of its rounds starts a real `python -m tracker update` process and kills it: half the rounds after a random delay
spread over the process's whole lifetime (start-up, loading, checking, writing), half the moment its temporary file
appears beside the record, i.e. inside the write itself. The record is large (hundreds of kilobytes of notes), so the
write takes long enough to be hit. After every kill: the record is byte for byte the old or the new version, no
other file changed, the loader ignores any temporary file left behind, and `tracker validate` passes. Where its kills
land depends on the machine's speed, so it asserts only on what it saw, never on how many kills landed where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Run
from tracker.edits.workflow import update_status
from tracker.storage.config import load_config
from tracker.storage.store import load_records
from tracker.storage.writer import CRASH_ENV, CRASH_EXIT_STATUS

RECORD_ID = "pcc-2023-03-22-6a"
RECORD = f"records/pcc/actions/2023/{RECORD_ID}.yaml"
KILL_POINTS = 50
DATE = dt.date(2023, 6, 1)
BY = "A Clerk"
# Command-line arguments are limited to 128 KiB each; the record itself grows to several hundred kilobytes.
NOTE_WORDS = 12_000
RESET_ABOVE = 600_000


# How a process that killed itself ends: by SIGKILL where there are signals, by the hook's own status on Windows.
SIGKILL = getattr(signal, "SIGKILL", None)
SELF_KILLED = -SIGKILL if SIGKILL is not None else CRASH_EXIT_STATUS


def _env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != CRASH_ENV}
    return {**env, "PYTHONPATH": str(PROJECT), **extra}


def _tree(root: Path) -> dict[str, str]:
    """Every file of the repository but the lock folder and writers' temporary files, with a hash of its bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(".tracker-cache/") and not path.name.endswith(".tmp"):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _temp_files(root: Path) -> list[Path]:
    return sorted((root / RECORD).parent.glob(f".{RECORD_ID}.yaml.*.tmp"))


def _command(root: Path, status: str, note: str) -> list[str]:
    return [sys.executable, "-m", "tracker", "--root", str(root), "update", RECORD_ID, "--status", status,
            "--reopen", "--date", DATE.isoformat(), "--by", BY, "--note", note]


def _expected_new(root: Path, status: str, note: str) -> bytes:
    """The record's text after the update, worked out in this process from the file as it is now."""
    config = load_config(root)
    change = update_status(config, load_records(config), RECORD_ID, status=status, date=DATE, note=note, by=BY,
                           reopen=True)
    return change.edits[0].after.encode("utf-8")


def _wait_for_temp_file(root: Path, process: subprocess.Popen[bytes], limit: float, known: set[Path]) -> bool:
    """Spin until the writer's temporary file appears (True) or the process ends or the time runs out (False)."""
    folder = (root / RECORD).parent
    prefix = f".{RECORD_ID}.yaml."
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        with os.scandir(folder) as entries:
            if any(entry.name.startswith(prefix) and folder / entry.name not in known for entry in entries):
                return True
    return False


# ---------------------------------------------------------------- chosen kill points

# Two commands that write one file each: one replaces an existing record, the other creates a new one.
WRITES = {
    "replace": (RECORD, ["update", RECORD_ID, "--status", "completed", "--date", "2023-06-01", "--by", BY,
                         "--note", "The survey was received on 1 June 2023."]),
    "create": ("records/pcc/meetings/pcc-2023-06-07.yaml", ["new", "meeting", "--committee", "pcc", "--date", "2023-06-07"]),
}
# mid-write:-1 stands for "all but the last byte"; it is worked out from the new text.
STEPS = ("before-write", "mid-write:0", "mid-write:1", "mid-write:64", "mid-write:-1", "after-fsync", "after-rename")


def _tracker(root: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "tracker", "--root", str(root), *args], env=_env(**env),
                          capture_output=True, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def new_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The bytes each write leaves when nothing stops it, from one uninterrupted run of the real command."""
    texts = {}
    for name, (rel, args) in WRITES.items():
        root = tmp_path_factory.mktemp(f"uninterrupted-{name}")
        shutil.copy(PROJECT / "tracker.yaml", root / "tracker.yaml")
        shutil.copytree(PROJECT / "records", root / "records")
        done = _tracker(root, args)
        assert done.returncode == 0, done.stderr.decode()
        texts[name] = (root / rel).read_bytes()
    return texts


def _temps_beside(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_kill_at_each_step_of_a_write_leaves_the_old_or_the_new_file(
        write: str, step: str, new_texts: dict[str, bytes], bundled: Path, run: Run) -> None:
    rel, args = WRITES[write]
    target = bundled / rel
    old = target.read_bytes() if target.exists() else None
    new = new_texts[write]
    if step == "mid-write:-1":
        step = f"mid-write:{len(new) - 1}"
    others = {k: v for k, v in _tree(bundled).items() if k != rel}

    killed = _tracker(bundled, args, **{CRASH_ENV: step})

    assert killed.returncode == SELF_KILLED, (killed.returncode, killed.stderr.decode())
    now = target.read_bytes() if target.exists() else None
    temps = _temps_beside(target)
    # The state on disk shows the process died at exactly the step named, not before or after it.
    if step == "after-rename":
        assert now == new
        assert [t.read_bytes() for t in temps] == ([new] if write == "create" else [])
    else:
        assert now == old
        written = new[: int(step.partition(":")[2])] if step.startswith("mid-write") else new if step == "after-fsync" else b""
        assert [t.read_bytes() for t in temps] == [written]
    assert {k: v for k, v in _tree(bundled).items() if k != rel} == others
    checked = run(bundled, "validate")
    assert checked.exit_code == 0, checked.output
    assert "Traceback" not in checked.output

    # Running the command again finishes the job the killed one started; a fresh temporary file is left alone.
    again = _tracker(bundled, args)
    if now == old:
        assert again.returncode == 0, again.stderr.decode()
        assert target.read_bytes() == new
    else:
        assert b"Traceback" not in again.stderr and target.read_bytes() == new
    assert _temps_beside(target) == temps


def test_an_unknown_crash_step_is_a_plain_error(bundled: Path) -> None:
    rel, args = WRITES["replace"]
    before = (bundled / rel).read_bytes()
    done = _tracker(bundled, args, **{CRASH_ENV: "mid-write"})
    assert done.returncode == 1
    assert f"{CRASH_ENV}='mid-write': expected one of before-write, mid-write:N, after-fsync, after-rename" in done.stderr.decode()
    assert (bundled / rel).read_bytes() == before and _temps_beside(bundled / rel) == []


# ---------------------------------------------------------------- random kill points


@pytest.mark.slow
def test_sigkill_at_random_points_never_leaves_a_partial_file(bundled: Path, run: Run) -> None:
    rng = random.Random(20230601)
    pristine = (bundled / RECORD).read_bytes()
    # Time one whole run, so random delays cover start-up to exit.
    started = time.monotonic()
    timing = subprocess.run(_command(bundled, "completed", "timing run"), env=_env(), capture_output=True)
    lifetime = time.monotonic() - started
    assert timing.returncode == 0, timing.stderr.decode()
    (bundled / RECORD).write_bytes(pristine)

    outcomes = dict.fromkeys(("killed before the write", "killed during the write", "killed after the rename",
                              "completed"), 0)
    for round_number in range(KILL_POINTS):
        if (bundled / RECORD).stat().st_size > RESET_ABOVE:
            (bundled / RECORD).write_bytes(pristine)  # keep the record under the size limit
        old = (bundled / RECORD).read_bytes()
        status = "completed" if b"\nstatus: ongoing\n" in old else "ongoing"
        words = rng.randint(NOTE_WORDS // 2, NOTE_WORDS)
        note = f"Round {round_number}. " + " ".join(f"w{rng.randint(0, 999)}" for _ in range(words))
        new = _expected_new(bundled, status, note)
        others = {k: v for k, v in _tree(bundled).items() if k != RECORD}

        temps_before = set(_temp_files(bundled))
        process = subprocess.Popen(_command(bundled, status, note), env=_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        if round_number % 2:
            if _wait_for_temp_file(bundled, process, lifetime * 4, temps_before):
                time.sleep(rng.choice((0.0, rng.uniform(0, 0.002))))
        else:
            time.sleep(rng.uniform(0, lifetime * 1.5))
        process.kill()
        code = process.wait()
        stderr = process.stderr.read().decode() if process.stderr else ""
        if process.stderr:
            process.stderr.close()
        now = (bundled / RECORD).read_bytes()
        assert now in (old, new), f"round {round_number}: the record is neither the old nor the new version"
        if code == 0:
            assert now == new
            outcomes["completed"] += 1
        else:
            assert code == (-SIGKILL if SIGKILL is not None else 1), stderr  # Windows: TerminateProcess gives 1
            if now == new:
                outcomes["killed after the rename"] += 1
            elif set(_temp_files(bundled)) - temps_before:
                outcomes["killed during the write"] += 1
            else:
                outcomes["killed before the write"] += 1
        assert {k: v for k, v in _tree(bundled).items() if k != RECORD} == others
        # Whatever a killed writer left behind, the records load and validate.
        result = run(bundled, "validate")
        assert result.exit_code == 0, (round_number, result.output)
        assert "Traceback" not in result.output

    leftovers = _temp_files(bundled)
    kills = KILL_POINTS - outcomes["completed"]
    print(f"\n{KILL_POINTS} rounds, {kills} kill points: " + ", ".join(f"{k} {v}" for k, v in outcomes.items())
          + f"; {len(leftovers)} temporary files left behind")

    # The next write after a crash tidies away stale temporary files beside the record it writes.
    for path in leftovers:
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    (bundled / RECORD).write_bytes(pristine)
    result = run(bundled, "update", RECORD_ID, "--status", "completed", "--date", "2023-06-01", "--by", BY)
    assert result.exit_code == 0, result.output
    assert _temp_files(bundled) == []


def test_stray_temporary_files_are_not_records(bundled: Path, run: Run) -> None:
    folder = (bundled / RECORD).parent
    # What a writer killed half-way through its temporary file leaves: a truncated copy of the record.
    (folder / f".{RECORD_ID}.yaml.k3j9x2.tmp").write_bytes((bundled / RECORD).read_bytes()[:100])
    (folder / f".{RECORD_ID}.yaml.q8w1e4.tmp").write_bytes(b"")
    assert run(bundled, "validate").exit_code == 0
    shown = run(bundled, "show", RECORD_ID)
    assert shown.exit_code == 0 and "Baroness Casey" in shown.stdout
    # A fresh temporary file may belong to a writer that is still running: it is left alone.
    result = run(bundled, "followup", RECORD_ID, "--date", "2023-06-01", "--by", BY)
    assert result.exit_code == 0, result.output
    assert len(_temp_files(bundled)) == 2
