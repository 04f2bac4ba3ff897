"""`tracker remind`: one polite chaser per body, from an overridable template."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.chase_helpers import action, load
from tests.conftest import Run
from tracker.questions.chase import letters
from tracker.text.filenames import file_stem

AS_OF = "2024-01-15"


def test_one_letter_per_body_on_the_bundled_records(bundled: Path) -> None:
    config, records = load(bundled)
    found = letters(records, config, dt.date(2024, 1, 15))
    bodies = {letter.body: letter.record_ids for letter in found}
    assert [letter.body for letter in found] == sorted(bodies, key=str.casefold)
    assert len(bodies["MOPAC"]) == 24
    # The London Probation Service is an alias of HMPPS: one letter, under the canonical name.
    assert "London Probation Service" not in bodies
    assert bodies["HM Prison & Probation Service"] == [
        f"pcc-probation-services-in-london-r{n}" for n in (3, 6, 7, 8, 12, 13)]
    assert bodies["UK Government"] == ["pcc-missing-children-in-london-r5"]


def test_letter_lists_source_date_asked_and_what_is_outstanding(bundled: Path, run: Run) -> None:
    result = run(bundled, "remind", "--as-of", AS_OF, "--responsible", "UK Government", "--by", "A. Clerk")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("To: UK Government\nDate: 15 January 2024\n")
    assert "Dear UK Government," in text
    assert "## 1. Recommendation 5 of \u201cMissing children in London\u201d" in text
    assert "> The Mayor, government and relevant partners should work to minimise the use of hotels" in text
    assert "- From: the report \u201cMissing children in London\u201d (25 April 2023), recommendation 5" in text
    assert "- Date asked: 25 April 2023" in text
    assert ("- Outstanding: Your response was due on 20 June 2023 and has not been received (209 days ago). "
            "We have had no update since 25 April 2023 (265 days ago).") in text
    assert "- Our reference: pcc-missing-children-in-london-r5" in text
    assert text.rstrip().endswith("A. Clerk\nPolice and Crime Committee")
    # Only the body asked about: not the Mayor, who shares the recommendation.
    assert "Mayor of London" not in text.split("Our reference")[0].split("Outstanding:")[1]


def test_overdue_item_names_its_deadline_and_earlier_follow_ups(bundled: Path, run: Run) -> None:
    text = run(bundled, "remind", "--as-of", AS_OF, "--responsible", "Metropolitan Police Service").stdout
    assert "- Deadline: By December 2023" in text
    assert "It was due by December 2023 and is now 15 days overdue." in text
    casey = run(bundled, "remind", "--as-of", AS_OF, "--responsible", "Baroness Casey").stdout
    assert "Police and Crime Committee meeting of 22 March 2023, item 6: Independent Review" in casey
    assert "- We last wrote to you about this on 4 May 2023." in casey


def test_output_folder_gets_one_safe_file_per_body(bundled: Path, run: Run, tmp_path: Path) -> None:
    out = bundled / "letters"
    out.mkdir()
    result = run(bundled, "remind", "--as-of", AS_OF, "-o", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert "mopac.md" in names and "hm-prison-probation-service.md" in names
    assert "national-police-chiefs-council.md" in names
    assert len(names) == 21
    assert all(n[:-3].replace("-", "").isalnum() and n.endswith(".md") for n in names)
    assert (out / "mopac.md").read_text(encoding="utf-8").startswith("To: MOPAC\n")
    assert result.stdout == ""


def test_missing_output_folder_is_a_clear_error(bundled: Path, run: Run, tmp_path: Path) -> None:
    result = run(bundled, "remind", "--as-of", AS_OF, "-o", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.output


def test_nothing_to_chase(bundled: Path, run: Run) -> None:
    result = run(bundled, "remind", "--as-of", AS_OF, "--responsible", "Nobody At All")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "nothing to chase from Nobody At All" in result.stderr


@pytest.mark.parametrize(("name", "slug"), [
    ("HM Prison & Probation Service", "hm-prison-probation-service"),
    ("../../etc/passwd", "etc-passwd"),
    ("Société Générale", "societe-generale"),
    ("伦敦", "body"),
    ("", "body"),
])
def test_slugs_are_safe_file_names(name: str, slug: str) -> None:
    assert file_stem(name) == slug


def test_same_slug_bodies_get_distinct_files(empty_repo: Path, run: Run, tmp_path: Path) -> None:
    action(empty_repo, "2023-01-10", "5", "A & B", due="2023-02")
    action(empty_repo, "2023-01-10", "6", "A B", due="2023-02")
    out = empty_repo / "out"
    out.mkdir()
    assert run(empty_repo, "remind", "--as-of", "2023-06-01", "-o", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["a-b-2.md", "a-b.md"]


def test_repository_template_wins_and_record_text_is_never_a_template(empty_repo: Path, run: Run) -> None:
    action(empty_repo, "2023-01-10", "5", "MOPAC", due="2023-02", text="Send {{ 7 * 7 }} figures {% if x %}")
    result = run(empty_repo, "remind", "--as-of", "2023-06-01")
    assert result.exit_code == 0, result.output
    assert "> Send {{ 7 * 7 }} figures {% if x %}" in result.stdout
    (empty_repo / "templates").mkdir()
    (empty_repo / "templates" / "reminder.md.j2").write_text(
        "For {{ body }}:{% for i in items %} {{ i.id }}={{ i.text }}{% endfor %}\n", encoding="utf-8")
    custom = run(empty_repo, "remind", "--as-of", "2023-06-01")
    assert custom.stdout == "For MOPAC: pcc-2023-01-10-5a=Send {{ 7 * 7 }} figures {% if x %}\n"


def test_broken_repository_template_is_a_clear_error(empty_repo: Path, run: Run) -> None:
    action(empty_repo, "2023-01-10", "5", "MOPAC", due="2023-02")
    (empty_repo / "templates").mkdir()
    (empty_repo / "templates" / "reminder.md.j2").write_text("line one\n{% for x in %}\n", encoding="utf-8")
    result = run(empty_repo, "remind", "--as-of", "2023-06-01")
    assert result.exit_code == 1
    assert "reminder.md.j2:2:1: template error" in result.stderr


def test_sandbox_keeps_templates_away_from_python_internals(empty_repo: Path, run: Run) -> None:
    action(empty_repo, "2023-01-10", "5", "MOPAC", due="2023-02")
    (empty_repo / "templates").mkdir()
    (empty_repo / "templates" / "reminder.md.j2").write_text(
        "{{ body.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    result = run(empty_repo, "remind", "--as-of", "2023-06-01")
    assert result.exit_code == 1
    assert "template error" in result.stderr


def test_record_writes_a_follow_up_on_each_item_chased_and_commits_it(git_repo: Path, run: Run) -> None:
    from tests.conftest import git

    before = json.loads(run(git_repo, "overdue", "--as-of", AS_OF, "--responsible", "UK Government", "--format", "json").stdout)
    chased = [item["id"] for item in before]
    assert chased == ["pcc-missing-children-in-london-r5"]
    result = run(git_repo, "remind", "--as-of", AS_OF, "--responsible", "UK Government", "--record", "--commit")
    assert result.exit_code == 0, result.output
    assert "Dear UK Government" in result.stdout
    assert "recorded a follow-up on 1 items" in result.stderr
    shown = json.loads(run(git_repo, "show", chased[0], "--format", "json").stdout)
    assert shown["history"][-1]["event"] == "follow-up"
    assert shown["history"][-1]["date"] == AS_OF
    assert shown["history"][-1]["note"] == "Reminder sent to UK Government."
    assert git(git_repo, "status", "--porcelain") == ""
    assert "Record follow-ups sent on 2024-01-15" in git(git_repo, "log", "-1", "--format=%s")
    after = json.loads(run(git_repo, "overdue", "--as-of", AS_OF, "--responsible", "UK Government", "--format", "json").stdout)
    assert "follow-up-due" not in [reason["reason"] for item in after for reason in item["reasons"]]
