"""`tracker init` and `tracker new`: records made from flags, checked before writing, IDs from natural keys."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, git


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not {".git", ".tracker-cache"} & set(p.relative_to(root).parts)}


def test_init_makes_a_repository_with_defaults_and_git(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "assembly"
    result = run(tmp_path, "init", str(target), "--committee", 'pcc="Police and Crime Committee"')
    assert result.exit_code == 0, result.output
    config = (target / "tracker.yaml").read_text()
    assert 'pcc: "Police and Crime Committee"' in config
    assert "awaiting-response: {label: Awaiting response, category: open}" in config
    assert (target / "records").is_dir() and (target / ".git").is_dir()
    assert (target / "schema" / "action.schema.json").is_file()
    assert ".tracker-cache/" in (target / ".gitignore").read_text()
    assert run(target, "validate").exit_code == 0


def test_init_adds_a_committee_keeping_the_clerks_comments(tmp_path: Path, run: Run) -> None:
    target = tmp_path / "assembly"
    run(tmp_path, "init", str(target), "--committee", "pcc=Police and Crime Committee")
    before = (target / "tracker.yaml").read_text()
    result = run(tmp_path, "init", str(target), "--committee", "budget=Budget and Performance Committee")
    assert result.exit_code == 0, result.output
    after = (target / "tracker.yaml").read_text()
    assert "budget: Budget and Performance Committee" in after
    assert after.replace("  budget: Budget and Performance Committee\n", "") == before


def test_init_rejects_a_malformed_committee(tmp_path: Path, run: Run) -> None:
    result = run(tmp_path, "init", str(tmp_path / "x"), "--committee", "Police and Crime")
    assert result.exit_code == 2
    assert 'SLUG="Full name"' in result.stderr


def test_new_records_of_every_kind(empty_repo: Path, run: Run) -> None:
    def new(*args: str) -> str:
        result = run(empty_repo, "new", *args)
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]

    assert new("meeting", "--committee", "pcc", "--date", "2023-03-22") == "pcc-2023-03-22"
    first = new("action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "6", "--item-title", "Review",
                "--responsible", "Baroness Casey", "--text", "To provide the survey.", "--by", "A Clerk")
    second = new("action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "6", "--item-title", "Review",
                 "--responsible", "Senior Policy Adviser", "--text", "Delegated authority.")
    assert (first, second) == ("pcc-2023-03-22-6a", "pcc-2023-03-22-6b")
    assert new("meeting", "--committee", "pcc", "--date", "2023-03-08") == "pcc-2023-03-08"
    assert new("action", "--committee", "pcc", "--meeting", "2023-03-08", "--item", "9a", "--item-title", "AOB",
               "--responsible", "Senior Committee Officer", "--text", "Respond.") == "pcc-2023-03-08-9a-a"
    assert new("action", "--committee", "pcc", "--standing", "--title", "Transparency Procedure",
               "--responsible", "Executive Director", "--text", "Members disclose contact.",
               "--date", "2022-09-29") == "pcc-standing-transparency-procedure"
    report = new("report", "--committee", "pcc", "--title", "Missing children in London", "--published", "2023-04-25")
    assert report == "pcc-missing-children-in-london"
    assert new("recommendation", "--report", "missing-children-in-london", "--number", "2", "--to", "MOPAC",
               "--due", "2023-12", "--text", "MOPAC should conduct research.") == "pcc-missing-children-in-london-r2"
    assert new("recommendation", "--report", report, "--to", "MOPAC", "--text", "Next one.") == "pcc-missing-children-in-london-r3"
    assert new("response", "--report", report, "--from", "MOPAC", "--date", "2023-06-20", "--recommendations", "2,3",
               "--text", "MOPAC will do the research.") == "pcc-missing-children-in-london-2023-06-20-mopac"

    action = (empty_repo / "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml").read_text()
    assert action.startswith("# yaml-language-server: $schema=../../../../schema/action.schema.json\n")
    assert "  - date: 2023-03-22\n    event: created\n    by: A Clerk\n" in action
    recommendation = (empty_repo / "records/pcc/reports/missing-children-in-london/recommendations/"
                      "pcc-missing-children-in-london-r2.yaml").read_text()
    assert "due: 2023-12\n" in recommendation and "status: awaiting-response\n" in recommendation
    result = run(empty_repo, "validate")
    assert result.exit_code == 0, result.output


def test_new_refuses_an_invalid_record_and_writes_nothing(empty_repo: Path, run: Run) -> None:
    before = _tree(empty_repo)
    result = run(empty_repo, "new", "action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "6",
                 "--item-title", "Review", "--responsible", "MPS", "--text", "Do it.", "--status", "finished")
    assert result.exit_code == 1
    assert "'finished' is not one of the action statuses (ongoing, completed, closed)" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(empty_repo) == before


def test_new_refuses_an_existing_record(empty_repo: Path, run: Run) -> None:
    run(empty_repo, "new", "meeting", "--committee", "pcc", "--date", "2023-03-22")
    result = run(empty_repo, "new", "meeting", "--committee", "pcc", "--date", "2023-03-22")
    assert result.exit_code == 1
    assert "pcc-2023-03-22 already exists" in result.stderr


def test_new_prompts_at_a_terminal(empty_repo: Path, run: Run, monkeypatch) -> None:
    monkeypatch.setattr("tracker.cli.app.interactive", lambda: True)
    result = run(empty_repo, "new", "meeting", "--committee", "pcc", input="2023-05-24\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "pcc-2023-05-24"


def test_the_author_defaults_to_git_user_name(empty_repo: Path, run: Run) -> None:
    git(empty_repo, "init", "-q")
    git(empty_repo, "config", "user.name", "Lauren Harvey")
    run(empty_repo, "new", "report", "--committee", "pcc", "--title", "Probation Services in London", "--published", "2023-01-20")
    result = run(empty_repo, "new", "recommendation", "--report", "probation-services-in-london", "--to", "MOPAC",
                 "--text", "MOPAC should meet the London Probation Service.")
    assert result.exit_code == 0, result.output
    text = next((empty_repo / "records").rglob("*-r1.yaml")).read_text()
    assert "by: Lauren Harvey" in text
