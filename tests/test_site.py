"""The published site: its files, a real `mkdocs build --strict`, and the built pages in a real Chromium."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.browser import dump_dom, parse
from tests.conftest import Run
from tracker.model.records import Trackable
from tracker.storage.config import load_config
from tracker.storage.store import load_records

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
ACTION_COLUMNS = ["Item No.", "Item Title", "Responsible Person", "Action(s)", "Status"]
MEETING_ROWS = [2, 3, 4, 2, 1, 3, 2, 1, 1]  # the Assembly's list of 24 May 2023, newest meeting first


def write_site(run: Run, root: Path, out: Path, as_of: str = "2023-05-24") -> None:
    result = run(root, "site", str(out), "--as-of", as_of)
    assert result.exit_code == 0, result.stderr


def mkdocs_build(out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=out, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out / "site"


def test_site_files(bundled: Path, run: Run, tmp_path: Path) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    docs = out / "docs"
    for page in ("index.md", "pcc/actions.md", "pcc/reports/probation-services-in-london.md", "overdue.md",
                 "bodies/index.md", "bodies/monitoring-officer.md", "bodies/hm-prison-probation-service.md", "feed.xml",
                 "lewisham-ssc/reports/stop-and-search-and-prevent.md"):
        assert (docs / page).is_file(), page
    home = (docs / "index.md").read_text(encoding="utf-8")
    assert "| Status of 21 actions | Open or done | Number |" in home
    assert "| Ongoing | open | 8 |" in home and "| Completed | done | 11 |" in home and "| Closed | done | 2 |" in home
    assert "## Safer Stronger Communities Select Committee" in home
    overdue = (docs / "overdue.md").read_text(encoding="utf-8")
    assert "Overdue: 54 days (since 31 March 2023)" in overdue
    probation = (docs / "bodies/hm-prison-probation-service.md").read_text(encoding="utf-8")
    assert "Recommendation 3:" in probation  # addressed to the London Probation Service, an alias of HMPPS


def test_feed_is_valid_atom_and_escaped(bundled: Path, run: Run, tmp_path: Path) -> None:
    action = bundled / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"
    data = yaml.safe_load(action.read_text(encoding="utf-8"))
    data["history"][-1]["note"] = "Used <b>twice</b> & ]]> done"
    action.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = bundled / "public"
    write_site(run, bundled, out)
    feed = ET.parse(out / "docs" / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for name in ("title", "id", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert RFC3339.match(feed.findtext(f"{ATOM}updated") or "")
    entries = feed.findall(f"{ATOM}entry")
    changes = [e for r in load_records(load_config(bundled)) if isinstance(r, Trackable)
               for e in r.history if e.changes_status and e.date <= dt.date(2023, 5, 24)]
    assert len(entries) == len(changes) > 20
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title") and entry.find(f"{ATOM}link") is not None
        assert RFC3339.match(entry.findtext(f"{ATOM}updated") or "")
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True)
    summaries = [e.findtext(f"{ATOM}summary") for e in entries]
    assert "Ongoing → Closed. Used <b>twice</b> & ]]> done" in summaries


@pytest.mark.slow
def test_mkdocs_builds_strictly(bundled: Path, run: Run, tmp_path: Path) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    site = mkdocs_build(out)
    for page in ("index.html", "pcc/actions.html", "overdue.html", "bodies/index.html", "feed.xml"):
        assert (site / page).is_file(), page


@pytest.mark.slow
def test_summary_page_in_a_real_browser(bundled: Path, run: Run, tmp_path: Path) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    site = mkdocs_build(out)
    page = parse(dump_dom(site / "pcc" / "actions.html", tmp_path / "profile"))
    tables = [table for table in page.tables if table[0] != ["Keys", "Action"]]  # the theme's keyboard help
    assert len(tables) == len(MEETING_ROWS) + 1
    assert [headers for headers, _ in tables[:-1]] == [ACTION_COLUMNS] * len(MEETING_ROWS)
    assert [len(rows) for _, rows in tables[:-1]] == MEETING_ROWS
    assert tables[-1][0] == ["Subject and Action Required", "Status", "Responsible Person", "Deadline, if applicable"]
    assert len(tables[-1][1]) == 2
    first = tables[0][1][0]
    assert first[2] == "Baroness Casey of Blackstock DBE CB"
    assert first[4] == "Ongoing. Followed-up on 4 May 2023."
    feb = tables[2][1][0]
    assert feb[3].startswith("The Committee requested the following:Details of the training package")
    assert feb[4] == "Completed. Attached at Appendix 1 ."


@pytest.mark.slow
def test_script_in_a_record_is_shown_as_text_in_the_browser(bundled: Path, run: Run, tmp_path: Path) -> None:
    action = bundled / "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
    payload = ("<script>document.body.setAttribute('data-injected', 'yes')</script>"
               "<img src=x onerror=\"document.body.setAttribute('data-injected', 'img')\">")
    data = yaml.safe_load(action.read_text(encoding="utf-8"))
    data["text"] = payload
    action.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = bundled / "public"
    write_site(run, bundled, out)
    site = mkdocs_build(out)
    dom = dump_dom(site / "pcc" / "actions.html", tmp_path / "profile")
    page = parse(dom)
    assert "data-injected" not in dom.split("<body", 1)[1].split(">", 1)[0]
    assert not any("data-injected" in script for script in page.scripts)
    assert page.tables[0][1][0][3] == payload  # shown as text, exactly as the record has it
    first_table = dom.split("<table", 1)[1].split("</table>", 1)[0]
    assert "<img" not in first_table and "<script" not in first_table


@pytest.mark.slow
def test_a_new_repository_publishes_an_empty_but_valid_site(empty_repo: Path, run: Run, tmp_path: Path) -> None:
    out = empty_repo / "public"
    write_site(run, empty_repo, out)
    site = mkdocs_build(out)
    assert "Nothing needs attention" in (out / "docs" / "overdue.md").read_text(encoding="utf-8")
    assert ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry") == []
