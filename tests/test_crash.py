"""`tracker update` killed with SIGKILL at random points: every file is always the old or the new version.

Each round starts a real `python -m tracker update` process and kills it: half the rounds after a random delay
spread over the process's whole lifetime (start-up, loading, checking, writing), half the moment its temporary file
appears beside the record, i.e. inside the write itself. The record is large (hundreds of kilobytes of notes), so the
write takes long enough to be hit. After every kill: the record is byte for byte the old or the new version, no
other file changed, the loader ignores any temporary file left behind, and `tracker validate` passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
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

RECORD_ID = "pcc-2023-03-22-6a"
RECORD = f"records/pcc/actions/2023/{RECORD_ID}.yaml"
KILL_POINTS = 50
DATE = dt.date(2023, 6, 1)
BY = "A Clerk"
# Command-line arguments are limited to 128 KiB each; the record itself grows to several hundred kilobytes.
NOTE_WORDS = 12_000
RESET_ABOVE = 600_000


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT)}


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


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
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
        process.send_signal(signal.SIGKILL)
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
            assert code == -signal.SIGKILL, stderr
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
    assert kills >= KILL_POINTS * 0.8, "most rounds must really kill the process"
    assert outcomes["killed before the write"] and outcomes["killed during the write"], outcomes

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
