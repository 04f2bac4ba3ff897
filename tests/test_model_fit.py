"""A committee's papers the bundled records were not shaped on: the model, the checks and the writes a clerk needs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Run, git, ok


def _clerk_git(root: Path) -> None:
    git(root, "config", "user.name", "Test Clerk")
    git(root, "config", "user.email", "clerk@example.org")


# ---------------------------------------------------------------- 14: init starts on main


def test_init_starts_the_repository_on_main_even_where_git_defaults_to_master(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "borough"
    global_config = tmp_path / "gitconfig"
    global_config.write_text("[init]\n\tdefaultBranch = master\n", encoding="utf-8")
    result = run(tmp_path, "init", str(target), "--committee", 'osc="Overview and Scrutiny Committee"',
                 env={"GIT_CONFIG_GLOBAL": str(global_config)})
    assert result.exit_code == 0, result.output
    assert "on branch main" in result.stdout
    assert git(target, "symbolic-ref", "--short", "HEAD").strip() == "main"
    _clerk_git(target)
    git(target, "add", "-A")
    git(target, "commit", "-qm", "Start the records")
    git(target, "checkout", "-qb", "new-meeting")
    assert run(target, "new", "meeting", "--committee", "osc", "--date", "2022-03-24").exit_code == 0
    git(target, "add", "-A")
    git(target, "commit", "-qm", "Record the meeting")
    changed = run(target, "changes", "main...HEAD")
    assert changed.exit_code == 0, changed.output
    assert "osc-2022-03-24" in changed.stdout


# ---------------------------------------------------------------- 16: a first deadline is not slippage


def test_a_first_deadline_is_not_slippage_and_nothing_prints_none(git_repo: Path, run: Run) -> None:
    record = "pcc-2023-01-11-6a"
    done = run(git_repo, "reschedule", record, "--due", "2023-07-31", "--reason", "The Commissioner gave a date.",
               "--date", "2023-06-01", "--by", "Clerk", "--commit")
    assert done.exit_code == 0, done.output
    assert done.stdout == f"{record}: first deadline set: 2023-07-31 (not a reschedule: it had no due date)\n"
    assert git(git_repo, "log", "-1", "--format=%s").startswith(f"{record}: first deadline set")
    shown = run(git_repo, "show", record, "--as-of", "2023-06-02")
    assert shown.exit_code == 0, shown.output
    assert "None" not in shown.stdout
    assert "slippage:" not in shown.stdout
    assert "first deadline set: By 31 July 2023: The Commissioner gave a date." in shown.stdout
    assert "deadline:     By 31 July 2023" in shown.stdout
    slips = run(git_repo, "slippage", "--as-of", "2023-06-02", "--format", "json")
    assert slips.exit_code == 0, slips.output
    assert record not in slips.stdout
    # A later move from that first deadline is slippage, first due on the date first set.
    moved = run(git_repo, "reschedule", record, "--due", "2023-09", "--reason", "Data late.", "--date", "2023-07-20",
                "--by", "Clerk")
    assert moved.exit_code == 0, moved.output
    shown = run(git_repo, "show", record, "--as-of", "2023-07-21")
    assert "slippage:     moved 1 time, 61 days in all (first due 2023-07-31)" in shown.stdout
    assert "None" not in shown.stdout


# ---------------------------------------------------------------- 18: a status by slug or label, in any case


REC2 = "pcc-missing-children-in-london-r2"


def test_a_status_is_taken_by_slug_or_label_in_any_case_everywhere(git_repo: Path, run: Run) -> None:
    by_label = run(git_repo, "list", "--status", "Awaiting Response", "--format", "json")
    by_slug = run(git_repo, "list", "--status", "awaiting-response", "--format", "json")
    assert by_label.exit_code == 0, by_label.output
    assert by_label.stdout == by_slug.stdout and REC2 in by_slug.stdout
    moved = run(git_repo, "update", REC2, "--status", "In progress", "--date", "2023-06-01", "--by", "Clerk",
                "--commit")
    assert moved.exit_code == 0, moved.output
    assert moved.stdout == f"{REC2}: awaiting-response → in-progress\n"
    again = run(git_repo, "update", REC2, "--status", "PARTIALLY-IMPLEMENTED", "--date", "2023-06-02", "--by", "Clerk")
    assert again.stdout == f"{REC2}: in-progress → partially-implemented\n"
    made = run(git_repo, "new", "action", "--committee", "pcc", "--meeting", "2023-05-24", "--item", "5",
               "--item-title", "Summary List of Actions", "--responsible", "MOPAC", "--text", "To write.",
               "--status", "Completed", "--by", "Clerk")
    assert made.exit_code == 0, made.output
    assert "status: completed\n" in (git_repo / "records/pcc/actions/2023/pcc-2023-05-24-5a.yaml").read_text()


def test_a_misspelt_status_is_refused_with_the_nearest(git_repo: Path, run: Run) -> None:
    refused = run(git_repo, "update", REC2, "--status", "in-progres", "--date", "2023-06-01", "--by", "Clerk")
    assert refused.exit_code == 1
    assert "error: 'in-progres' is not one of the recommendation statuses" in refused.stderr
    assert "did you mean 'in-progress'?" in refused.stderr
    listed = run(git_repo, "list", "--status", "Ongoin")
    assert listed.exit_code == 1 and "did you mean 'ongoing'?" in listed.stderr
    sheet = git_repo / "actions.csv"
    sheet.write_text("Item No.,Meeting,Item Title,Responsible Person,Action(s),Status\n"
                     "5,2023-05-24,Summary List,MOPAC,To write.,Complted. Sent on 2 June 2023.\n", encoding="utf-8")
    imported = run(git_repo, "import", "csv", str(sheet), "--kind", "action", "--committee", "pcc", "--by", "Clerk")
    assert imported.exit_code == 1
    assert "did you mean 'completed'?" in imported.stderr
    assert git(git_repo, "status", "--porcelain", "records") == ""


# ---------------------------------------------------------------- 2: lettered numbers, natural order


BOROUGH_CONFIG = """\
committees:
  osc:
    name: Overview and Scrutiny Committee
    body: London Borough of Hartwell
"""


def borough(tmp_path: Path, config: str = BOROUGH_CONFIG) -> Path:
    """A new records repository of an invented borough's scrutiny committee, committed to git on main."""
    root = tmp_path / "hartwell"
    root.mkdir()
    (root / "tracker.yaml").write_text(config, encoding="utf-8")
    (root / "records").mkdir()
    (root / "records" / ".gitkeep").write_text("", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    _clerk_git(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Start the records")
    return root


def test_lettered_recommendations_get_their_own_ids_and_sort_naturally_everywhere(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell Partnership scrutiny",
           "--published", "2022-03-24", "--slug", "safer-hartwell"))
    made = []
    for number in ("11", "2", "5(b)", "1", "5a", "5"):
        out = ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--number", number,
                     "--to", "Safer Hartwell Partnership", "--text", f"Recommendation {number} of the committee.",
                     "--by", "Clerk"))
        made.append(out.strip().splitlines()[-1])
    assert made == [f"osc-safer-hartwell-r{n}" for n in ("11", "2", "5b", "1", "5a", "5")]
    path = root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r5b.yaml"
    assert "\nnumber: 5b\n" in path.read_text(encoding="utf-8")
    after = ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Safer Hartwell Partnership",
                   "--text", "The next one.", "--by", "Clerk"))
    assert after.strip() == "osc-safer-hartwell-r12"
    natural = [f"osc-safer-hartwell-r{n}" for n in ("1", "2", "5", "5a", "5b", "11", "12")]
    listed = ok(run(root, "list", "--kind", "recommendation", "--format", "csv"))
    assert [line.split(",")[0] for line in listed.splitlines()[1:]] == natural
    answered = run(root, "respond", "--report", "safer-hartwell", "--recommendations", "5A,5b,11",
                   "--from", "Safer Hartwell Partnership", "--date", "2022-05-01", "--text", "Accepted.",
                   "--position", "5a=accepted", "--commit", "--by", "Clerk")
    ok(answered)
    assert "recommendations 5a, 5b, 11" in answered.stdout
    assert "status now:   Accepted (open)" in ok(run(root, "show", "osc-safer-hartwell-r5a", "--as-of", "2022-06-01"))
    assert "status now:   In progress (open)" in ok(run(root, "show", "osc-safer-hartwell-r5b", "--as-of", "2022-06-01"))
    assert ok(run(root, "validate")) == ""
    # Rendered in number order, lettered ones after their number.
    rendered = ok(run(root, "render", "recommendations", "--report", "safer-hartwell", "--as-of", "2022-06-01"))
    headings = [line for line in rendered.splitlines() if line.startswith("## Recommendation")]
    assert [h.split()[2] for h in headings] == ["1", "2", "5", "5a", "5b", "11", "12"]
    # The site's page for the body lists them in the same order.
    ok(run(root, "site", str(root / "public"), "--as-of", "2022-06-01"))
    page = (root / "public/docs/bodies/safer-hartwell-partnership.md").read_text(encoding="utf-8")
    order = [page.index(f"[Recommendation {n}]") for n in ("1", "2", "5", "5a", "5b", "11", "12")]
    assert order == sorted(order)


def test_a_recommendation_number_that_is_not_one_is_refused_clearly(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    refused = run(root, "new", "recommendation", "--report", "safer-hartwell", "--number", "5bb", "--to", "X",
                  "--text", "T.")
    assert refused.exit_code == 2
    assert "'5bb' is not a recommendation number: write 5, or 5a (or 5(a)) for a lettered one" in refused.stderr
    ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--number", "5a", "--to", "X", "--text", "T."))
    path = root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r5a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("number: 5a", "number: 5A"), encoding="utf-8")
    checked = run(root, "validate")
    assert checked.exit_code == 1
    assert "number: '5A' is not a recommendation number: write 5, or 5a for a lettered one" in checked.stdout


# ---------------------------------------------------------------- 19: dates say what they accept


def test_each_date_option_says_exactly_what_it_accepts(bundled: Path, run: Run) -> None:
    day_first = run(bundled, "list", "--as-of", "31/12/2022")
    assert day_first.exit_code == 2
    assert ("Invalid value for '--as-of': '31/12/2022' is not a date: write a full date, YYYY-MM-DD; "
            "did you mean 2022-12-31?") in day_first.stderr
    month = run(bundled, "overdue", "--as-of", "2022-06")
    assert month.exit_code == 2
    assert ("'2022-06' names the month 2022-06, not a day: write a full date, YYYY-MM-DD (e.g. 2022-06-30)"
            in month.stderr)
    words = run(bundled, "new", "meeting", "--committee", "pcc", "--date", "24 May 2023")
    assert "did you mean 2023-05-24?" in words.stderr
    due = run(bundled, "reschedule", "pcc-2023-01-11-6a", "--due", "24/05/2023", "--reason", "r")
    assert due.exit_code == 2
    assert ("Invalid value for '--due': '24/05/2023' is not a date: write YYYY-MM-DD, YYYY-MM or YYYY; "
            "did you mean 2023-05-24?") in due.stderr
    assert "--due YYYY-MM-DD|YYYY-MM|YYYY" in run(bundled, "reschedule", "--help").stdout
    assert "--as-of YYYY-MM-DD" in run(bundled, "overdue", "--help").stdout


SHEET = ("Item No.\tMeeting\tItem Title\tResponsible Person\tAction(s)\tStatus\tDue\n"
         "4\t24/03/2022\tSafer Hartwell Partnership\tSafer Hartwell Partnership\t"
         "To send the figures on repeat victims.\tOngoing\t24/05/2022\n")


def test_import_reads_day_first_dates_and_utf16_sheets(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    for name, data in (("bom.csv", SHEET.encode("utf-16")), ("nobom.csv", SHEET.encode("utf-16-le"))):
        sheet = tmp_path / name
        sheet.write_bytes(data)
        planned = run(root, "import", "csv", str(sheet), "--kind", "action", "--committee", "osc", "--dry-run",
                      "--as-of", "2022-04-01", "--by", "Clerk")
        assert planned.exit_code == 0, planned.output
        assert "records/osc/actions/2022/osc-2022-03-24-4a.yaml" in planned.output
    imported = run(root, "import", "csv", str(tmp_path / "bom.csv"), "--kind", "action", "--committee", "osc",
                   "--as-of", "2022-04-01", "--by", "Clerk", "--commit")
    assert imported.exit_code == 0, imported.output
    text = (root / "records/osc/actions/2022/osc-2022-03-24-4a.yaml").read_text(encoding="utf-8")
    assert "meeting: 2022-03-24\n" in text and "due: '2022-05-24'\n" in text
    assert "item_title: Safer Hartwell Partnership\n" in text
    assert git(root, "status", "--porcelain") == ""


def test_a_file_that_is_not_text_is_refused_saying_so(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    sheet = tmp_path / "odd.csv"
    sheet.write_bytes(b"Item No.,Action\x00\x00\x00\x00\x00,x\n\x00\x01")
    refused = run(root, "import", "csv", str(sheet), "--kind", "action", "--committee", "osc")
    assert refused.exit_code == 1
    assert "not a text CSV file (it holds zero bytes, and is not UTF-16 text either)" in refused.stderr
    assert 'save it as "CSV UTF-8"' in refused.stderr


# ---------------------------------------------------------------- 13: untouched text stays byte for byte


LONG = ("That the Safer Hartwell Partnership provides the Committee with a breakdown of repeat victims of "
        "domestic abuse by ward, with the figures for the last three years and what the partnership has done "
        "since the last report to reduce them.")

HAND = """\
# yaml-language-server: $schema=../../../../schema/action.schema.json
id: osc-2022-03-24-3{letter}
kind: action
committee: osc
meeting: 2022-03-24
item: "3"
item_title: 2021 Safer Hartwell Partnership
  Scrutiny Report
responsible: {responsible}
text: {text}
status: ongoing
history:
  - date: 2022-03-24
    event: note
    note: 'A remark kept across
      two lines in single quotes.'
"""

STYLES = {
    "b": ("plain-wrapped", "Safer Hartwell\n  Partnership",
          "The Committee asked for the figures on repeat victims,\n  broken down by ward."),
    "c": ("folded", '"Safer Hartwell Partnership"',
          ">\n  The Committee asked for the figures on repeat victims,\n  broken down by ward.\n"),
    "d": ("literal", "'Safer Hartwell Partnership'",
          "|\n  The Committee asked for:\n  - the figures on repeat victims\n  - broken down by ward"),
    "e": ("single-quoted", "Safer Hartwell Partnership",
          "'The Committee asked for the figures on repeat victims,\n  broken down by ward.'"),
    "f": ("double-quoted", "Safer Hartwell Partnership",
          '"The Committee asked for the figures on repeat victims, \\\n  broken down by ward."'),
}


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_writes_keep_every_untouched_scalar_byte_for_byte(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3",
           "--item-title", LONG, "--responsible", "Safer Hartwell Partnership", "--text", LONG, "--by", "Clerk"))
    folder = root / "records/osc/actions/2022"
    for letter, (_, responsible, text) in STYLES.items():
        (folder / f"osc-2022-03-24-3{letter}.yaml").write_text(
            HAND.format(letter=letter, responsible=responsible, text=text), encoding="utf-8")
    sheet = tmp_path / "more.csv"
    sheet.write_text(f"Item No.,Meeting,Item Title,Responsible Person,Action(s),Status\n"
                     f'4,2022-03-24,Other business,Safer Hartwell Partnership,"{LONG}",Ongoing\n', encoding="utf-8")
    ok(run(root, "import", "csv", str(sheet), "--kind", "action", "--committee", "osc", "--as-of", "2022-03-25",
           "--by", "Clerk"))
    assert ok(run(root, "validate")) == ""
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Records")
    made_by_new = (folder / "osc-2022-03-24-3a.yaml").read_text(encoding="utf-8")
    assert made_by_new.count("\n  ") >= 2, "the creating writer wraps long text"
    ids = [f"osc-2022-03-24-3{letter}" for letter in "abcdef"] + ["osc-2022-03-24-4a"]
    for record in ids:
        path = next(folder.glob(f"{record}.yaml"))
        before = path.read_text(encoding="utf-8")
        for args in (("note", record, "--note", LONG), ("followup", record),
                     ("reschedule", record, "--due", "2022-07", "--reason", "Asked for the data by July."),
                     ("update", record, "--status", "completed", "--note", "Figures received.")):
            ok(run(root, *args, "--date", "2022-06-01", "--by", "Clerk"))
        after = path.read_text(encoding="utf-8")
        removed, added = _changed_lines(before, after)
        assert removed == ["status: ongoing"], (record, removed)
        assert "status: completed" in added, (record, added)
        assert after.startswith(before.split("status: ongoing")[0]), record
    changed = git(root, "diff", "--numstat").split("\n")
    assert all(line.split("\t")[1] == "1" for line in changed if line), changed


# ---------------------------------------------------------------- 11 and 12: problems reported once, all at once


PROBATION = "records/pcc/reports/probation-services-in-london"


@pytest.mark.parametrize("cache", [True, False])
def test_an_unreadable_file_is_reported_once_at_that_file(git_repo: Path, run: Run, cache: bool) -> None:
    options = () if cache else ("--no-cache",)
    assert ok(run(git_repo, *options, "validate")) == ""  # warms the cache
    path = git_repo / PROBATION / "recommendations/pcc-probation-services-in-london-r3.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nstatus:", "\n  status:"), encoding="utf-8")
    checked = run(git_repo, *options, "validate")
    assert checked.exit_code == 1
    assert checked.stdout.splitlines() == [
        f"{PROBATION}/recommendations/pcc-probation-services-in-london-r3.yaml:16:3: "
        "YAML syntax error: did not find expected '-' indicator"]
    assert "1 problem" in checked.stderr
    refused = run(git_repo, *options, "overdue")
    assert refused.exit_code == 1
    assert "has no recommendation" not in refused.stderr


@pytest.mark.parametrize("cache", [True, False])
def test_a_misspelt_field_hides_no_other_mistake(git_repo: Path, run: Run, cache: bool) -> None:
    options = () if cache else ("--no-cache",)
    assert ok(run(git_repo, *options, "validate")) == ""
    path = git_repo / "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nstatus: closed\n", "\nstauts: closed\n").replace("    from: ongoing", "    from: ongoin")
    text = text.replace("    status: closed", "    status: closd").replace("date: 2023-05-24", "date: 2023-05-24T")
    path.write_text(text, encoding="utf-8")
    checked = run(git_repo, *options, "validate")
    where = "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"
    assert checked.stdout.splitlines() == [
        f"{where}:2:1: status: 'status' is required",
        f"{where}:12:9: stauts: unknown field 'stauts' (custom fields must start with x-)",
        f"{where}:15:11: history[0].date: '2023-05-24T' is not in the expected form (a date, YYYY-MM-DD)",
        f"{where}:17:11: history[0].from: unknown action status 'ongoin' (known: ongoing, completed, closed)",
        f"{where}:18:13: history[0].status: unknown action status 'closd' (known: ongoing, completed, closed)",
    ]
    assert "5 problems" in checked.stderr


# ---------------------------------------------------------------- 10: a reference to a missing meeting


def test_an_action_of_a_meeting_never_recorded_is_a_problem(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    refused = run(root, "new", "action", "--committee", "osc", "--meeting", "2022-07-12", "--item", "4",
                  "--item-title", "Crime and Disorder", "--responsible", "Safer Hartwell Partnership",
                  "--text", "To report the figures.")
    assert refused.exit_code == 1
    assert ("meeting: no meeting record 'osc-2022-07-12'; record the meeting first "
            "(tracker new meeting --committee osc --date 2022-07-12)") in refused.stderr
    assert not (root / "records/osc/actions").exists()
    ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "4",
           "--item-title", "Crime and Disorder", "--responsible", "Safer Hartwell Partnership",
           "--text", "To report the figures."))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Records")
    assert ok(run(root, "validate")) == ""  # the cache now knows the state
    git(root, "rm", "-q", "records/osc/meetings/osc-2022-03-24.yaml")
    checked = run(root, "validate")
    assert checked.exit_code == 1
    assert checked.stdout == ("records/osc/actions/2022/osc-2022-03-24-4a.yaml:5:10: meeting: no meeting record "
                              "'osc-2022-03-24'; record the meeting first "
                              "(tracker new meeting --committee osc --date 2022-03-24)\n")
    assert run(root, "--no-cache", "validate").stdout == checked.stdout
    git(root, "checkout", "-q", "HEAD", "--", "records/osc/meetings/osc-2022-03-24.yaml")
    assert ok(run(root, "validate")) == ""


# ---------------------------------------------------------------- 9: names checked against the bodies listed


BODIES_CONFIG = BOROUGH_CONFIG + """\
bodies:
  Safer Hartwell Partnership:
    aliases: [SHP]
  Cabinet Member for Community Safety:
"""


def test_a_misspelt_body_is_a_problem_with_the_nearest_name(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path, BODIES_CONFIG)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    refused = run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Safer Hartwell Partnershp",
                  "--text", "Publish the figures.")
    assert refused.exit_code == 1
    assert ("to[0]: 'Safer Hartwell Partnershp' is not one of the bodies in tracker.yaml, nor another name for one; "
            "did you mean 'Safer Hartwell Partnership'?") in refused.stderr
    refused = run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3",
                  "--item-title", "Safety", "--responsible", "cabinet member for community safty", "--text", "T.")
    assert "did you mean 'Cabinet Member for Community Safety'?" in refused.stderr
    assert not (root / "records/osc/actions").exists()
    ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "SHP", "--to",
           "cabinet member for community  safety", "--text", "Publish the figures.", "--by", "Clerk"))
    refused = run(root, "respond", "--report", "safer-hartwell", "--recommendations", "1", "--from", "Hartwell Police",
                  "--date", "2022-05-01", "--text", "Noted.")
    assert refused.exit_code == 1
    assert "from: 'Hartwell Police' is not one of the bodies in tracker.yaml" in refused.stderr
    assert "did you mean" not in refused.stderr
    path = root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- SHP", "- Safer Hartwel Partnership"), encoding="utf-8")
    checked = run(root, "validate")
    assert checked.stdout == (
        "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r1.yaml:8:5: to[0]: "
        "'Safer Hartwel Partnership' is not one of the bodies in tracker.yaml, nor another name for one; did you "
        "mean 'Safer Hartwell Partnership'? (a new body is added under bodies: in tracker.yaml)\n")


def test_without_bodies_listed_any_name_is_taken(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Anyone At All", "--text", "T."))
    assert ok(run(root, "validate")) == ""


# ---------------------------------------------------------------- 15: an invalid edit at a terminal asks first


def _at_a_terminal(args: list[str], env: dict[str, str], answers: list[str]) -> tuple[int, str]:
    """Run the command with a real pseudo-terminal as its keyboard, answering each "edit it again?" in turn."""
    import pty
    import select
    import subprocess
    import sys

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tracker", *args], stdin=follower, stdout=follower,
                               stderr=follower, env={**os.environ, **env}, close_fds=True)
    os.close(follower)
    seen = b""
    pending = list(answers)
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:  # waiting on a question never asked: give up rather than hang
            process.kill()
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the command ended and closed the terminal
            break
        if not chunk:
            break
        seen += chunk
        if pending and seen.count(b"edit it again?") > len(answers) - len(pending):
            os.write(leader, pending.pop(0).encode() + b"\n")
    os.close(leader)
    return process.wait(), seen.decode("utf-8", "replace")


def test_an_invalid_edit_at_a_terminal_asks_whether_to_edit_again(bundled: Path, tmp_path: Path) -> None:
    path = bundled / "records/pcc/actions/2023/pcc-2023-03-08-6a.yaml"
    before = path.read_bytes()
    opened = tmp_path / "opened.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen({str(opened)!r}, 'a').write('opened\\n')\n"
                      "text = open(sys.argv[1]).read()\n"
                      "open(sys.argv[1], 'w').write(text.replace('status: completed', 'status: finished'))\n",
                      encoding="utf-8")
    import sys

    env = {"EDITOR": f"{sys.executable} {editor}", "VISUAL": "", "TRACKER_ROOT": str(bundled)}
    status, seen = _at_a_terminal(["edit", "pcc-2023-03-08-6a"], env, ["y", "n"])
    assert status == 1, seen
    assert seen.count("edit it again? (no keeps the file as it was)") == 2
    assert "unknown action status 'finished'" in seen and "was not saved" in seen
    assert opened.read_text(encoding="utf-8") == "opened\nopened\n"
    assert path.read_bytes() == before


# ---------------------------------------------------------------- 17: import csv refuses duplicates, asks to update


def _recommendations_sheet(tmp_path: Path, rows: list[str]) -> Path:
    sheet = tmp_path / "recommendations.csv"
    sheet.write_text("Report,Recommendation No.,Recommendation,To\n" + "".join(f"{row}\n" for row in rows),
                     encoding="utf-8")
    return sheet


def test_import_refuses_two_rows_for_one_record_and_changes_only_with_update(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "The report")
    twice = _recommendations_sheet(tmp_path, [
        "safer-hartwell,9,Publish the figures.,Safer Hartwell Partnership",
        "safer-hartwell,10,Review the strategy.,Safer Hartwell Partnership",
        "safer-hartwell,10,Review the strategy again.,Safer Hartwell Partnership",
    ])
    refused = run(root, "import", "csv", str(twice), "--kind", "recommendation", "--as-of", "2022-04-01")
    assert refused.exit_code == 1
    assert ("row 4: this row is for the same recommendation as row 3 (safer-hartwell number 10); "
            "give each record one row") in refused.stderr
    assert not (root / "records/osc/reports/safer-hartwell/recommendations").exists()
    first = _recommendations_sheet(tmp_path, [
        "safer-hartwell,10,Review the strategy.,Safer Hartwell Partnership; Cabinet Member for Community Safety"])
    ok(run(root, "import", "csv", str(first), "--kind", "recommendation", "--as-of", "2022-04-01", "--by", "Clerk",
           "--commit"))
    path = root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r10.yaml"
    before = path.read_bytes()
    changed = _recommendations_sheet(tmp_path, ["safer-hartwell,10,Review the whole strategy.,Safer Hartwell Partnership"])
    refused = run(root, "import", "csv", str(changed), "--kind", "recommendation", "--as-of", "2022-05-01")
    assert refused.exit_code == 1
    assert ("row 2: osc-safer-hartwell-r10 exists, and this row would change it (give --update to change it):\n"
            "    text: Review the strategy. → Review the whole strategy.\n"
            "    to: Safer Hartwell Partnership; Cabinet Member for Community Safety → Safer Hartwell Partnership"
            ) in refused.stderr
    assert path.read_bytes() == before
    updated = run(root, "import", "csv", str(changed), "--kind", "recommendation", "--as-of", "2022-05-01",
                  "--update", "--by", "Clerk", "--commit")
    assert updated.exit_code == 0, updated.output
    assert updated.stdout == (
        "update records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r10.yaml\n"
        "    text: Review the strategy. → Review the whole strategy.\n"
        "    to: Safer Hartwell Partnership; Cabinet Member for Community Safety → Safer Hartwell Partnership\n")
    shown = ok(run(root, "show", "osc-safer-hartwell-r10", "--as-of", "2022-05-01"))
    assert "1 May 2022: text changed (was: Review the strategy.) (by Clerk)" in shown
    assert ("1 May 2022: to changed (was: Safer Hartwell Partnership; Cabinet Member for Community Safety) (by Clerk)"
            in shown)
    assert "  - date: 2022-05-01\n    event: edited\n    field: to\n    old:\n" in path.read_text(encoding="utf-8")
    assert git(root, "status", "--porcelain") == ""
    assert ok(run(root, "validate")) == ""


# ---------------------------------------------------------------- 5: a response's own words per recommendation


def test_respond_records_the_words_for_each_recommendation(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    for number in ("1", "5a"):
        ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--number", number, "--to", "Council",
               "--text", f"Recommendation {number}."))
    refused = run(root, "respond", "--report", "safer-hartwell", "--recommendations", "1", "--from", "Council",
                  "--date", "2022-05-01", "--text", "Reply.", "--text-for", "5a=Agreed.")
    assert refused.exit_code == 2 and "recommendation 5a is not in --recommendations" in refused.stderr
    ok(run(root, "respond", "--report", "safer-hartwell", "--recommendations", "1,5a", "--from", "Council",
           "--date", "2022-05-01", "--text", "The Council's reply.", "--text-for", "5A=Agreed: a review starts in June.",
           "--text-for", "1=Noted.", "--by", "Clerk"))
    for template in ("default", "lewisham"):
        rendered = ok(run(root, "render", "recommendations", "--report", "safer-hartwell", "--template", template,
                          "--as-of", "2022-05-02"))
        assert "Agreed: a review starts in June." in rendered and "Noted." in rendered
    lewisham = ok(run(root, "render", "recommendations", "--report", "safer-hartwell", "--template", "lewisham",
                      "--as-of", "2022-05-02"))
    assert "**2022 Response:** Agreed: a review starts in June." in lewisham
    shown = ok(run(root, "show", "osc-safer-hartwell-2022-05-01-council"))
    assert "- recommendation 5a: noted. Agreed: a review starts in June." in shown


# ---------------------------------------------------------------- 4: a committee's default addressee


DEFAULT_TO_CONFIG = """\
committees:
  osc:
    name: Overview and Scrutiny Committee
    body: London Borough of Hartwell
    default_to: Cabinet Member for Community Safety
"""


def test_a_committee_default_addressee_is_used_and_said(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path, DEFAULT_TO_CONFIG)
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--published", "2022-03-24"))
    made = run(root, "new", "recommendation", "--report", "safer-hartwell", "--text", "Publish the figures.")
    assert made.exit_code == 0, made.output
    assert ("no --to given: addressed to Cabinet Member for Community Safety, the default_to of osc in tracker.yaml"
            in made.stderr)
    path = root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r1.yaml"
    assert "to:\n  - Cabinet Member for Community Safety\n" in path.read_text(encoding="utf-8")
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    action = run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3",
                 "--item-title", "Safety", "--text", "To circulate the strategy.")
    assert "no --responsible given: addressed to Cabinet Member for Community Safety" in action.stderr
    named = run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Council", "--text", "T.")
    assert "default_to" not in named.stderr
    assert ok(run(root, "validate")) == ""


# ---------------------------------------------------------------- 7: the report render tells the truth about time


BUNDLED_REPORTS = ["lewisham-ssc-stop-and-search-and-prevent", "pcc-counter-terrorism-and-radicalisation",
                   "pcc-missing-children-in-london", "pcc-probation-services-in-london"]


@pytest.mark.parametrize("as_of", ["2019-07-01", "2021-03-01", "2023-03-18", "2023-05-24", "2024-01-15"])
def test_report_render_counts_are_tracker_overdues(git_repo: Path, run: Run, as_of: str) -> None:
    import json
    import re

    listed = json.loads(ok(run(git_repo, "overdue", "--as-of", as_of, "--format", "json")))
    head = git(git_repo, "rev-parse", "--short=7", "HEAD").strip()
    for report in BUNDLED_REPORTS:
        chased = [row for row in listed if row["kind"] == "recommendation" and row["id"].startswith(f"{report}-r")]
        for template in ("default", "lewisham"):
            out = ok(run(git_repo, "render", "recommendations", "--report", report, "--template", template,
                         "--as-of", as_of))
            found = re.search(r"As of [^,]+, (\d+) needs? chasing(?:: (\d+) overdue, (\d+) with a response overdue, "
                              r"(\d+) due a follow-up)?\.", out)
            assert found, out[:400]
            assert int(found.group(1)) == len(chased), (report, as_of)
            if chased:
                kinds = [[reason["reason"] for reason in row["reasons"]] for row in chased]
                assert [int(n) for n in found.groups()[1:]] == [
                    sum(kind in reasons for reasons in kinds) for kind in ("overdue", "response-overdue",
                                                                           "follow-up-due")]
            assert out.count("**Response due:**") == 1
            assert "None" not in out and "**Deadline:** \n" not in out
            assert out.rstrip().splitlines()[-1].startswith(f"Generated from records at commit {head} as of ")
            assert "**Report to:** " in out


def test_report_render_says_when_responses_are_due_once_and_omits_empty_fields(bundled: Path, run: Run) -> None:
    out = ok(run(bundled, "render", "recommendations", "--report", "probation-services-in-london",
                 "--as-of", "2023-03-18"))
    assert out.count("**Response due:** 17 March 2023") == 1
    second = out[out.index("## Recommendation 2\n"):out.index("## Recommendation 3\n")]
    assert "Deadline" not in second  # recommendation 2 has no deadline: nothing is said, rather than "None set"
    assert out.startswith("# Probation Services in London\n\n**Report to:** Police and Crime Committee<br>\n"
                          "**Date:** 18 March 2023\n")
    assert out.rstrip().endswith("Generated from uncommitted records as of 18 March 2023.")


# ---------------------------------------------------------------- 8: several actions of one item told apart


def test_several_actions_of_one_item_are_told_apart(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    texts = ["To provide the number of repeat victims of domestic abuse in each ward.",
             "To circulate the knife crime action plan to Members.",
             "To share the results of the residents' survey on feeling safe after dark in parks."]
    for text in texts:
        ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3",
               "--item-title", "2021 Safer Hartwell Partnership Scrutiny Report", "--responsible", "Partnership",
               "--text", text, "--due", "2022-05"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Actions")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(ok(run(root, "overdue", "--as-of", "2022-06-15", "--format", "csv")))))
    titles = list(dict.fromkeys(row["title"] for row in rows))  # a row for each reason
    assert titles == [
        "Item 3: 2021 Safer Hartwell Partnership Scrutiny Report — To provide the number of repeat victims of "
        "domestic abuse in…",
        "Item 3: 2021 Safer Hartwell Partnership Scrutiny Report — To circulate the knife crime action plan to "
        "Members.",
        "Item 3: 2021 Safer Hartwell Partnership Scrutiny Report — To share the results of the residents' survey "
        "on feeling…",
    ]
    ok(run(root, "site", str(root / "public"), "--as-of", "2022-06-15"))
    pages = "".join(path.read_text(encoding="utf-8") for path in (root / "public/docs").rglob("*.md"))
    for start in ("[Item 3: To provide the number", "[Item 3: To circulate the knife crime",
                  "[Item 3: To share the results"):
        assert start in pages


# ---------------------------------------------------------------- 1: a report presented at a meeting


def test_a_report_presented_at_a_meeting(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    missing = run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--presented-at",
                  "2022-03-24")
    assert missing.exit_code == 1 and "no meeting with ID 'osc-2022-03-24'" in missing.stderr
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--presented-at", "2022-03-24"))
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Knife crime", "--presented-at", "osc-2022-03-24",
           "--published", "2022-03-01"))
    first = (root / "records/osc/reports/safer-hartwell/osc-safer-hartwell.yaml").read_text(encoding="utf-8")
    assert "published: 2022-03-24\n" in first and "presented_at: osc-2022-03-24\n" in first
    second = (root / "records/osc/reports/knife-crime/osc-knife-crime.yaml").read_text(encoding="utf-8")
    assert "published: 2022-03-01\n" in second and "presented_at: osc-2022-03-24\n" in second
    ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Council", "--text", "T."))
    rendered = ok(run(root, "render", "recommendations", "--report", "safer-hartwell", "--as-of", "2022-04-01"))
    assert "Overview and Scrutiny Committee, published 24 March 2022, presented to the meeting of 24 March 2022." in rendered
    assert "presented_at: osc-2022-03-24\n" in ok(run(root, "show", "osc-safer-hartwell"))
    path = root / "records/osc/reports/knife-crime/osc-knife-crime.yaml"
    path.write_text(second.replace("osc-2022-03-24", "osc-2022-03-25"), encoding="utf-8")
    checked = run(root, "validate")
    assert checked.stdout == ("records/osc/reports/knife-crime/osc-knife-crime.yaml:8:15: presented_at: no meeting "
                              "record 'osc-2022-03-25'; record the meeting first "
                              "(tracker new meeting --committee osc --date 2022-03-25)\n")


# ---------------------------------------------------------------- 3: deadlines in words


def test_a_deadline_at_the_next_meeting_and_in_the_papers_words(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    words = run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "4",
                "--item-title", "Crime and Disorder", "--responsible", "Partnership", "--text", "T.",
                "--due", "next statutory Crime and Disorder meeting")
    assert words.exit_code == 2
    assert "or next-meeting, for the committee's next meeting" in words.stderr
    ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "4",
           "--item-title", "Crime and Disorder", "--responsible", "Partnership", "--text", "To report the figures.",
           "--due", "next-meeting", "--due-text", "For the next statutory Crime and Disorder meeting", "--by", "Clerk"))
    path = root / "records/osc/actions/2022/osc-2022-03-24-4a.yaml"
    assert "due_at: next-meeting\ndue_text: For the next statutory Crime and Disorder meeting\n" in path.read_text()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Records")
    # Before the next meeting is recorded nothing is overdue, but a follow-up falls due as for any open item.
    import json

    later = json.loads(ok(run(root, "overdue", "--as-of", "2022-06-30", "--format", "json")))
    assert [reason["reason"] for row in later for reason in row["reasons"]] == ["follow-up-due"]
    shown = ok(run(root, "show", "osc-2022-03-24-4a", "--as-of", "2022-04-01"))
    assert "deadline:     For the next statutory Crime and Disorder meeting" in shown
    said = run(root, "new", "meeting", "--committee", "osc", "--date", "2022-07-12")
    assert said.exit_code == 0, said.output
    assert "osc-2022-03-24-4a: due at the meeting of 12 July 2022" in said.stderr
    text = path.read_text(encoding="utf-8")
    assert "due: 2022-07-12\n" in text and "    event: edited\n    field: due\n" in text
    assert ok(run(root, "validate")) == ""
    on_the_day = json.loads(ok(run(root, "overdue", "--as-of", "2022-07-12", "--format", "json")))
    assert not any(reason["reason"] == "overdue" for row in on_the_day for reason in row["reasons"])
    after = json.loads(ok(run(root, "overdue", "--as-of", "2022-07-13", "--format", "json")))
    assert ("overdue", 1) in [(r["reason"], r["days"]) for row in after for r in row["reasons"]]
    # A later action due at the next meeting takes the date of a meeting already recorded.
    ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "5",
           "--item-title", "Budget", "--responsible", "Partnership", "--text", "To send the budget.",
           "--due", "next-meeting"))
    shown = ok(run(root, "show", "osc-2022-03-24-5a", "--as-of", "2022-07-13"))
    assert "deadline:     Next meeting (12 July 2022)" in shown


# ---------------------------------------------------------------- 6: requests and remarks at the meeting


def test_remarks_at_a_meeting_are_not_updates(tmp_path: Path, run: Run) -> None:
    root = borough(tmp_path)
    ok(run(root, "new", "meeting", "--committee", "osc", "--date", "2022-03-24"))
    ok(run(root, "new", "report", "--committee", "osc", "--title", "Safer Hartwell", "--presented-at", "2022-03-24"))
    ok(run(root, "new", "recommendation", "--report", "safer-hartwell", "--to", "Council", "--text", "Publish it."))
    ok(run(root, "new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3",
           "--item-title", "Safer Hartwell", "--responsible", "Council", "--text", "To send the ward figures.",
           "--due", "next-meeting"))
    missing = run(root, "note", "osc-safer-hartwell-r1", "--at-meeting", "2022-03-25", "--note", "Said.")
    assert missing.exit_code == 1 and "no meeting with ID 'osc-2022-03-25'" in missing.stderr
    noted = run(root, "note", "osc-safer-hartwell-r1", "--at-meeting", "2022-03-24", "--by", "Clerk",
                "--note", "Members asked for the figures by ward.")
    assert noted.exit_code == 0, noted.output
    assert noted.stdout == "osc-safer-hartwell-r1: remark at osc-2022-03-24\n"
    text = (root / "records/osc/reports/safer-hartwell/recommendations/osc-safer-hartwell-r1.yaml").read_text()
    assert "  - date: 2022-03-24\n    event: note\n    note: Members asked for the figures by ward.\n" \
           "    at_meeting: osc-2022-03-24\n" in text
    for template in ("default", "lewisham"):
        out = ok(run(root, "render", "recommendations", "--report", "safer-hartwell", "--template", template,
                     "--as-of", "2022-04-01"))
        assert "**Said at the meeting of 24 March 2022:** Members asked for the figures by ward." in out
        assert "Information requested" in out and "| 3 | To send the ward figures. | Council | Next meeting | Ongoing. |" in out
