"""Importing the Assembly's published Summary List of Actions."""

from __future__ import annotations

import html
from pathlib import Path

from tests.conftest import PCC_SUMMARY_LIST, PROJECT, data_file
from tests.render_helpers import markdown_tables, seed_tables
from tracker.model.records import Action
from tracker.storage.config import load_config
from tracker.storage.store import load_records


def _seed() -> Path:
    return data_file(PCC_SUMMARY_LIST)


def _actions(root: Path) -> set[tuple]:
    records = load_records(load_config(root))
    return {(a.meeting, a.item, a.heading, a.responsible, a.text, a.status) for a in records.of(Action)
            if a.committee == "pcc"}


def test_importing_the_seed_gives_the_bundled_actions(empty_repo, run):
    result = run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc")
    assert result.exit_code == 0, result.stderr
    assert _actions(empty_repo) == _actions(PROJECT)
    assert run(empty_repo, "validate").exit_code == 0


def test_status_cells_become_events(empty_repo, run):
    run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc", "--as-of", "2023-05-24")
    records = load_records(load_config(empty_repo))
    chased = records.get("pcc-2023-01-25-7a")
    assert chased.status == "ongoing"
    assert [(e.date.isoformat(), e.event) for e in chased.history][-1] == ("2023-04-12", "follow-up")
    done = records.get("pcc-2023-02-22-7a")
    last = done.history[-1]
    assert (done.status, last.event, last.status, last.note, last.date.isoformat()) == (
        "completed", "status", "completed", "Attached at **Appendix 1** .", "2023-05-24")


def test_reimport_is_a_no_op_and_dry_run_writes_nothing(empty_repo, run):
    dry = run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc", "--dry-run")
    assert dry.exit_code == 0 and "would create" in dry.stdout
    assert not list((empty_repo / "records").rglob("*.yaml"))
    run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc")
    before = {p: p.read_bytes() for p in (empty_repo / "records").rglob("*.yaml")}
    again = run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc")
    assert again.exit_code == 0 and "nothing to do" in again.stderr
    assert {p: p.read_bytes() for p in (empty_repo / "records").rglob("*.yaml")} == before


def test_the_same_table_as_html(empty_repo, run, tmp_path):
    lines = _seed().read_text(encoding="utf-8").splitlines()
    parts = ["<html><body><p>Date: 24 May 2023</p>"]
    table_open = False
    for line in lines:
        if line.startswith("#") and "Meeting Held on" in line:
            parts.append(f"<h3>{html.escape(line.lstrip('#').strip())}</h3>")
        elif line.startswith("Item No.:\t"):
            parts.append("<table><tr>" + "".join(f"<th>{c}</th>" for c in line.split("\t")) + "</tr>")
            table_open = True
        elif table_open and "\t" in line:
            parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>")
        elif table_open:
            parts.append("</table>")
            table_open = False
    page = tmp_path / "summary.html"
    page.write_text("\n".join(parts) + "</body></html>", encoding="utf-8")
    result = run(empty_repo, "import", "summary", str(page), "--committee", "pcc")
    assert result.exit_code == 0, result.stderr
    expected = {a for a in _actions(PROJECT) if a[0] is not None}
    assert _actions(empty_repo) == expected


def test_a_bad_status_cell_names_its_line_and_writes_nothing(empty_repo, run, tmp_path):
    doc = tmp_path / "list.md"
    doc.write_text("## Actions Arising from the Meeting Held on 22 March 2023\n\n"
                   "Item No.:\tItem Title\tResponsible Person\tAction(s)\tStatus\n"
                   "6\tReview\tMPS\tTo send the survey.\tOngoing.\n"
                   "7\tOther\tMOPAC\tTo send the data.\tPerhaps next week\n", encoding="utf-8")
    result = run(empty_repo, "import", "summary", str(doc), "--committee", "pcc")
    assert result.exit_code == 1
    assert "row 5: the Status cell 'Perhaps next week' does not start with a status" in result.stderr
    assert "nothing was written" in result.stderr
    assert not list((empty_repo / "records").rglob("*.yaml"))


def test_round_trip_import_then_render_gives_the_published_tables(empty_repo, run):
    result = run(empty_repo, "import", "summary", str(_seed()), "--committee", "pcc", "--as-of", "2023-05-24")
    assert result.exit_code == 0, result.stderr
    rendered = run(empty_repo, "render", "actions", "--committee", "pcc", "--as-of", "2023-05-24", "--since", "2023-03-22")
    assert rendered.exit_code == 0, rendered.stderr
    ours, _ = markdown_tables(rendered.stdout)
    assert ours == seed_tables()
