"""The Summary List of Actions, checked against the Assembly's own list of 24 May 2023 and against golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Run, git
from tests.render_helpers import markdown_tables, seed_tables

GOLDEN = Path(__file__).resolve().parent / "golden"
# Refresh the golden files deliberately with: TRACKER_REFRESH_GOLDEN=1 python3 -m pytest tests/test_render_actions.py
REFRESH = os.environ.get("TRACKER_REFRESH_GOLDEN") == "1"
ACTION_COLUMNS = ["Item No.", "Item Title", "Responsible Person", "Action(s)", "Status"]
STANDING_COLUMNS = ["Subject and Action Required", "Status", "Responsible Person", "Deadline, if applicable"]


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REFRESH:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {name}; create it with TRACKER_REFRESH_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def render(run: Run, root: Path, *args: str) -> str:
    result = run(root, "render", "actions", "--committee", "pcc", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_matches_the_assemblys_list_cell_by_cell(bundled: Path, run: Run) -> None:
    text = render(run, bundled, "--as-of", "2023-05-24", "--since", "2023-03-22")
    ours, headers = markdown_tables(text)
    theirs = seed_tables()
    assert [heading for heading, _ in ours] == [heading for heading, _ in theirs]
    for (heading, our_rows), (_, their_rows) in zip(ours, theirs, strict=True):
        assert len(our_rows) == len(their_rows), heading
        for number, (our_row, their_row) in enumerate(zip(our_rows, their_rows, strict=True), start=1):
            for column, (our_cell, their_cell) in enumerate(zip(our_row, their_row, strict=True)):
                assert our_cell == their_cell, f"{heading}, row {number}, column {column + 1}"
    for heading, _ in ours[:-1]:
        assert headers[heading] == ACTION_COLUMNS
    assert headers["Standing Items"] == STANDING_COLUMNS


def test_golden_markdown(bundled: Path, run: Run) -> None:
    check_golden("pcc-actions-2023-05-24.md", render(run, bundled, "--as-of", "2023-05-24", "--since", "2023-03-22"))


def test_golden_markdown_earlier_and_without_since(bundled: Path, run: Run) -> None:
    check_golden("pcc-actions-2023-04-01.md", render(run, bundled, "--as-of", "2023-04-01"))


def test_sections_newest_first_with_the_assemblys_headings(bundled: Path, run: Run) -> None:
    text = render(run, bundled, "--as-of", "2023-05-24")
    first = text.index("## Actions Arising from the Meeting Held on 22 March 2023")
    assert first < text.index("## Actions Arising from the Meeting Held on 8 March 2023") < text.index("## Standing Items")
    assert "Meeting Held on 24 May 2023" not in text  # a meeting with no actions has no section


def test_status_as_things_stood_earlier(bundled: Path, run: Run) -> None:
    text = render(run, bundled, "--as-of", "2023-04-01")
    tables, _ = markdown_tables(text)
    feb = dict(tables)["Actions Arising from the Meeting Held on 22 February 2023"]
    assert feb[0][4] == "Ongoing."  # completed only on 9 May 2023
    march = dict(tables)["Actions Arising from the Meeting Held on 22 March 2023"]
    assert march[0][4] == "Ongoing."  # the follow-up of 4 May had not happened yet


def test_since_keeps_open_actions_and_those_closed_on_or_after_it(bundled: Path, run: Run) -> None:
    text = render(run, bundled, "--as-of", "2023-05-24", "--since", "2023-04-25")
    tables = dict(markdown_tables(text)[0])
    assert "Actions Arising from the Meeting Held on 8 March 2023" not in tables  # all three closed before 25 April
    sept = tables["Actions Arising from the Meeting Held on 29 September 2022"]
    assert [row[4] for row in sept] == ["Completed. See Agenda Item 8."]  # completed on 25 April itself
    nov16 = tables["Actions Arising from the Meeting Held on 16 November 2022"]
    assert [row[4] for row in nov16] == ["Ongoing."]  # open, however old


def test_follow_up_before_the_last_status_change_is_not_mentioned(bundled: Path, run: Run) -> None:
    path = bundled / "records/pcc/actions/2023/pcc-2023-01-25-7a.yaml"
    text = path.read_text(encoding="utf-8").replace("status: ongoing", "status: completed")
    text += ("  - date: 2023-04-20\n    event: status\n    from: ongoing\n    status: completed\n"
             "    note: Data received\n")
    path.write_text(text, encoding="utf-8")
    tables = dict(markdown_tables(render(run, bundled, "--as-of", "2023-05-24"))[0])
    row = tables["Actions Arising from the Meeting Held on 25 January 2023"][0]
    assert row[4] == "Completed. Data received."


def test_rows_in_item_order_then_creation_order(empty_repo: Path, run: Run) -> None:
    assert run(empty_repo, "new", "meeting", "--committee", "pcc", "--date", "2023-01-05").exit_code == 0
    for item, text, created in (("10", "Tenth item", "2023-01-05"), ("9", "Second on nine", "2023-01-06"),
                                ("9", "First on nine", "2023-01-05")):
        result = run(empty_repo, "new", "action", "--committee", "pcc", "--meeting", "2023-01-05", "--item", item,
                     "--item-title", f"Item {item}", "--responsible", "Clerk", "--text", text, "--date", created)
        assert result.exit_code == 0, result.stderr
    rows = markdown_tables(render(run, empty_repo, "--as-of", "2023-02-01"))[0][0][1]
    assert [row[3] for row in rows] == ["First on nine", "Second on nine", "Tenth item"]


def test_record_text_is_data_never_markup_or_template(empty_repo: Path, run: Run) -> None:
    text = "{{ 7 * 7 }} {% raw %} <script>alert(1)</script> a | b\n\n- one\n- two"
    assert run(empty_repo, "new", "meeting", "--committee", "pcc", "--date", "2023-01-05").exit_code == 0
    result = run(empty_repo, "new", "action", "--committee", "pcc", "--meeting", "2023-01-05", "--item", "1",
                 "--item-title", "Q&A <b>", "--responsible", "Clerk", "--text", text)
    assert result.exit_code == 0, result.stderr
    out = render(run, empty_repo, "--as-of", "2023-02-01")
    assert "{{ 7 * 7 }} {% raw %}" in out and "49" not in out
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "a \\| b<ul><li>one</li><li>two</li></ul>" in out
    assert "| Q&A &lt;b&gt; |" in out
    row = next(line for line in out.splitlines() if line.startswith("| 1 |"))
    assert row.count(" | ") == 4  # five cells: the pipe in the text did not make a sixth


def test_closing_line_names_the_commit(git_repo: Path, run: Run) -> None:
    head = git(git_repo, "rev-parse", "--short=7", "HEAD").strip()
    out = render(run, git_repo, "--as-of", "2023-05-24")
    assert out.rstrip().endswith(f"Generated from records at commit {head} as of 24 May 2023.")


def test_uncommitted_changes_are_admitted(git_repo: Path, run: Run) -> None:
    path = git_repo / "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    out = render(run, git_repo, "--as-of", "2023-05-24")
    assert "with uncommitted changes as of 24 May 2023." in out


def test_no_git_says_uncommitted(bundled: Path, run: Run) -> None:
    assert render(run, bundled, "--as-of", "2023-05-24").rstrip().endswith(
        "Generated from uncommitted records as of 24 May 2023.")


def test_ref_rebuilds_the_paper_as_tabled(git_repo: Path, run: Run) -> None:
    first = git(git_repo, "rev-parse", "--short=7", "HEAD").strip()
    tabled = render(run, git_repo, "--as-of", "2023-05-24")
    path = git_repo / "records/pcc/actions/2022/pcc-2022-11-16-5a.yaml"
    closed = ("history:\n  - date: 2023-05-20\n    event: status\n    from: ongoing\n    status: closed\n"
              "    note: No longer needed\n")
    text = path.read_text(encoding="utf-8").replace("status: ongoing", "status: closed").replace("history: []\n", "")
    path.write_text(text + closed, encoding="utf-8")
    git(git_repo, "commit", "-qam", "Close an action")
    assert "Closed. No longer needed." in render(run, git_repo, "--as-of", "2023-05-24")
    assert render(run, git_repo, "--as-of", "2023-05-24", "--ref", first) == tabled


def test_output_file(bundled: Path, run: Run, tmp_path: Path) -> None:
    target = bundled / "list.md"
    result = run(bundled, "render", "actions", "--committee", "pcc", "--as-of", "2023-05-24", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("# Summary List of Actions")


def test_unknown_committee_is_a_plain_error(bundled: Path, run: Run) -> None:
    result = run(bundled, "render", "actions", "--committee", "pc")
    assert result.exit_code == 1
    assert "unknown committee 'pc'" in result.stderr and "Traceback" not in result.stderr


def test_missing_committee_option_is_a_usage_error(bundled: Path, run: Run) -> None:
    assert run(bundled, "render", "actions").exit_code == 2


def test_repository_template_overrides_the_packaged_one(bundled: Path, run: Run) -> None:
    (bundled / "templates").mkdir()
    (bundled / "templates" / "actions.md.j2").write_text(
        "{% for m in meetings %}{{ m.date }}: {{ m.actions|length }}\n{% endfor %}", encoding="utf-8")
    out = render(run, bundled, "--as-of", "2023-05-24", "--since", "2023-03-22")
    assert out.splitlines()[:2] == ["22 March 2023: 2", "8 March 2023: 3"]


def test_broken_template_is_a_plain_error(bundled: Path, run: Run) -> None:
    (bundled / "templates").mkdir()
    (bundled / "templates" / "actions.md.j2").write_text("{% for m in meetings %}", encoding="utf-8")
    result = run(bundled, "render", "actions", "--committee", "pcc")
    assert result.exit_code == 1 and "template error" in result.stderr


@pytest.mark.parametrize("style, expected", [("iso", "2023-03-22"), ("{day2}/{month2}/{year}", "22/03/2023")])
def test_dates_in_the_configured_style(bundled: Path, run: Run, style: str, expected: str) -> None:
    config = bundled / "tracker.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace('date_style: "{day} {month} {year}"',
                                                                  f'date_style: "{style}"'), encoding="utf-8")
    assert f"Meeting Held on {expected}" in render(run, bundled, "--as-of", "2023-05-24")
