"""`tracker overdue`: what needs attention, pinned on the bundled records and at the boundary dates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.chase_helpers import action, load, recommendation, report, response
from tests.conftest import Run
from tracker.questions.query import Filters, needs_attention

AS_OF = "2024-01-15"
MC = "pcc-missing-children-in-london"
CT = "pcc-counter-terrorism-and-radicalisation"
PS = "pcc-probation-services-in-london"
LW = "lewisham-ssc-stop-and-search-and-prevent"


def _items(root: Path, run: Run, *args: str) -> list[dict]:
    result = run(root, "overdue", "--as-of", AS_OF, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _by_reason(items: list[dict], reason: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in items:
        for r in item["reasons"]:
            if r["reason"] == reason:
                found.setdefault(item["id"], []).append(r)
    return found


def test_missing_children_due_by_december_2023_are_overdue(bundled: Path, run: Run) -> None:
    overdue = _by_reason(_items(bundled, run), "overdue")
    missing_children = {i: r[0]["days"] for i, r in overdue.items() if i.startswith(MC)}
    # r2, r6, r8, r9, r11, r14, r15 are due "By December 2023"; r1 "by the end of 2023"; r16 "In 2023".
    assert missing_children == {f"{MC}-r{n}": 15 for n in (1, 2, 6, 8, 9, 11, 14, 15, 16)}
    assert all(r[0]["since"] == "2023-12-31" for i, r in overdue.items() if i.startswith(MC))
    assert {i: r[0]["days"] for i, r in overdue.items() if not i.startswith(MC)} == {
        f"{CT}-r2": 15,  # due 2023
        f"{CT}-r5": 107,  # due 2023-09: 30 September 2023
        f"{PS}-r1": 290,  # due 2023-03: 31 March 2023
    }


def test_missing_responses_are_listed_per_addressee(bundled: Path, run: Run) -> None:
    missing = _by_reason(_items(bundled, run), "response-overdue")
    per_report: dict[str, set[tuple[int, str, int, str]]] = {}
    for record_id, reasons in missing.items():
        report_id, number = record_id.rsplit("-r", 1)
        for r in reasons:
            per_report.setdefault(report_id, set()).add((int(number), r["addressee"], r["days"], r["since"]))
    assert per_report == {
        # Published March 2019, no explicit date: due 31 March 2019 + 56 days. Lewisham answered its own.
        LW: {(n, "Mayor of Lewisham", 1695, "2019-05-26") for n in (4, 5, 7, 9)}
        | {(12, "Safer Stronger Communities Select Committee", 1695, "2019-05-26")},
        # HMPPS answered for the London Probation Service (an alias); HMCTS and the Magistrates answered r3.
        PS: {(n, "MOPAC", 304, "2023-03-17") for n in (1, 4, 5, 9, 10, 11, 13)}
        | {(2, "Mayor of London", 304, "2023-03-17")},
        CT: {(n, "MOPAC", 210, "2023-06-19") for n in (1, 2, 4, 7, 8, 9, 11, 12)}
        | {(3, "Metropolitan Police Service", 210, "2023-06-19"), (8, "Metropolitan Police Service", 210, "2023-06-19"),
           (5, "London Ambulance Service", 210, "2023-06-19"), (5, "London Fire Brigade", 210, "2023-06-19"),
           (6, "Mayor of London", 210, "2023-06-19"), (10, "Deputy Mayor for Policing and Crime", 210, "2023-06-19")},
        MC: {(n, "MOPAC", 209, "2023-06-20") for n in (1, 2, 4, 6, 8, 11, 13, 16, 17)}
        | {(n, "Metropolitan Police Service", 209, "2023-06-20") for n in (7, 9, 10, 11, 12, 14, 15)}
        | {(3, "Mayor of London", 209, "2023-06-20"), (5, "Mayor of London", 209, "2023-06-20"),
           (5, "UK Government", 209, "2023-06-20"), (13, "National Police Chiefs' Council", 209, "2023-06-20")},
    }


def test_items_needing_only_a_follow_up(bundled: Path, run: Run) -> None:
    items = _items(bundled, run)
    only_follow_up = sorted(i["id"] for i in items if [r["reason"] for r in i["reasons"]] == ["follow-up-due"])
    assert only_follow_up == sorted(
        [f"{LW}-r{n}" for n in (1, 2, 3, 6, 8, 10, 11)]
        + [f"{PS}-r{n}" for n in (3, 6, 7, 8, 12)]
        + ["pcc-2022-11-16-5a", "pcc-2022-12-13-5a", "pcc-2022-12-13-5b", "pcc-2022-12-13-5c", "pcc-2023-01-25-7a",
           "pcc-2023-03-22-6a", "pcc-standing-complaints", "pcc-standing-transparency-procedure"]
    )
    assert len(items) == 62


def test_json_shape_and_worst_first(bundled: Path, run: Run) -> None:
    items = _items(bundled, run)
    worst = [max(r["days"] for r in i["reasons"]) for i in items]
    assert worst == sorted(worst, reverse=True)
    for item in items:
        assert set(item) >= {"id", "reasons", "days"}
        assert [r["days"] for r in item["reasons"]] == sorted((r["days"] for r in item["reasons"]), reverse=True)
        for r in item["reasons"]:
            assert r["reason"] in ("overdue", "response-overdue", "follow-up-due")
            assert isinstance(r["days"], int) and r["days"] > 0
            assert ("addressee" in r) == (r["reason"] == "response-overdue")
    first = items[0]
    assert first["id"] == f"{LW}-r4"  # equal days keep the records' natural order (r4 before r12)
    r1 = next(i for i in items if i["id"] == f"{PS}-r1")
    assert [(r["reason"], r["days"]) for r in r1["reasons"]] == [
        ("response-overdue", 304), ("follow-up-due", 304), ("overdue", 290)]


def test_responsible_filter_keeps_only_that_bodys_missing_responses(bundled: Path, run: Run) -> None:
    items = _items(bundled, run, "--responsible", "UK Government")
    assert [i["id"] for i in items] == [f"{MC}-r5"]
    assert [(r["reason"], r.get("addressee")) for r in items[0]["reasons"]] == [
        ("follow-up-due", None), ("response-overdue", "UK Government")]


def test_table_explains_each_reason(bundled: Path, run: Run) -> None:
    result = run(bundled, "overdue", "--as-of", AS_OF, "--committee", "pcc")
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith(f"{PS}-r1 ") and "overdue (due" in x)
    assert "overdue (due 31 March 2023)" in line and " 290 " in line
    assert "response overdue from MOPAC (due 17 March 2023)" in result.stdout
    assert "lewisham" not in result.stdout


def test_fail_if_any_exits_1_only_when_something_is_listed(bundled: Path, run: Run) -> None:
    assert run(bundled, "overdue", "--as-of", AS_OF, "--fail-if-any").exit_code == 1
    assert run(bundled, "overdue", "--as-of", AS_OF).exit_code == 0
    quiet = run(bundled, "overdue", "--as-of", "2019-01-01", "--fail-if-any")
    assert quiet.exit_code == 0
    assert "nothing needs attention" in quiet.stdout


# ---------------------------------------------------------------- boundaries, on small repositories


def _reasons(root: Path, as_of: str, record_id: str) -> list[tuple[str, int]]:
    config, records = load(root)
    for item in needs_attention(records, config, dt.date.fromisoformat(as_of), Filters()):
        if item.record.id == record_id:
            return [(r.reason, r.days) for r in item.reasons]
    return []


@pytest.fixture
def due_repo(empty_repo: Path) -> Path:
    # The reports' responses are due long before the deadlines below, and answered, so only `due` matters.
    report(empty_repo, "leap", "2023-06-01", response_due=dt.date(2023, 7, 1))
    recommendation(empty_repo, "leap", 1, ["MOPAC"], due="2024-02", status="accepted")
    recommendation(empty_repo, "leap", 2, ["MOPAC"], due="2024-03-15", status="accepted")
    recommendation(empty_repo, "leap", 3, ["MOPAC"], due="2023", status="accepted")
    response(empty_repo, "leap", "2023-06-20", "MOPAC", [1, 2, 3])
    report(empty_repo, "feb", "2022-06-01", response_due=dt.date(2022, 7, 1))
    recommendation(empty_repo, "feb", 1, ["MOPAC"], due="2023-02", status="accepted")
    response(empty_repo, "feb", "2022-06-20", "MOPAC", [1])
    return empty_repo


@pytest.mark.parametrize(("record_id", "last_day"), [
    ("pcc-leap-r1", dt.date(2024, 2, 29)),  # a month falls due on its last day, in a leap year
    ("pcc-leap-r2", dt.date(2024, 3, 15)),  # a day falls due that day
    ("pcc-leap-r3", dt.date(2023, 12, 31)),  # a year falls due on 31 December
    ("pcc-feb-r1", dt.date(2023, 2, 28)),  # a non-leap February ends on the 28th
])
def test_an_item_is_overdue_from_the_day_after_its_last_day(due_repo: Path, record_id: str, last_day: dt.date) -> None:
    for day in (last_day - dt.timedelta(days=1), last_day):
        assert [r for r in _reasons(due_repo, day.isoformat(), record_id) if r[0] == "overdue"] == []
    assert ("overdue", 1) in _reasons(due_repo, (last_day + dt.timedelta(days=1)).isoformat(), record_id)


def test_response_due_is_explicit_or_published_plus_window(empty_repo: Path) -> None:
    (empty_repo / "tracker.yaml").write_text(
        "committees:\n  pcc: Police and Crime Committee\n"
        "bodies:\n  HM Prison & Probation Service:\n    aliases: [HMPPS, London Probation Service]\n", encoding="utf-8")
    report(empty_repo, "explicit", "2023-01-10", response_due=dt.date(2023, 2, 1))
    recommendation(empty_repo, "explicit", 1, ["MOPAC", "HMPPS"])
    report(empty_repo, "window", "2023-01-10")  # 56 days: due 7 March 2023
    recommendation(empty_repo, "window", 1, ["MOPAC"])
    response(empty_repo, "explicit", "2023-01-20", "London Probation Service", [1])  # an alias of HMPPS

    assert _reasons(empty_repo, "2023-02-01", "pcc-explicit-r1") == []
    assert _reasons(empty_repo, "2023-02-02", "pcc-explicit-r1") == [("response-overdue", 1)]
    config, records = load(empty_repo)
    item = next(a for a in needs_attention(records, config, dt.date(2023, 2, 2)) if a.record.id == "pcc-explicit-r1")
    assert [r.addressee for r in item.reasons] == ["MOPAC"]
    assert _reasons(empty_repo, "2023-03-07", "pcc-window-r1") == []
    # Nothing heard since publication either, so a follow-up is due as well.
    assert _reasons(empty_repo, "2023-03-08", "pcc-window-r1") == [("follow-up-due", 57), ("response-overdue", 1)]
    # A response after the as-of date does not count yet; once in, the reason goes.
    response(empty_repo, "window", "2023-03-20", "MOPAC", [1])
    assert _reasons(empty_repo, "2023-03-19", "pcc-window-r1") == [("follow-up-due", 68), ("response-overdue", 12)]
    assert _reasons(empty_repo, "2023-03-20", "pcc-window-r1") == []


def test_follow_up_waits_for_every_deadline_and_then_for_the_window(empty_repo: Path) -> None:
    # Asked on 1 March with a deadline of 30 June; followup_days is 28.
    action(empty_repo, "2023-03-01", "5", "Commissioner", due="2023-06-30")
    rec = "pcc-2023-03-01-5a"
    assert _reasons(empty_repo, "2023-06-30", rec) == []  # 121 days of silence, but the deadline still runs
    assert _reasons(empty_repo, "2023-07-01", rec) == [("follow-up-due", 122), ("overdue", 1)]


def test_follow_up_counts_from_the_last_news(empty_repo: Path) -> None:
    action(empty_repo, "2023-03-01", "5", "Commissioner", history=[
        {"date": dt.date(2023, 4, 1), "event": "note", "note": "Letter received."},
        {"date": dt.date(2023, 5, 1), "event": "follow-up"},
    ])
    rec = "pcc-2023-03-01-5a"
    assert _reasons(empty_repo, "2023-03-28", rec) == []  # 27 days after the meeting
    assert _reasons(empty_repo, "2023-03-29", rec) == [("follow-up-due", 28)]
    assert _reasons(empty_repo, "2023-04-28", rec) == []  # the note restarted the clock
    assert _reasons(empty_repo, "2023-05-28", rec) == []  # so did the follow-up
    assert _reasons(empty_repo, "2023-05-29", rec) == [("follow-up-due", 28)]


def test_nobody_is_asked_for_news_while_their_response_is_not_yet_due(empty_repo: Path) -> None:
    report(empty_repo, "slow", "2023-01-01", response_due=dt.date(2023, 6, 30))
    recommendation(empty_repo, "slow", 1, ["MOPAC"])
    assert _reasons(empty_repo, "2023-06-30", "pcc-slow-r1") == []
    assert _reasons(empty_repo, "2023-07-01", "pcc-slow-r1") == [("follow-up-due", 181), ("response-overdue", 1)]


def test_done_items_and_items_not_yet_created_are_never_listed(empty_repo: Path) -> None:
    action(empty_repo, "2023-03-01", "5", "Commissioner", status="completed", due="2023-03")
    action(empty_repo, "2023-09-01", "6", "Commissioner", due="2023-03")
    assert _reasons(empty_repo, "2024-01-01", "pcc-2023-03-01-5a") == []
    assert _reasons(empty_repo, "2023-08-01", "pcc-2023-09-01-6a") == []
    assert _reasons(empty_repo, "2023-09-02", "pcc-2023-09-01-6a") == [("overdue", 155)]
