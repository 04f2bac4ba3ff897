"""`tracker slippage`: items whose due dates moved, worst first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from tests.chase_helpers import action, load
from tests.conftest import Run
from tracker.questions.chase import slipped


def _move(date: str, before: str, after: str, reason: str) -> dict:
    return {"date": dt.date.fromisoformat(date), "event": "reschedule", "previous_due": before, "due": after,
            "reason": reason}


def _repo(root: Path) -> Path:
    action(root, "2023-01-10", "5", "Commissioner", due="2023-06", history=[
        _move("2023-03-20", "2023-03", "2023-04-30", "Data not ready."),
        _move("2023-04-25", "2023-04-30", "2023-06", "Awaiting sign-off."),
    ])
    action(root, "2023-01-10", "6", "MOPAC", due="2023-09-30", history=[
        _move("2023-06-01", "2023-07-31", "2023-09-30", "New survey."),
    ])
    action(root, "2023-01-10", "7", "MOPAC", due="2023-02")
    return root


def test_slipped_items_worst_first(empty_repo: Path) -> None:
    config, records = load(_repo(empty_repo))
    slips = slipped(records, config, dt.date(2023, 12, 1))
    assert [(s.record.id, len(s.moves), s.days, str(s.original), str(s.current)) for s in slips] == [
        ("pcc-2023-01-10-5a", 2, 91, "2023-03", "2023-06"),
        ("pcc-2023-01-10-6a", 1, 61, "2023-07-31", "2023-09-30"),
    ]
    assert slips[0].reasons == ["Data not ready.", "Awaiting sign-off."]
    # As things stood before the second move, only one move is known.
    earlier = slipped(records, config, dt.date(2023, 4, 1))
    assert [(s.record.id, len(s.moves), s.days, str(s.current)) for s in earlier] == [("pcc-2023-01-10-5a", 1, 30, "2023-04-30")]


def test_slippage_command_json_table_and_filters(empty_repo: Path, run: Run) -> None:
    root = _repo(empty_repo)
    result = run(root, "slippage", "--as-of", "2023-12-01", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["pcc-2023-01-10-5a", "pcc-2023-01-10-6a"]
    assert rows[0].items() >= {"original_due": "2023-03", "current_due": "2023-06", "moves": 2, "days_slipped": 91,
                            "reasons": ["Data not ready.", "Awaiting sign-off."], "responsible": ["Commissioner"]}.items()
    assert [r["id"] for r in json.loads(run(root, "slippage", "--as-of", "2023-12-01", "--responsible", "MOPAC",
                                            "--format", "json").stdout)] == ["pcc-2023-01-10-6a"]
    table = run(root, "slippage", "--as-of", "2023-12-01").stdout
    assert table.splitlines()[0].split() == ["ID", "First", "due", "Now", "due", "Moves", "Days", "slipped",
                                             "Responsible", "Reasons"]
    assert "Data not ready.; Awaiting sign-off." in table
    csv = run(root, "slippage", "--as-of", "2023-12-01", "--format", "csv").stdout
    assert csv.splitlines()[1].startswith("pcc-2023-01-10-5a,action,pcc,Commissioner,ongoing,2023-03,2023-06,2,91,")


def test_show_reports_slippage_from_the_same_computation(empty_repo: Path, run: Run) -> None:
    root = _repo(empty_repo)
    shown = json.loads(run(root, "show", "pcc-2023-01-10-5a", "--as-of", "2023-12-01", "--format", "json").stdout)
    assert shown["slippage"]["moves"] == 2 and shown["slippage"]["days"] == 91
    text = run(root, "show", "pcc-2023-01-10-5a", "--as-of", "2023-12-01").stdout
    assert "moved 2 times, 91 days in all (first due 2023-03)" in text


def test_no_slippage_on_the_bundled_records(bundled: Path, run: Run) -> None:
    result = run(bundled, "slippage", "--as-of", "2024-01-15")
    assert result.exit_code == 0
    assert result.stdout == "no due date has moved as of 15 January 2024\n"
    assert run(bundled, "slippage", "--committee", "nope").exit_code == 1
