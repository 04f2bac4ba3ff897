"""`tracker calendar`: open deadlines as iCalendar, checked with the real icalendar parser."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from tests.chase_helpers import action, load, recommendation, report, response
from tests.conftest import Run
from tracker.publish.ical import calendar_text, deadlines, escape_text, fold

STAMP = dt.datetime(2024, 1, 15, 9, 0, tzinfo=dt.timezone.utc)


def _events(text: str) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_bundled_deadlines_parse_and_carry_ids_and_links(bundled: Path, run: Run) -> None:
    with open(bundled / "tracker.yaml", "a", encoding="utf-8") as handle:
        handle.write("site_url: https://example.org/tracker/\n")
    result = run(bundled, "calendar", "--as-of", "2024-01-15", "--committee", "pcc")
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.count(b"\r\n") > 100
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    events = _events(result.stdout)
    r2 = events["pcc-missing-children-in-london-r2-due@tracker.invalid"]
    assert r2.decoded("DTSTART") == dt.date(2023, 12, 31)
    assert r2.decoded("DTEND") == dt.date(2024, 1, 1)
    assert str(r2["SUMMARY"]).startswith("Due from MOPAC: Recommendation 2: By December 2023, MOPAC should")
    assert "Record: pcc-missing-children-in-london-r2" in str(r2["DESCRIPTION"])
    # The recommendation's own page on the site `tracker site` writes; the responses' deadline links to the report.
    assert str(r2["URL"]) == "https://example.org/tracker/pcc/recommendations/pcc-missing-children-in-london-r2.html"
    assert str(events["pcc-missing-children-in-london-responses@tracker.invalid"]["URL"]) == \
        "https://example.org/tracker/pcc/reports/missing-children-in-london.html"
    leap = events["pcc-counter-terrorism-and-radicalisation-r5-due@tracker.invalid"]
    assert leap.decoded("DTSTART") == dt.date(2023, 9, 30)
    responses = events["pcc-missing-children-in-london-responses@tracker.invalid"]
    assert responses.decoded("DTSTART") == dt.date(2023, 6, 20)
    assert str(responses["SUMMARY"]).startswith("Responses due: Missing children in London (MOPAC, ")
    assert "recommendation 5 (pcc-missing-children-in-london-r5) from Mayor of London, UK Government" in str(
        responses["DESCRIPTION"])
    # 12 due dates and one response date per report still waiting (three pcc reports).
    assert sum(uid.endswith("-due@tracker.invalid") for uid in events) == 12
    assert sorted(uid for uid in events if uid.endswith("-responses@tracker.invalid")) == [
        f"pcc-{slug}-responses@tracker.invalid"
        for slug in ("counter-terrorism-and-radicalisation", "missing-children-in-london", "probation-services-in-london")]
    assert not any(uid.startswith("lewisham") for uid in events)


def test_closed_items_and_answered_reports_drop_out(empty_repo: Path) -> None:
    report(empty_repo, "done", "2023-01-10", response_due=dt.date(2023, 3, 1))
    recommendation(empty_repo, "done", 1, ["MOPAC"], due="2024-02", status="implemented")
    recommendation(empty_repo, "done", 2, ["MOPAC"], due="2024-02", status="accepted")
    response(empty_repo, "done", "2023-02-01", "MOPAC", [1, 2])
    action(empty_repo, "2023-01-10", "5", "MOPAC", status="completed", due="2023-02")
    action(empty_repo, "2023-01-10", "6", "Commissioner")
    config, records = load(empty_repo)
    found = deadlines(records, config, dt.date(2024, 1, 1))
    assert [(d.uid, d.day) for d in found] == [("pcc-done-r2-due@tracker.invalid", dt.date(2024, 2, 29))]
    assert found[0].url == ""


def test_uids_are_stable_and_output_is_written_to_a_file(bundled: Path, run: Run, tmp_path: Path) -> None:
    target = bundled / "deadlines.ics"
    assert run(bundled, "calendar", "--as-of", "2024-01-15", "-o", str(target)).exit_code == 0
    first = target.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and first.endswith(b"END:VCALENDAR\r\n")
    again = run(bundled, "calendar", "--as-of", "2024-01-15").stdout
    assert set(_events(first.decode("utf-8"))) == set(_events(again))
    missing = run(bundled, "calendar", "-o", str(tmp_path / "no" / "such.ics"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_escaping_and_folding_round_trip_through_the_parser(empty_repo: Path) -> None:
    text = "Line one; with, commas\\ and a backslash\nLine two: ünïcödé " + "€" * 60
    action(empty_repo, "2023-01-10", "5", "Smith, Jones; and Partners", due="2023-02", text=text)
    config, records = load(empty_repo)
    ics = calendar_text(deadlines(records, config, dt.date(2023, 1, 11)), name="A, B; C", stamp=STAMP)
    assert all(len(line) <= 75 for line in ics.encode("utf-8").split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(ics)
    assert "\r\nX-WR-CALNAME:A\\, B\\; C\r\n" in ics
    event = cal.walk("VEVENT")[0]
    assert str(event["SUMMARY"]).startswith("Due from Smith, Jones; and Partners: Item 5: Item 5 title")
    assert str(event["DESCRIPTION"]).startswith("Item 5: Item 5 title — Line one; with, commas\\ and a backslash "
                                                 "Line two: ünïcödé…\nOwed by: Smith, Jones; and Partners\n")
    assert event.decoded("DTSTAMP") == STAMP


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=300))
def test_any_text_folds_within_75_octets_and_unfolds_to_itself(value: str) -> None:
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTAMP:20240101T000000Z\r\n"
           "DTSTART;VALUE=DATE:20240101\r\n" + folded + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    parsed = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(parsed["DESCRIPTION"]) == value.replace("\r\n", "\n").replace("\r", "\n")
