"""Many `tracker update` and `tracker followup` processes at once, on one record and on several.

Every command that says it succeeded has its event in the file, exactly once; every command that did not
succeed exits 1 with a message saying why, and its event is nowhere. Events lost must be 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PROJECT, Run
from tracker.model.records import Trackable
from tracker.storage.config import load_config
from tracker.storage.store import load_records

SHARED = "pcc-2023-03-22-6a"  # every kind of writer at once
OTHERS = ("pcc-2023-03-22-6b", "pcc-2023-02-22-7a", "pcc-2023-02-22-8a")
ROUNDS = 3


@dataclass
class Writer:
    record_id: str
    tag: str
    args: list[str]
    process: subprocess.Popen[str] | None = None
    code: int = 0
    stdout: str = ""
    stderr: str = ""


def _writers(round_number: int) -> list[Writer]:
    writers = []
    for n in range(6):
        tag = f"r{round_number} follow-up {n} on the shared record"
        writers.append(Writer(SHARED, tag, ["followup", SHARED, "--note", tag]))
    # Three processes race to make the same status change: one wins, the others must fail cleanly.
    target = "completed" if round_number % 2 == 0 else "ongoing"
    for n in range(3):
        tag = f"r{round_number} update {n} to {target}"
        writers.append(Writer(SHARED, tag, ["update", SHARED, "--status", target, "--reopen", "--note", tag]))
    for record_id in OTHERS:
        for n in range(2):
            tag = f"r{round_number} follow-up {n} on {record_id}"
            writers.append(Writer(record_id, tag, ["followup", record_id, "--note", tag]))
        tag = f"r{round_number} note on {record_id}"
        writers.append(Writer(record_id, tag, ["note", record_id, "--note", tag]))
    return writers


def _notes(root: Path) -> dict[str, list[str]]:
    """Each record's notes, read from the files (not through the cache the writers share)."""
    records = load_records(load_config(root), use_cache=False)
    assert not records.problems, records.problems
    out = {}
    for record_id in (SHARED, *OTHERS):
        record = records.get(record_id)
        assert isinstance(record, Trackable)
        out[record_id] = [event.note for event in record.history]
    return out


def test_concurrent_writers_lose_no_event(bundled: Path, run: Run) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    launched = succeeded = failed_cleanly = 0
    initial = _notes(bundled)
    for round_number in range(ROUNDS):
        before = _notes(bundled)
        writers = _writers(round_number)
        for writer in writers:
            writer.process = subprocess.Popen(
                [sys.executable, "-m", "tracker", "--root", str(bundled), *writer.args, "--date", "2023-06-01",
                 "--by", "A Clerk"],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for writer in writers:
            assert writer.process is not None
            writer.stdout, writer.stderr = writer.process.communicate(timeout=120)
            writer.code = writer.process.returncode
        after = _notes(bundled)
        launched += len(writers)

        for writer in writers:
            assert "Traceback" not in writer.stderr, writer.stderr
            new_notes = after[writer.record_id][len(before[writer.record_id]):]
            assert after[writer.record_id][: len(before[writer.record_id])] == before[writer.record_id]
            found = sum(1 for note in new_notes if note == writer.tag)
            if writer.code == 0:
                succeeded += 1
                assert found == 1, f"{writer.tag!r} reported success but its event is missing: {writer.stderr}"
            else:
                failed_cleanly += 1
                assert writer.code == 1 and writer.stderr.startswith("error: "), writer.stderr
                assert "nothing was changed" in writer.stderr, writer.stderr
                assert found == 0
        events_written = sum(len(after[r]) - len(before[r]) for r in after)
        assert events_written == sum(1 for w in writers if w.code == 0)
        # Of the three racing status changes exactly one is made; the losers say the record already has it.
        updates = [w for w in writers if w.args[0] == "update"]
        assert sorted(w.code for w in updates) == [0, 1, 1], [w.stderr for w in updates]
        # Everything else always succeeds: writers wait their turn rather than fail.
        assert all(w.code == 0 for w in writers if w.args[0] != "update"), [w.stderr for w in writers]

    result = run(bundled, "validate")
    assert result.exit_code == 0, result.output
    events_written = sum(len(v) for v in _notes(bundled).values()) - sum(len(v) for v in initial.values())
    lost = succeeded - events_written
    print(f"\n{launched} writers in {ROUNDS} rounds of {launched // ROUNDS} at once: {succeeded} succeeded, "
          f"{failed_cleanly} refused cleanly, {events_written} events written, events lost {lost}")
    assert lost == 0
    # The first round's writers made the cache folder between them, and it still ignores itself.
    assert "*" in (bundled / ".tracker-cache" / ".gitignore").read_text().splitlines()

