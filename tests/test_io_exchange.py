"""Spreadsheets out and in, and Popolo open data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tracker.storage.config import load_config
from tracker.storage.store import load_records


def _files(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in (root / "records").rglob("*.yaml")}


def test_csv_export_has_every_field_and_iso_dates(bundled, run):
    result = run(bundled, "export", "--kind", "action", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.startswith("id,kind,")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    row = next(r for r in rows if r["id"] == "pcc-2023-01-25-7a")
    assert row["meeting"] == "2023-01-25" and row["item"] == "7" and row["status"] == "ongoing"
    assert (row["history_count"], row["last_event_date"], row["last_event"]) == ("1", "2023-04-12", "follow-up")
    assert len(rows) == 21


def test_xlsx_refuses_stdout_and_writes_a_workbook(bundled, run, tmp_path):
    refused = run(bundled, "export", "--format", "xlsx")
    assert refused.exit_code == 2 and "give -o FILE.xlsx" in refused.stderr
    book_path = bundled / "t.xlsx"
    assert run(bundled, "export", "--format", "xlsx", "-o", str(book_path)).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(book_path)
    assert book.sheetnames == ["meeting", "action", "report", "recommendation", "response"]
    header = [c.value for c in book["action"][1]]
    assert header[:3] == ["id", "kind", "committee"]
    assert book["action"].max_row == 22


@pytest.mark.parametrize("fmt, suffix", [("csv", "csv"), ("xlsx", "xlsx")])
def test_reimporting_an_export_changes_nothing(bundled, run, tmp_path, fmt, suffix):
    out = bundled / f"actions.{suffix}"
    run(bundled, "export", "--kind", "action", "--format", fmt, "-o", str(out))
    before = _files(bundled)
    result = run(bundled, "import", "csv", str(out), "--kind", "action")
    assert result.exit_code == 0, result.stderr
    assert "nothing to do" in result.stderr
    assert _files(bundled) == before


SHEET = (
    "Item No.,Item Title,Responsible Person,Action(s),Status,Meeting Date\r\n"
    "6,Independent Review,Baroness Casey,To provide the survey.,Ongoing. Followed-up on 4 May 2023.,22 March 2023\r\n"
    "6,Independent Review,Senior Policy Adviser,To agree any output.,Closed. Delegation not used.,2023-03-22\r\n"
)


def test_import_friendly_columns_then_reimport_is_a_no_op(empty_repo, run, tmp_path):
    sheet = tmp_path / "log.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = run(empty_repo, "import", "csv", str(sheet), "--kind", "action", "--committee", "pcc", "--as-of", "2023-05-24")
    assert result.exit_code == 0, result.stderr
    records = load_records(load_config(empty_repo))
    first, second = records.get("pcc-2023-03-22-6a"), records.get("pcc-2023-03-22-6b")
    assert (first.responsible, first.status, first.history[-1].event) == ("Baroness Casey", "ongoing", "follow-up")
    assert (second.status, second.history[-1].note) == ("closed", "Delegation not used.")
    assert records.get("pcc-2023-03-22").kind == "meeting"
    before = _files(empty_repo)
    again = run(empty_repo, "import", "csv", str(sheet), "--kind", "action", "--committee", "pcc")
    assert again.exit_code == 0 and _files(empty_repo) == before


def test_an_update_touches_only_the_changed_lines(bundled, run, tmp_path):
    path = bundled / "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
    before = path.read_text(encoding="utf-8").splitlines()
    sheet = tmp_path / "u.csv"
    sheet.write_text("ID,Status,Notes\r\npcc-2023-03-22-6a,Completed,Survey received.\r\n", encoding="utf-8")
    assert run(bundled, "import", "csv", str(sheet), "--kind", "action", "--as-of", "2023-06-01").exit_code == 0
    after = path.read_text(encoding="utf-8").splitlines()
    assert after[: len(before)] == [line.replace("status: ongoing", "status: completed") for line in before]
    assert after[len(before):] == ["  - date: 2023-06-01", "    event: status", "    from: ongoing",
                                   "    status: completed", "    note: Survey received."]


def test_one_bad_row_writes_nothing_and_names_every_bad_row(empty_repo, run, tmp_path):
    sheet = tmp_path / "bad.csv"
    sheet.write_text(SHEET + "7,Other,MOPAC,To send data.,Maybe,2023-03-22\r\n8,Other,,To send data.,Ongoing,2023-03-22\r\n",
                     encoding="utf-8")
    result = run(empty_repo, "import", "csv", str(sheet), "--kind", "action", "--committee", "pcc")
    assert result.exit_code == 1
    assert "row 4: 'Maybe' is not one of the action statuses (ongoing, completed, closed)" in result.stderr
    assert "row 5:" in result.stderr and "responsible" in result.stderr
    assert "nothing was written" in result.stderr
    assert not list((empty_repo / "records").rglob("*.yaml"))


def test_recommendations_update_by_report_and_number(bundled, run, tmp_path):
    records = load_records(load_config(bundled))
    rec = records.of(__import__("tracker.model.records", fromlist=["Recommendation"]).Recommendation)[0]
    report = records.get(rec.report)
    sheet = tmp_path / "r.csv"
    sheet.write_text(f"Report;Recommendation No.;Due\r\n{report.slug};{rec.number};2031-12\r\n", encoding="utf-8")
    result = run(bundled, "import", "csv", str(sheet), "--kind", "recommendation", "--as-of", "2024-01-01",
                 "--update")
    assert result.exit_code == 0, result.stderr
    changed = load_records(load_config(bundled)).get(rec.id)
    assert str(changed.due) == "2031-12"
    if rec.due:
        assert changed.history[-1].event == "reschedule"


def test_popolo_export(bundled, run, tmp_path):
    out = bundled / "open.json"
    assert run(bundled, "export", "--format", "popolo", "-o", str(out), "--as-of", "2023-05-24").exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    orgs = {o["id"]: o for o in data["organizations"]}
    assert orgs["organization/committee/pcc"]["classification"] == "committee"
    assert orgs[orgs["organization/committee/pcc"]["parent_id"]]["name"] == "London Assembly"
    assert {e["start_date"] for e in data["events"]} >= {"2023-03-22", "2023-05-24"}
    action = next(a for a in data["tracker:actions"] if a["id"] == "pcc-2023-03-22-6b")
    assert action["event_id"] == "event/pcc-2023-03-22"
    status = [x for x in action["actions"] if "tracker:status:closed" in x["classification"]]
    assert status and status[0]["date"] == "2023-05-24"
