"""The worked example of docs/guide/worked-example.md: a borough's scrutiny item built entirely through the command
line, with every structure a council's papers need, rendered with every recommendations template to golden files.

Refresh the golden files deliberately with: TRACKER_REFRESH_GOLDEN=1 python3 -m pytest tests/test_worked_example.py
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import PROJECT, Run, git
from tests.test_render_actions import check_golden

CONFIG = """\
committees:
  osc:
    name: Overview and Scrutiny Committee
    body: London Borough of Hartwell
    default_to: Safer Hartwell Partnership
response_days: 28
bodies:
  Safer Hartwell Partnership:
    aliases: [SHP]
  Cabinet Member for Community Safety:
  Director of Community Services:
"""
REPORT = "osc-safer-hartwell-2021"
TITLE = "2021 Safer Hartwell Partnership Scrutiny Report"

# Each step as the clerk types it (after `tracker`), with --by so the records do not depend on who runs the test.
STEPS: list[tuple[str, ...]] = [
    ("new", "meeting", "--committee", "osc", "--date", "2022-03-24", "--title", "Overview and Scrutiny Committee"),
    ("new", "report", "--committee", "osc", "--title", TITLE, "--slug", "safer-hartwell-2021",
     "--presented-at", "2022-03-24"),
    ("new", "recommendation", "--report", "safer-hartwell-2021", "--number", "1", "--by", "Clerk",
     "--text", "That the Partnership publishes its domestic abuse figures by ward each quarter."),
    ("new", "recommendation", "--report", "safer-hartwell-2021", "--number", "2", "--by", "Clerk", "--due", "2022-09",
     "--to", "Cabinet Member for Community Safety",
     "--text", "That the Cabinet Member reviews the funding of the youth outreach service before the autumn budget."),
    ("new", "recommendation", "--report", "safer-hartwell-2021", "--number", "5(a)", "--by", "Clerk",
     "--due", "next-meeting", "--due-text", "By the next statutory Crime and Disorder meeting",
     "--text", "That the Partnership reports on the take-up of the victim support pilot."),
    ("new", "recommendation", "--report", "safer-hartwell-2021", "--number", "5(b)", "--by", "Clerk",
     "--text", "That the pilot's evaluation includes the views of residents who declined support."),
    ("new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3", "--item-title", TITLE,
     "--by", "Clerk", "--due", "next-meeting", "--due-text", "For the next statutory Crime and Disorder meeting",
     "--text", "To provide the number of repeat victims of domestic abuse in each ward."),
    ("new", "action", "--committee", "osc", "--meeting", "2022-03-24", "--item", "3", "--item-title", TITLE,
     "--by", "Clerk", "--due", "next-meeting", "--responsible", "Director of Community Services",
     "--text", "To circulate the knife crime action plan to Members."),
    ("note", f"{REPORT}-r5a", "--at-meeting", "2022-03-24", "--by", "Clerk",
     "--note", "Members asked that the report says how many referrals came from schools."),
    ("respond", "--report", "safer-hartwell-2021", "--recommendations", "1,2,5a", "--from", "SHP",
     "--date", "2022-04-19", "--text", "The Partnership's response to the Committee's report.",
     "--position", "1,5a=accepted", "--position", "2=noted", "--by", "Clerk",
     "--text-for", "1=Agreed: the first ward figures will be published in July.",
     "--text-for", "5a=Agreed: take-up will be reported with the pilot's six-month review.",
     "--text-for", "2=For the Cabinet Member to answer; the Partnership will give evidence to the review."),
    ("new", "meeting", "--committee", "osc", "--date", "2022-07-12", "--title", "Overview and Scrutiny Committee"),
]
AS_OF = "2022-07-20"


def build(root: Path, run: Run) -> list[str]:
    """Run every step in a new records repository at root; return what each said on stderr."""
    root.mkdir()
    (root / "tracker.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "records").mkdir()
    git(root, "init", "-q", "-b", "main")
    said = []
    for step in STEPS:
        result = run(root, *step)
        assert result.exit_code == 0, (step, result.output)
        said.append(result.stderr)
    git(root, "add", "-A")
    git(root, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.org", "commit", "-qm", "The scrutiny item")
    return said


def paper(run: Run, root: Path, template: str) -> str:
    result = run(root, "render", "recommendations", "--report", "safer-hartwell-2021", "--template", template,
                 "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    head = git(root, "rev-parse", "--short=7", "HEAD").strip()
    return result.stdout.replace(f"commit {head} ", "commit 1a2b3c4 ")  # the one line that names the commit


def test_the_worked_example_renders_with_every_template(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "hartwell"
    said = build(root, run)
    assert "addressed to Safer Hartwell Partnership, the default_to of osc in tracker.yaml" in said[2]
    assert sorted(said[-1].splitlines()[:3]) == [
        "osc-2022-03-24-3a: due at the meeting of 12 July 2022",
        "osc-2022-03-24-3b: due at the meeting of 12 July 2022",
        f"{REPORT}-r5a: due at the meeting of 12 July 2022",
    ]
    assert run(root, "validate").exit_code == 0
    for template in ("default", "lewisham"):
        check_golden(f"worked-example-{template}.md", paper(run, root, template))
    # On the day of the next meeting the requests fall due; the day after, they are overdue, as tracker says.
    overdue = run(root, "overdue", "--as-of", "2022-07-13", "--format", "csv").stdout
    assert "osc-2022-03-24-3a" in overdue and "osc-2022-03-24-3b" in overdue
    assert run(root, "overdue", "--as-of", "2022-07-12", "--format", "csv").stdout.count("osc-2022-03-24-3") == 0


def test_the_guide_shows_the_worked_example_as_rendered() -> None:
    page = (PROJECT / "docs" / "guide" / "worked-example.md").read_text(encoding="utf-8")
    golden = (PROJECT / "tests" / "golden" / "worked-example-default.md").read_text(encoding="utf-8")
    shown = re.search(r"```markdown\n(.*?)```", page, re.S)
    assert shown and shown.group(1) == golden
    for step in STEPS:
        assert step[0] in page
