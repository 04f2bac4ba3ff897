"""The published site: its files, a real `mkdocs build --strict` with the Material theme, and the built pages in a real
Chromium, which also takes the screenshots in docs/screenshots/ (refresh them with TRACKER_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from tests.browser import dump_dom, parse, print_to_pdf, screenshot
from tests.conftest import PROJECT, Run, git, list_bodies
from tracker.model.records import Trackable
from tracker.storage.config import load_config
from tracker.storage.store import load_records

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
ACTION_COLUMNS = ["Item No.", "Item Title", "Responsible Person", "Action(s)", "Status"]
MEETING_ROWS = [2, 3, 4, 2, 1, 3, 2, 1, 1]  # the Assembly's list of 24 May 2023, newest meeting first
SCREENSHOTS = PROJECT / "docs" / "screenshots"
# Refresh the screenshots in the docs deliberately with: TRACKER_UPDATE_SCREENSHOTS=1 python3 -m pytest tests/test_site.py
UPDATE_SCREENSHOTS = os.environ.get("TRACKER_UPDATE_SCREENSHOTS") == "1"
SHOTS = {"home.png": "index.html", "summary-list.png": "pcc/actions.html", "needs-attention.png": "overdue.html",
         "report.png": "pcc/reports/probation-services-in-london.html", "body.png": "bodies/mopac.html"}


def write_site(run: Run, root: Path, out: Path, *options: str, as_of: str = "2023-05-24") -> str:
    result = run(root, "site", str(out), "--as-of", as_of, *options)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def mkdocs_build(out: Path) -> Path:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=out, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    return out / "site"


def feeds_of(docs: Path) -> dict[str, ET.Element]:
    return {path.relative_to(docs).as_posix(): ET.parse(path).getroot() for path in sorted(docs.rglob("*.xml"))}


def test_site_files(bundled: Path, run: Run) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    docs = out / "docs"
    for page in ("index.md", "pcc/index.md", "pcc/actions.md", "pcc/reports/probation-services-in-london.md",
                 "overdue.md", "bodies/index.md", "bodies/monitoring-officer.md", "bodies/hm-prison-probation-service.md",
                 "lewisham-ssc/reports/stop-and-search-and-prevent.md", "pcc/actions/pcc-2023-03-22-6b.md",
                 "pcc/recommendations/pcc-probation-services-in-london-r3.md", "feed.xml", "pcc/feed.xml",
                 "bodies/mopac.xml", "assets/site.css", "charts/overdue-over-time.svg", "charts/pcc-status.svg"):
        assert (docs / page).is_file(), page
    assert (out / "overrides" / "main.html").is_file()
    committee = (docs / "pcc/index.md").read_text(encoding="utf-8")
    assert "| Status of 21 actions | Open or done | Number |" in committee
    assert "| Ongoing | open | 8 |" in committee and "| Completed | done | 11 |" in committee
    assert "| Answered on time | 6 |" in committee and "| Still owed, overdue | 8 |" in committee
    assert "## Safer Stronger Communities Select Committee" not in committee
    overdue = (docs / "overdue.md").read_text(encoding="utf-8")
    assert '<span class="overdue">Overdue by 54 days (deadline 31 March 2023)</span>' in overdue
    probation = (docs / "bodies/hm-prison-probation-service.md").read_text(encoding="utf-8")
    assert "[Recommendation 3](../pcc/recommendations/pcc-probation-services-in-london-r3.md)" in probation
    action = (docs / "pcc/actions/pcc-2023-03-22-6b.md").read_text(encoding="utf-8")
    assert "| 24 May 2023 | Status: Ongoing → Closed. Delegation not used. |" in action
    # The Summary List on the site is `render actions` itself, under front matter naming its feed.
    summary = run(bundled, "render", "actions", "--committee", "pcc", "--as-of", "2023-05-24").stdout
    assert summary in (docs / "pcc/actions.md").read_text(encoding="utf-8")


def test_mkdocs_yml_is_for_a_committee(bundled: Path, empty_repo: Path, run: Run) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    settings = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    assert settings["site_name"] == "London Assembly and London Borough of Lewisham: committee actions and recommendations"
    theme = settings["theme"]
    assert theme["name"] == "material" and theme["font"] is False and theme["custom_dir"] == "overrides"
    assert "navigation.tabs" in theme["features"] and not any("footer" in f for f in theme["features"])
    assert [p["scheme"] for p in theme["palette"]] == ["default", "slate"] and all("toggle" in p for p in theme["palette"])
    assert settings["plugins"] == ["search"] and settings["extra"]["generator"] is False
    assert settings["extra_css"] == ["assets/site.css"]
    for entry in settings["nav"]:  # tabs, each at most one level of pages
        (_title, value), = entry.items()
        assert isinstance(value, str) or all(isinstance(v, str) or all(isinstance(p, str) for p in v.values()) for v in value)
    write_site(run, empty_repo, empty_repo / "public")
    assert yaml.safe_load((empty_repo / "public" / "mkdocs.yml").read_text())["site_name"] == "Police and Crime Committee"


def test_report_page_shows_each_response_once(bundled: Path, run: Run) -> None:
    out = bundled / "public"
    write_site(run, bundled, out)
    page = (out / "docs/pcc/reports/probation-services-in-london.md").read_text(encoding="utf-8")
    summary = "The Regional Probation Director for London welcomes the report"
    assert page.count(summary) == 1
    assert len(re.findall(r'^### <a id="response-[a-z0-9-]+"></a>Response from ', page, re.M)) == 3
    links = re.findall(r"\[HM Prison & Probation Service, 17 March 2023\]\(#([a-z0-9-]+)\)", page)
    assert len(links) == 13 and set(links) == {"response-pcc-probation-services-in-london-2023-03-17-hmpps"}
    assert "[recommendation 13](#recommendation-13) (noted)" in page


def test_feeds_link_to_themselves_with_stable_ids(bundled: Path, run: Run) -> None:
    out = bundled / "public"
    hint = write_site(run, bundled, out)
    assert "give --site-url URL (or site_url in tracker.yaml)" in hint
    docs = out / "docs"
    feeds = feeds_of(docs)
    assert {"feed.xml", "pcc/feed.xml", "lewisham-ssc/feed.xml", "bodies/mopac.xml",
            "bodies/hm-prison-probation-service.xml"} <= set(feeds)
    ids = set()
    for path, feed in feeds.items():
        assert feed.tag == f"{ATOM}feed", path
        self_links = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
        assert len(self_links) == 1 and self_links[0].get("href") == Path(path).name, path  # relative to itself
        assert feed.findtext(f"{ATOM}id") == f"tag:committee-tracker,2000:{path}"
        ids.add(feed.findtext(f"{ATOM}id"))
        for entry in feed.findall(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}id", "").startswith("tag:committee-tracker,")
            href = entry.find(f"{ATOM}link").get("href")  # type: ignore[union-attr]
            assert (docs / Path(path).parent / href.replace(".html", ".md")).is_file(), (path, href)
    assert len(ids) == len(feeds)
    everything = feeds["feed.xml"].findall(f"{ATOM}entry")
    changes = [e for r in load_records(load_config(bundled)) if isinstance(r, Trackable)
               for e in r.history if e.changes_status and e.date <= dt.date(2023, 5, 24)]
    assert len(everything) == len(changes) > 20
    by_committee = feeds["pcc/feed.xml"].findall(f"{ATOM}entry") + feeds["lewisham-ssc/feed.xml"].findall(f"{ATOM}entry")
    assert sorted(e.findtext(f"{ATOM}id", "") for e in by_committee) == sorted(e.findtext(f"{ATOM}id", "") for e in everything)
    titles = [e.findtext(f"{ATOM}title", "") for e in everything]
    assert all(t.startswith(("Police and Crime Committee: ", "Safer Stronger Communities Select Committee: ")) for t in titles)
    assert "Police and Crime Committee: Item 6: That authority be delegated to the Chairman, in… (Meeting of 22 March 2023) — Closed" in titles
    summaries = [e.findtext(f"{ATOM}summary", "") for e in everything]
    assert "Ongoing → Completed on 4 May 2023. Attached at Appendix 2." in summaries  # "Attached at **Appendix 2** ."
    assert not any("**" in s for s in summaries)
    mopac = [e.findtext(f"{ATOM}title", "") for e in feeds["bodies/mopac.xml"].findall(f"{ATOM}entry")]
    assert mopac and all(t in titles for t in mopac) and len(mopac) < len(titles)


def test_feeds_with_the_site_url(bundled: Path, run: Run) -> None:
    out = bundled / "public"
    hint = write_site(run, bundled, out, "--site-url", "https://committees.example.org/tracker/")
    assert "--site-url" not in hint
    for path, feed in feeds_of(out / "docs").items():
        address = f"https://committees.example.org/tracker/{path}"
        assert feed.findtext(f"{ATOM}id") == address
        assert [link.get("href") for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"] == [address]
        for entry in feed.findall(f"{ATOM}entry"):
            assert entry.findtext(f"{ATOM}id", "").startswith("tag:committees.example.org,")
            assert entry.find(f"{ATOM}link").get("href", "").startswith("https://committees.example.org/tracker/")  # type: ignore[union-attr]
    settings = yaml.safe_load((out / "mkdocs.yml").read_text(encoding="utf-8"))
    assert settings["site_url"] == "https://committees.example.org/tracker/"


def test_feed_is_escaped_and_plain_text(bundled: Path, run: Run) -> None:
    action = bundled / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"
    data = yaml.safe_load(action.read_text(encoding="utf-8"))
    data["history"][-1]["note"] = "Used <b>twice</b> & ]]> **done**"
    action.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = bundled / "public"
    write_site(run, bundled, out)
    feed = ET.parse(out / "docs" / "feed.xml").getroot()
    for name in ("title", "id", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert RFC3339.match(feed.findtext(f"{ATOM}updated") or "")
    entries = feed.findall(f"{ATOM}entry")
    dates = [e.findtext(f"{ATOM}updated") for e in entries]
    assert dates == sorted(dates, reverse=True) and all(RFC3339.match(d or "") for d in dates)
    summaries = [e.findtext(f"{ATOM}summary") for e in entries]
    assert "Ongoing → Closed on 24 May 2023. Used <b>twice</b> & ]]> done" in summaries


def test_outdir_may_be_outside_the_repository(bundled: Path, run: Run, tmp_path: Path) -> None:
    www = tmp_path / "www"
    write_site(run, bundled, www)
    assert (www / "mkdocs.yml").is_file() and (www / "docs" / "index.md").is_file()
    git(bundled, "init", "-q")
    for inside in (bundled / "records", bundled / "records" / "pcc" / "site", bundled / ".git" / "site"):
        before = sorted(p.as_posix() for p in bundled.rglob("*"))
        result = run(bundled, "site", str(inside), "--as-of", "2023-05-24")
        assert result.exit_code == 1, result.output
        assert "refusing to write the site into" in result.stderr and "Traceback" not in result.stderr
        assert not re.search(r"(^|\s)-o\b", result.stderr) and "OUTDIR" in result.stderr
        assert sorted(p.as_posix() for p in bundled.rglob("*")) == before
    missing = run(bundled, "site", str(tmp_path / "no" / "such"), "--as-of", "2023-05-24")
    assert missing.exit_code == 1 and "does not exist" in missing.stderr


def test_the_same_records_give_the_same_site(bundled: Path, run: Run, tmp_path: Path) -> None:
    write_site(run, bundled, tmp_path / "one")
    write_site(run, bundled, tmp_path / "two")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*") if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*") if p.is_file()}
    assert one == two and len(one) > 100  # charts included: no random IDs, no dates of drawing


def test_a_second_run_removes_what_is_no_longer_published(bundled: Path, run: Run, tmp_path: Path) -> None:
    www = tmp_path / "www"
    write_site(run, bundled, www)
    page = www / "docs/pcc/actions/pcc-2023-03-22-6b.md"
    chart = www / "docs/charts/pcc-status.svg"
    assert page.is_file() and chart.is_file()
    (www / "docs" / "notes.txt").write_text("the clerk's own\n", encoding="utf-8")
    (bundled / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml").unlink()
    message = write_site(run, bundled, www)
    assert "removed 1 it no longer has" in message
    assert not page.exists() and chart.is_file() and (www / "docs" / "notes.txt").is_file()


def test_a_folder_with_another_mkdocs_site_is_refused(bundled: Path, run: Run, tmp_path: Path) -> None:
    other = tmp_path / "handbook"
    (other / "docs").mkdir(parents=True)
    (other / "mkdocs.yml").write_text("site_name: Clerks' handbook\n", encoding="utf-8")
    (other / "docs" / "index.md").write_text("# Handbook\n", encoding="utf-8")
    result = run(bundled, "site", str(other), "--as-of", "2023-05-24")
    assert result.exit_code == 1 and "holds a mkdocs.yml that tracker site did not write" in result.stderr
    assert (other / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: Clerks' handbook\n"
    assert sorted(p.name for p in other.rglob("*")) == ["docs", "index.md", "mkdocs.yml"]


def test_every_hint_names_an_option_the_command_has(bundled: Path, run: Run, tmp_path: Path) -> None:
    result = run(bundled, "list", "-o", str(tmp_path / "list.md"), "--format", "markdown")
    assert result.exit_code == 1
    assert "give --output a path inside the repository" in result.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled records' site, built once with mkdocs --strict for the browser tests of this module."""
    root = tmp_path_factory.mktemp("built") / "repo"
    root.mkdir()
    shutil.copy(PROJECT / "tracker.yaml", root / "tracker.yaml")
    shutil.copytree(PROJECT / "records", root / "records")
    from click.testing import CliRunner

    from tracker.cli import main

    result = CliRunner().invoke(main, ["--root", str(root), "site", str(root / "public"), "--as-of", "2023-05-24"])
    assert result.exit_code == 0, result.output
    return mkdocs_build(root / "public")


@pytest.mark.slow
def test_needs_attention_in_a_real_browser(built: Path, tmp_path: Path) -> None:
    page = parse(dump_dom(built / "overdue.html", tmp_path / "profile"))
    headers, rows = page.tables[0]
    assert headers == ["Item", "From", "Responsible", "Deadline", "Why", "Days"]
    assert len(rows) == 30
    for row, links, marked in zip(rows, page.row_links[0], page.row_marked[0], strict=True):
        item_links = links[0]
        assert len(item_links) == 1 and item_links[0][1] == row[0] and len(row[0]) <= 60, row[0]  # one short link
        target = built / unquote(urlparse(item_links[0][0]).path)
        assert target.is_file(), item_links[0][0]
        assert row[3], row  # a deadline, or when the response is due
        assert marked == ("overdue by" in row[4].lower()), row
    assert sum(page.row_marked[0]) == 13  # 5 responses owed in Lewisham since 2019, 8 in the probation report
    first_pcc = next(row for row in rows if row[0] == "Recommendation 1" and "Probation" in row[1])
    assert first_pcc[3] == "By March 2023" and "Overdue by 54 days (deadline 31 March 2023)" in first_pcc[4]


@pytest.mark.slow
def test_body_page_in_a_real_browser_is_in_natural_order(built: Path, tmp_path: Path) -> None:
    page = parse(dump_dom(built / "bodies" / "mopac.html", tmp_path / "profile"))
    headers, rows = page.tables[0]
    assert headers == ["Item", "Report or meeting", "Status", "Deadline", "Days overdue"]
    by_report: dict[str, list[int]] = {}
    for row in rows:
        if row[0].startswith("Recommendation "):
            by_report.setdefault(row[1].split("Police and Crime Committee")[0].strip(), []).append(int(row[0].split()[1]))
    assert set(by_report) == {"Probation Services in London", "Missing children in London", "Counter-terrorism and radicalisation"}
    for numbers in by_report.values():
        assert numbers == sorted(numbers)
    assert by_report["Probation Services in London"] == [1, 4, 5, 9, 10, 11, 13]  # as text: 1, 10, 11, 13, 4, 5, 9
    marked = [row for row, flag in zip(rows, page.row_marked[0], strict=True) if flag]
    assert [(row[0], row[4]) for row in marked] == [("Recommendation 1", "Overdue by 54 days")] + [
        (f"Recommendation {n}", "Response overdue by 68 days") for n in (4, 5, 9, 10, 11, 13)]


@pytest.mark.slow
def test_charts_are_svg_with_a_text_alternative(built: Path, tmp_path: Path) -> None:
    for html, expected in (("index.html", 1), ("pcc/index.html", 2), ("pcc/reports/probation-services-in-london.html", 2)):
        page = parse(dump_dom(built / html, tmp_path / "profile"))
        charts = [(src, alt) for src, alt in page.images if src.endswith(".svg")]
        assert len(charts) == expected, html
        for src, alt in charts:
            svg = (built / html).parent / src
            root = ET.parse(svg).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
            assert "http" not in svg.read_text(encoding="utf-8").replace("http://www.w3.org/", "")
            assert alt.startswith(("Bar chart", "Line chart")) and re.search(r"\d", alt), alt
    report = parse(dump_dom(built / "pcc/reports/probation-services-in-london.html", tmp_path / "profile"))
    assert ["Answered on time", "6"] in report.tables[1][1] and ["Still owed, overdue", "8"] in report.tables[1][1]


@pytest.mark.slow
def test_pages_advertise_their_feeds(built: Path, tmp_path: Path) -> None:
    for html, feeds in (("index.html", {"feed.xml"}), ("pcc/actions.html", {"feed.xml", "pcc/feed.xml"}),
                        ("bodies/mopac.html", {"feed.xml", "bodies/mopac.xml"})):
        page = parse(dump_dom(built / html, tmp_path / "profile"))
        alternates = [link for link in page.head_links if link.get("rel") == "alternate"
                      and link.get("type") == "application/atom+xml"]
        found = {(Path(html).parent / link["href"]).as_posix().lstrip("./") for link in alternates}
        assert {os.path.normpath(f) for f in found} == feeds, html
        for feed in feeds:
            assert (built / feed).is_file()


@pytest.mark.slow
def test_the_built_site_needs_no_network_and_can_be_searched(built: Path) -> None:
    pages = {path: path.read_text(encoding="utf-8") for path in built.rglob("*.html")}
    assert len(pages) > 60
    for path, html in pages.items():
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, path
        assert "Made with" not in html and "md-footer__link--prev" not in html and "md-footer__link--next" not in html, path
        for src in re.findall(r'<(?:script|img)[^>]+src="([^"]+)"', html):
            assert not src.startswith(("http:", "https:", "//")), (path, src)
    index = (built / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Needs attention" in index and "Probation Services in London" in index


@pytest.mark.slow
def test_summary_page_in_a_real_browser(built: Path, tmp_path: Path) -> None:
    page = parse(dump_dom(built / "pcc" / "actions.html", tmp_path / "profile"))
    tables = page.tables
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
def test_summary_list_prints_on_a4(built: Path, tmp_path: Path) -> None:
    pdf = print_to_pdf(built / "pcc" / "actions.html", tmp_path / "list.pdf", tmp_path / "profile")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes), boxes[:2]
    assert len(boxes) < 15  # the navigation and the theme's chrome are not printed


@pytest.mark.slow
def test_screenshots(built: Path, tmp_path: Path) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    for name, html in SHOTS.items():
        screenshot(built / html, shots / name, tmp_path / "profile")
        assert (shots / name).read_bytes().startswith(b"\x89PNG"), name
        if UPDATE_SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(shots / name, SCREENSHOTS / name)


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
    for html in ("pcc/actions.html", "pcc/actions/pcc-2023-03-22-6a.html"):
        dom = dump_dom(site / html, tmp_path / "profile")
        page = parse(dom)
        assert "data-injected" not in dom.split("<body", 1)[1].split(">", 1)[0]
        assert not any("data-injected" in script for script in page.scripts)
        assert not any(src == "x" for src, _ in page.images)
    table = parse(dump_dom(site / "pcc/actions.html", tmp_path / "profile")).tables[0]
    assert table[1][0][3] == payload  # shown as text, exactly as the record has it


@pytest.mark.slow
def test_titles_and_addresses_cannot_make_links_of_their_own(bundled: Path, run: Run) -> None:
    report = bundled / "records/pcc/reports/probation-services-in-london/pcc-probation-services-in-london.yaml"
    data = yaml.safe_load(report.read_text(encoding="utf-8"))
    data["title"] = "Probation](javascript:alert(1)) [x | `y` *z* \\"
    data["url"] = "https://example.org/probation)](javascript:alert(2))"
    report.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    response = next((bundled / "records/pcc/reports/probation-services-in-london/responses").glob("*hmpps.yaml"))
    data = yaml.safe_load(response.read_text(encoding="utf-8"))
    data["from"] = "HMPPS](javascript:alert(3))"
    list_bodies(bundled, "'HMPPS](javascript:alert(3))'")
    data["url"] = "https://example.org/a)[b](javascript:alert(4))"
    response.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = bundled / "public"
    write_site(run, bundled, out)
    site = mkdocs_build(out)
    pages = [path.read_text(encoding="utf-8") for path in site.rglob("*.html")]
    assert not any("javascript:" in href for page in pages for href in re.findall(r'href="([^"]*)"', page))
    body = parse((site / "bodies/mopac.html").read_text(encoding="utf-8"))
    assert "Probation" in body.tables[0][1][0][1] and "javascript:alert(1)" in body.tables[0][1][0][1]  # as text


@pytest.mark.slow
def test_two_responses_from_one_body_on_one_day_each_have_their_anchor(bundled: Path, run: Run) -> None:
    folder = bundled / "records/pcc/reports/probation-services-in-london/responses"
    first = next(folder.glob("*hmpps.yaml"))
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    data["id"] += "-2"
    data["summary"] = "A second letter the same day."
    data["recommendations"] = [{"number": 1, "position": "accepted"}]
    (folder / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = bundled / "public"
    write_site(run, bundled, out)
    mkdocs_build(out)  # --strict: every anchor linked to exists
    page = (out / "docs/pcc/reports/probation-services-in-london.md").read_text(encoding="utf-8")
    assert "(#response-pcc-probation-services-in-london-2023-03-17-hmpps-2) (accepted)" in page
    record = (out / "docs/pcc/recommendations/pcc-probation-services-in-london-r1.md").read_text(encoding="utf-8")
    assert "probation-services-in-london.md#response-pcc-probation-services-in-london-2023-03-17-hmpps-2)" in record


def test_the_site_without_its_charting_library_is_a_clear_error(bundled: Path, tmp_path: Path) -> None:
    script = ("import sys; sys.modules['pygal'] = None\n"
              "from tracker.cli import main\n"
              f"main(['--root', {str(bundled)!r}, 'site', {str(tmp_path / 'www')!r}, '--as-of', '2023-05-24'])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 1, done.stderr
    assert "need pygal" in done.stderr and "pip install 'committee-tracker[site]'" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "www").exists()


@pytest.mark.slow
def test_a_new_repository_publishes_an_empty_but_valid_site(empty_repo: Path, run: Run, tmp_path: Path) -> None:
    out = empty_repo / "public"
    write_site(run, empty_repo, out)
    site = mkdocs_build(out)
    assert "Nothing needs attention" in (out / "docs" / "overdue.md").read_text(encoding="utf-8")
    assert ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry") == []
