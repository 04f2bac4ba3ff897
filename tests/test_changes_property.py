"""Property: between any two generated states of the records, `tracker changes` reports exactly the differences.

Each example commits a generated set of action records to a real git repository, then edits the working tree
(removes records, adds records, moves statuses on with a status event, appends follow-ups and notes, deletes
events, edits and removes fields, adds comments) and checks `tracker changes --format json` record by record
against what was done.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_properties import LINE, TEXT
from tracker.cli import main
from tracker.storage.reading import parse_record
from tracker.storage.writer import dump_record

STATUSES = ("ongoing", "completed", "closed")
EDITS = ("same", "same", "removed", "status", "events", "fields", "status+events+fields", "comment", "drop-event",
         "drop-event+events")
FIELDS = ("responsible", "text", "item", "due")
EXAMPLES = int(os.environ.get("TRACKER_CHANGES_EXAMPLES", "40"))
# A commit of this many files takes a few milliseconds; the examples run in a folder made once per test.
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test Clerk", "GIT_AUTHOR_EMAIL": "clerk@example.org",
           "GIT_COMMITTER_NAME": "Test Clerk", "GIT_COMMITTER_EMAIL": "clerk@example.org"}


def _rel(record_id: str) -> str:
    return f"records/pcc/actions/2023/{record_id}.yaml"


@st.composite
def events(draw: st.DrawFn, start_day: int, count: tuple[int, int]) -> list[dict[str, Any]]:
    days = sorted(draw(st.lists(st.integers(start_day, start_day + 60), min_size=count[0], max_size=count[1])))
    out = []
    for day in days:
        kind = draw(st.sampled_from(("follow-up", "note")))
        event: dict[str, Any] = {"date": f"2023-{4 + day // 28:02d}-{1 + day % 28:02d}", "event": kind}
        note = draw(TEXT) if kind == "note" else draw(st.one_of(st.none(), TEXT))
        if note is not None:
            event["note"] = note
        out.append(event)
    return out


@st.composite
def action(draw: st.DrawFn, number: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"pcc-2023-03-22-{number}a", "kind": "action", "committee": "pcc", "meeting": "2023-03-22",
        "item": str(number), "item_title": draw(LINE), "responsible": draw(LINE), "text": draw(TEXT),
        "status": draw(st.sampled_from(STATUSES)),
    }
    history = draw(events(0, (0, 3)))
    if history:
        record["history"] = history
    return record


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[dict[str, dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """(base records by ID, the edit made to each, added records)."""
    base = {r["id"]: r for r in (draw(action(n)) for n in range(1, draw(st.integers(1, 6)) + 1))}
    edits = {record_id: draw(st.sampled_from(EDITS)) for record_id in base}
    added = []
    # An added record that looks like a removed one is reported as a rename (tested elsewhere), so examples
    # either add or remove records, never both.
    if "removed" not in edits.values():
        added = [draw(action(n)) for n in range(50, 50 + draw(st.integers(0, 2)))]
    return base, edits, added


def _edited(draw: st.DrawFn, record: dict[str, Any], edit: str) -> dict[str, Any]:
    new = json.loads(json.dumps(record))
    history = new.setdefault("history", [])
    if "drop-event" in edit and history:
        del history[draw(st.integers(0, len(history) - 1))]
    if "status" in edit:
        to = draw(st.sampled_from([s for s in STATUSES if s != record["status"]]))
        history.append({"date": "2023-07-01", "event": "status", "from": record["status"], "status": to})
        new["status"] = to
    if "events" in edit:
        history.extend(draw(events(100, (1, 3))))
    if "fields" in edit:
        for key in draw(st.lists(st.sampled_from(FIELDS), min_size=1, unique=True)):
            if key == "due":
                due = draw(st.sampled_from((None, "2023-09", "2023-10-31", "2024")))
                new.pop("due", None)
                if due:
                    new["due"] = due
            else:
                new[key] = str(draw(st.integers(100, 999))) if key == "item" else draw(TEXT if key == "text" else LINE)
    if not history:
        del new["history"]
    return new


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=GIT_ENV)


def _write(root: Path, record: dict[str, Any]) -> None:
    path = root / _rel(record["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_record(record, _rel(record["id"]))
    assert parse_record(_rel(record["id"]), text.encode("utf-8"))[1] == []
    path.write_text(text, encoding="utf-8")


def _events(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [_event_fields(e) for e in record.get("history", [])]


def _expected(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]],
              commented: set[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for record_id in base.keys() - head.keys():
        out[record_id] = {"change": "removed"}
    for record_id in head.keys() - base.keys():
        out[record_id] = {"change": "added"}
    for record_id in base.keys() & head.keys():
        old, new = base[record_id], head[record_id]
        fields = sorted(k for k in FIELDS if old.get(k) != new.get(k))
        old_events, new_events = _events(old), _events(new)
        # Events are compared as a multiset: those only in the new history are new, those only in the old removed.
        added_events, removed_events = list(new_events), []
        for event in old_events:
            if event in added_events:
                added_events.remove(event)
            else:
                removed_events.append(event)
        status = {"from": old["status"], "to": new["status"]} if old["status"] != new["status"] else None
        if fields or status or old_events != new_events:
            out[record_id] = {"change": "modified", "status": status, "new_events": added_events,
                              "removed_events": removed_events, "fields": fields}
        elif record_id in commented:
            out[record_id] = {"change": "modified", "status": None, "new_events": [], "removed_events": [],
                              "fields": ["comments or layout only"]}
    return out


def _reported(item: dict[str, Any]) -> dict[str, Any]:
    if item["change"] in ("added", "removed"):
        return {"change": item["change"]}
    fields = item["fields"]
    if fields != ["comments or layout only"]:
        fields = sorted(f.split(":", 1)[0].removesuffix(" edited") for f in fields)
    return {"change": item["change"], "status": item["status"], "fields": fields,
            "new_events": [_event_fields(e) for e in item["new_events"]],
            "removed_events": [_event_fields(e) for e in item["removed_events"]]}


def _event_fields(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k in ("date", "event", "note", "from", "status")}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), data=st.data())
def test_changes_reports_exactly_the_differences(scenario: Any, data: st.DataObject) -> None:
    base, edits, added = scenario
    root = Path(tempfile.mkdtemp(prefix="changes-"))
    try:
        (root / "tracker.yaml").write_text("committees:\n  pcc: Police and Crime Committee\n", encoding="utf-8")
        for record in base.values():
            _write(root, record)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "Base")

        head: dict[str, dict[str, Any]] = {}
        commented = set()
        for record_id, edit in edits.items():
            if edit == "removed":
                (root / _rel(record_id)).unlink()
                continue
            if edit == "comment":
                with (root / _rel(record_id)).open("a", encoding="utf-8") as handle:
                    handle.write("# checked against the minutes\n")
                commented.add(record_id)
                head[record_id] = base[record_id]
                continue
            head[record_id] = _edited(data.draw, base[record_id], edit) if edit != "same" else base[record_id]
            if edit != "same":
                _write(root, head[record_id])
        for record in added:
            _write(root, record)
            head[record["id"]] = record

        result = CliRunner().invoke(main, ["--root", str(root), "changes", "--format", "json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        reported = {item["id"]: _reported(item) for item in report["records"]}
        assert reported == _expected(base, head, commented)
    finally:
        shutil.rmtree(root, ignore_errors=True)
