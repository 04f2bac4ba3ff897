"""Changing records: status updates, notes, follow-ups, responses and reschedules, with minimal diffs."""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

import pytest

from tests.chase_helpers import load
from tests.conftest import Run
from tracker.edits import workflow
from tracker.model.errors import TrackerError
from tracker.storage.config import load_config
from tracker.storage.store import load_records

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
RECOMMENDATION = "records/pcc/reports/missing-children-in-london/recommendations/pcc-missing-children-in-london-r2.yaml"

HAND_WRITTEN = """\
# yaml-language-server: $schema=../../../../schema/action.schema.json
# Typed in from the Summary List of Actions, 24 May 2023.
id: pcc-2023-03-22-6a
kind: 'action'     # quoted by hand
committee: pcc
meeting: 2023-03-22
item: "6"
item_title: >-
  Independent Review into the Standards of Behaviour and Internal Culture of the Metropolitan Police
  Service (MPS)
responsible: Baroness Casey of Blackstock DBE CB
text: >-
  During the course of the discussion, Baroness Casey agreed to provide the Committee with the Ipsos
  MORI survey of MPS officers and staff.
status: ongoing   # as printed in the list
due: "2023-06"
history:
  - date: 2023-05-04
    event: follow-up   # chased by email
    note: "Chased by email: no reply yet."
# Next: chase again in June.
"""


def _diff(before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), "a", "b", n=1))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "records").rglob("*")) if p.is_file()}


def test_update_of_a_hand_written_file_changes_only_the_lines_carrying_the_change(bundled: Path, run: Run) -> None:
    (bundled / ACTION).write_text(HAND_WRITTEN, encoding="utf-8")
    result = run(bundled, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02",
                 "--note", "Survey received.", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    assert result.stdout == "pcc-2023-03-22-6a: ongoing → completed\n"
    assert _diff(HAND_WRITTEN, (bundled / ACTION).read_text(encoding="utf-8")) == """\
--- a
+++ b
@@ -14,3 +14,3 @@
   MORI survey of MPS officers and staff.
-status: ongoing   # as printed in the list
+status: completed # as printed in the list
 due: "2023-06"
@@ -20,2 +20,8 @@
     note: "Chased by email: no reply yet."
+  - date: 2023-06-02
+    event: status
+    from: ongoing
+    status: completed
+    note: Survey received.
+    by: A Clerk
 # Next: chase again in June.
"""


def test_reschedule_of_a_hand_written_file(bundled: Path, run: Run) -> None:
    (bundled / ACTION).write_text(HAND_WRITTEN, encoding="utf-8")
    result = run(bundled, "reschedule", "pcc-2023-03-22-6a", "--due", "2023-09-30", "--date", "2023-06-01",
                 "--reason", "The survey is being anonymised first.", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    assert _diff(HAND_WRITTEN, (bundled / ACTION).read_text(encoding="utf-8")) == """\
--- a
+++ b
@@ -15,3 +15,3 @@
 status: ongoing   # as printed in the list
-due: "2023-06"
+due: 2023-09-30
 history:
@@ -20,2 +20,8 @@
     note: "Chased by email: no reply yet."
+  - date: 2023-06-01
+    event: reschedule
+    previous_due: "2023-06"
+    due: 2023-09-30
+    reason: The survey is being anonymised first.
+    by: A Clerk
 # Next: chase again in June.
"""


def test_an_empty_history_becomes_a_block_list(bundled: Path, run: Run) -> None:
    before = (bundled / RECOMMENDATION).read_text(encoding="utf-8")
    assert "history: []\n" in before
    result = run(bundled, "followup", "pcc-missing-children-in-london-r2", "--date", "2023-07-01", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    after = (bundled / RECOMMENDATION).read_text(encoding="utf-8")
    assert after == before.replace("history: []\n", "history:\n  - date: 2023-07-01\n    event: follow-up\n"
                                   "    by: A Clerk\n")


def test_long_notes_are_folded_like_the_hand_written_records(bundled: Path, run: Run) -> None:
    note = " ".join(["The Monitoring Officer reported no new complaints this quarter."] * 4)
    result = run(bundled, "note", "pcc-2023-03-22-6a", "--note", note, "--date", "2023-06-01", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    text = (bundled / ACTION).read_text(encoding="utf-8")
    assert "    note: >-\n      The Monitoring Officer" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    records = load_records(load_config(bundled))
    assert records.get("pcc-2023-03-22-6a").history[-1].note == note  # type: ignore[attr-defined]


def test_update_records_evidence_and_show_tells_the_story(bundled: Path, run: Run) -> None:
    result = run(bundled, "update", "pcc-missing-children-in-london-r2", "--status", "implemented", "--date",
                 "2024-01-10", "--evidence", "https://example.org/research.pdf", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    shown = run(bundled, "show", "pcc-missing-children-in-london-r2", "--as-of", "2024-02-01").stdout
    assert "Awaiting response → Implemented [evidence: https://example.org/research.pdf] (by A Clerk)" in shown
    assert run(bundled, "validate").exit_code == 0


@pytest.mark.parametrize(("args", "message"), [
    (["update", "pcc-missing-children-in-london-r2", "--status", "implemented", "--date", "2024-01-10"],
     "error: closing pcc-missing-children-in-london-r2 as implemented needs evidence: tracker.yaml lists implemented"
     " under evidence_required\n"),
    (["update", "pcc-2023-03-22-6a", "--status", "done"],
     "error: 'done' is not one of the action statuses (ongoing, completed, closed)\n"),
    (["update", "pcc-2023-03-22-6a", "--status", "ongoing"],
     "error: pcc-2023-03-22-6a is already ongoing; nothing was changed\n"),
    (["update", "pcc-2022-09-29-6a", "--status", "ongoing"],
     "error: pcc-2022-09-29-6a is completed, which is done; moving it back to ongoing reopens it\n"),
    (["followup", "pcc-2023-03-22-6a", "--date", "2023-05-03"],
     "error: pcc-2023-03-22-6a's last event (follow-up) is dated 4 May 2023; a new event cannot be dated 3 May 2023,"
     " before it\n"),
    (["followup", "pcc-2023-03-22-6b", "--date", "2023-03-21"],
     "error: pcc-2023-03-22-6b was created on 22 March 2023; an event cannot be dated 21 March 2023, before that\n"),
    (["followup", "pcc-2023-03-22-6a", "--date", "2999-01-01"], "error: 1 January 2999 is in the future"),
    (["note", "pcc-2023-03-22-6a", "--note", "  "], "error: the note is empty; give --note TEXT\n"),
    (["reschedule", "pcc-missing-children-in-london-r2", "--due", "2023-12", "--reason", "x"],
     "error: pcc-missing-children-in-london-r2 is already due 2023-12; nothing was changed\n"),
    (["followup", "pcc-missing-children-in-london", "--date", "2023-06-01"],
     "error: pcc-missing-children-in-london is a report; only actions and recommendations have a status and history\n"),
    (["followup", "pcc-2023-03-22-6z"], "error: no record with ID 'pcc-2023-03-22-6z'\n"),
    (["respond", "--report", "missing-children-in-london", "--recommendations", "1,99", "--from", "MOPAC",
      "--date", "2023-07-01", "--text", "Reply."], "error: report pcc-missing-children-in-london has no recommendation 99"),
])
def test_refused_writes_say_why_and_leave_every_file_untouched(bundled: Path, run: Run, args: list[str],
                                                               message: str) -> None:
    before = _snapshot(bundled)
    result = run(bundled, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output
    assert _snapshot(bundled) == before


def test_reopen_is_allowed_with_the_flag(bundled: Path, run: Run) -> None:
    result = run(bundled, "update", "pcc-2022-09-29-6a", "--status", "ongoing", "--reopen", "--date", "2023-06-01",
                 "--note", "The figures were incomplete.")
    assert result.exit_code == 0, result.output
    assert load_records(load_config(bundled)).get("pcc-2022-09-29-6a").status == "ongoing"  # type: ignore[attr-defined]


def test_a_change_that_would_break_the_record_is_refused_before_writing(bundled: Path) -> None:
    config, records = load(bundled)
    before = _snapshot(bundled)
    # The last status event says the record is closed; a status edit that contradicts it must not be written.
    path = bundled / ACTION
    path.write_text(path.read_text(encoding="utf-8").replace("status: ongoing", "status: ongoing\nx-bad: [1"),
                    encoding="utf-8")
    with pytest.raises(TrackerError, match="has problems; fix them first"):
        workflow.follow_up(config, records, "pcc-2023-03-22-6a", date=dt.date(2023, 6, 1))
    path.write_bytes(before[ACTION])
    assert _snapshot(bundled) == before


def test_reschedule_is_the_only_way_the_due_date_moves_and_show_reports_slippage(bundled: Path, run: Run) -> None:
    first = run(bundled, "reschedule", "pcc-missing-children-in-london-r2", "--due", "2024-03", "--date", "2023-11-20",
                "--reason", "MOPAC asked for three more months.")
    second = run(bundled, "reschedule", "pcc-missing-children-in-london-r2", "--due", "2024-06", "--date",
                 "2024-02-20", "--reason", "Delayed again.")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert second.stdout == "pcc-missing-children-in-london-r2: due 2024-03 → 2024-06\n"
    shown = run(bundled, "show", "pcc-missing-children-in-london-r2", "--as-of", "2024-05-01").stdout
    assert "slippage:     moved 2 times, 182 days in all (first due 2023-12)" in shown
    assert "deadline:     By June 2024" in shown
    earlier = run(bundled, "show", "pcc-missing-children-in-london-r2", "--as-of", "2023-12-01").stdout
    assert "slippage:     moved 1 time, 91 days in all (first due 2023-12)" in earlier
    assert "deadline:     By March 2024" in earlier
    missing_reason = run(bundled, "reschedule", "pcc-missing-children-in-london-r2", "--due", "2024-09", "--reason", " ")
    assert missing_reason.exit_code == 1
    assert "needs a reason" in missing_reason.stderr


def test_respond_creates_the_response_and_moves_only_recommendations_awaiting_one(bundled: Path, run: Run) -> None:
    result = run(bundled, "respond", "--report", "counter-terrorism-and-radicalisation", "--recommendations", "1,2",
                 "--from", "MOPAC", "--date", "2023-07-01", "--text", "MOPAC accepts the first.",
                 "--position", "1=accepted", "--url", "https://example.org/reply.pdf", "--by", "A Clerk")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "pcc-counter-terrorism-and-radicalisation: response from MOPAC (recommendations 1, 2)\n"
        "pcc-counter-terrorism-and-radicalisation-r1: awaiting-response → accepted\n"
        "pcc-counter-terrorism-and-radicalisation-r2: awaiting-response → in-progress\n"
    )
    records = load_records(load_config(bundled))
    response = records.get("pcc-counter-terrorism-and-radicalisation-2023-07-01-mopac")
    assert [(a.number, a.position) for a in response.answers] == [(1, "accepted"), (2, "noted")]  # type: ignore[attr-defined]
    r1 = records.get("pcc-counter-terrorism-and-radicalisation-r1")
    assert r1.status == "accepted"  # type: ignore[attr-defined]
    assert r1.history[-1].to_json() == {  # type: ignore[attr-defined]
        "date": "2023-07-01", "event": "response", "by": "A Clerk", "from": "awaiting-response", "status": "accepted",
        "response": "pcc-counter-terrorism-and-radicalisation-2023-07-01-mopac"}
    # A second response to a recommendation already answered adds the event but leaves the status alone.
    again = run(bundled, "respond", "--report", "counter-terrorism-and-radicalisation", "--recommendations", "1",
                "--from", "Metropolitan Police Service", "--date", "2023-07-05", "--text", "The Met agrees.")
    assert again.exit_code == 0, again.output
    records = load_records(load_config(bundled))
    r1 = records.get("pcc-counter-terrorism-and-radicalisation-r1")
    assert r1.status == "accepted"  # type: ignore[attr-defined]
    assert r1.history[-1].event == "response" and not r1.history[-1].status  # type: ignore[attr-defined]
    assert run(bundled, "validate").exit_code == 0


def test_by_defaults_to_the_git_user_name(git_repo: Path, run: Run) -> None:
    assert run(git_repo, "followup", "pcc-2023-03-22-6a", "--date", "2023-06-01").exit_code == 0
    record = load_records(load_config(git_repo)).get("pcc-2023-03-22-6a")
    assert record.history[-1].by == "Test Clerk"  # type: ignore[attr-defined]


def test_date_defaults_to_today(bundled: Path, run: Run) -> None:
    assert run(bundled, "followup", "pcc-2023-03-22-6a").exit_code == 0
    record = load_records(load_config(bundled)).get("pcc-2023-03-22-6a")
    assert record.history[-1].date == dt.date.today()  # type: ignore[attr-defined]


def test_a_stale_change_is_worked_out_again_so_neither_change_is_lost(bundled: Path) -> None:
    config, records = load(bundled)
    first = workflow.follow_up(config, records, "pcc-2023-03-22-6a", date=dt.date(2023, 6, 1), note="first")
    second = workflow.follow_up(config, records, "pcc-2023-03-22-6a", date=dt.date(2023, 6, 1), note="second")
    workflow.apply(config, [first])
    workflow.apply(config, [second])
    history = load_records(config).get("pcc-2023-03-22-6a").history  # type: ignore[attr-defined]
    assert [event.note for event in history[-2:]] == ["first", "second"]


def test_a_stale_change_that_no_longer_makes_sense_is_refused(bundled: Path) -> None:
    config, records = load(bundled)
    first = workflow.update_status(config, records, "pcc-2023-03-22-6a", status="completed", date=dt.date(2023, 6, 1))
    second = workflow.update_status(config, records, "pcc-2023-03-22-6a", status="completed", date=dt.date(2023, 6, 1))
    workflow.apply(config, [first])
    written = (bundled / ACTION).read_bytes()
    with pytest.raises(TrackerError, match="already completed"):
        workflow.apply(config, [second])
    assert (bundled / ACTION).read_bytes() == written


def test_follow_up_many_records_in_one_go(git_repo: Path) -> None:
    config, records = load(git_repo)
    ids = ["pcc-2023-03-22-6a", "pcc-2023-03-22-6b"]
    changes = [workflow.follow_up(config, records, i, date=dt.date(2023, 6, 1), by="A Clerk") for i in ids]
    workflow.apply(config, changes, commit=True, message="Chase the March actions")
    fresh = load_records(config)
    assert all(fresh.get(i).history[-1].event == "follow-up" for i in ids)  # type: ignore[attr-defined]
    from tests.conftest import git

    assert git(git_repo, "log", "-1", "--format=%s").strip() == "Chase the March actions"
    assert sorted(git(git_repo, "show", "--name-only", "--format=", "HEAD").split()) == sorted(
        records.get(i).path for i in ids)
