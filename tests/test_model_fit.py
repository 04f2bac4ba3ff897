"""A committee's papers the bundled records were not shaped on: the model, the checks and the writes a clerk needs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, git


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
