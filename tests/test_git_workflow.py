"""The workflow on real git repositories: commits, branches, merges, pull-request reviews and old revisions."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import Run, git, ok

ACTION_A = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
ACTION_B = "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml"


def test_commit_includes_a_new_response_file(git_repo: Path, run: Run) -> None:
    result = run(git_repo, "respond", "--report", "counter-terrorism-and-radicalisation", "--recommendations", "1,2",
                 "--from", "MOPAC", "--date", "2023-07-01", "--text", "MOPAC replied.", "--commit")
    ok(result)
    committed = git(git_repo, "show", "--name-status", "--format=", "HEAD").splitlines()
    assert committed == [
        "M\trecords/pcc/reports/counter-terrorism-and-radicalisation/recommendations/"
        "pcc-counter-terrorism-and-radicalisation-r1.yaml",
        "M\trecords/pcc/reports/counter-terrorism-and-radicalisation/recommendations/"
        "pcc-counter-terrorism-and-radicalisation-r2.yaml",
        "A\trecords/pcc/reports/counter-terrorism-and-radicalisation/responses/"
        "pcc-counter-terrorism-and-radicalisation-2023-07-01-mopac.yaml",
    ]
    assert git(git_repo, "status", "--porcelain") == ""


def test_commit_default_comes_from_tracker_yaml(git_repo: Path, run: Run) -> None:
    with (git_repo / "tracker.yaml").open("a", encoding="utf-8") as handle:
        handle.write("commit: true\n")
    git(git_repo, "commit", "-qam", "Commit every change")
    ok(run(git_repo, "followup", "pcc-2023-03-22-6a", "--date", "2023-06-01"))
    assert git(git_repo, "log", "-1", "--format=%s").strip() == "pcc-2023-03-22-6a: followed up on 1 June 2023"
    ok(run(git_repo, "followup", "pcc-2023-03-22-6b", "--date", "2023-06-01", "--no-commit"))
    assert git(git_repo, "status", "--porcelain").split() == ["M", ACTION_B]


def test_commit_outside_git_is_refused_before_anything_is_written(bundled: Path, run: Run) -> None:
    before = (bundled / ACTION_A).read_bytes()
    result = run(bundled, "followup", "pcc-2023-03-22-6a", "--date", "2023-06-01", "--commit")
    assert result.exit_code == 1
    assert "is not in a git repository" in result.stderr
    assert (bundled / ACTION_A).read_bytes() == before


def _branch_with_changes(repo: Path, run: Run) -> None:
    """main gains one change after feature leaves it; feature closes one action, chases another, reschedules."""
    git(repo, "checkout", "-q", "-b", "feature")
    ok(run(repo, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02", "--commit"))
    ok(run(repo, "followup", "pcc-2023-03-22-6b", "--date", "2023-06-03", "--commit"))
    ok(run(repo, "reschedule", "pcc-missing-children-in-london-r2", "--due", "2024-03", "--date", "2023-11-20",
            "--reason", "More time for the research.", "--commit"))
    git(repo, "checkout", "-q", "main")
    ok(run(repo, "update", "pcc-2023-03-08-6a", "--status", "closed", "--date", "2023-06-05", "--commit",
            "--note", "Closed at the June meeting."))


def test_two_branches_updating_different_records_merge_cleanly(git_repo: Path, run: Run) -> None:
    _branch_with_changes(git_repo, run)
    git(git_repo, "merge", "-q", "--no-edit", "feature")
    ok(run(git_repo, "validate"))
    listed = json.loads(run(git_repo, "list", "--kind", "action", "--format", "json").stdout)
    status = {row["id"]: row["status"] for row in listed}
    assert status["pcc-2023-03-22-6a"] == "completed"
    assert status["pcc-2023-03-08-6a"] == "closed"


def test_changes_of_a_pull_request_report_exactly_its_transitions(git_repo: Path, run: Run) -> None:
    _branch_with_changes(git_repo, run)
    git(git_repo, "checkout", "-q", "feature")
    result = run(git_repo, "changes", "main...feature", "--format", "json")
    ok(result)
    data = json.loads(result.stdout)
    assert data["head"] == "feature" and data["base"].startswith("main (merge base ")
    summary = {r["id"]: (r["change"], r["status"], [e["event"] for e in r["new_events"]], r["fields"])
               for r in data["records"]}
    assert summary == {
        "pcc-2023-03-22-6a": ("modified", {"from": "ongoing", "to": "completed"}, ["status"], []),
        "pcc-2023-03-22-6b": ("modified", None, ["follow-up"], []),
        "pcc-missing-children-in-london-r2": ("modified", None, ["reschedule"], ["due: 2023-12 → 2024-03"]),
    }
    head = run(git_repo, "changes", "main...HEAD").stdout
    assert head.splitlines()[0].endswith("to HEAD: 3 modified, 1 status change")


def test_changes_markdown_is_a_table_for_the_pull_request(git_repo: Path, run: Run) -> None:
    _branch_with_changes(git_repo, run)
    result = run(git_repo, "changes", "main...feature", "--format", "markdown")
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("**3 records changed from main (merge base ")
    assert lines[2:4] == ["| Record | Change | Status | Details |", "| --- | --- | --- | --- |"]
    assert "| pcc-2023-03-22-6a | modified | ongoing → completed | new event: 2 June 2023: Ongoing → Completed" \
           " (by Test Clerk) |" in lines


def test_changes_in_the_working_tree_with_added_renamed_and_malformed_files(git_repo: Path, run: Run) -> None:
    ok(run(git_repo, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02"))
    (git_repo / ACTION_B).write_text("id: [unclosed\n", encoding="utf-8")
    old = git_repo / "records/pcc/actions/2023/pcc-2023-03-08-9a.yaml"
    new_id = "pcc-2023-03-08-9a-a"
    text = old.read_text(encoding="utf-8").replace("id: pcc-2023-03-08-9a\n", f"id: {new_id}\n")
    (old.parent / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    old.unlink()
    result = run(git_repo, "changes", "--format", "json")
    ok(result)
    by_id = {r["id"]: r for r in json.loads(result.stdout)["records"]}
    assert set(by_id) == {"pcc-2023-03-22-6a", "pcc-2023-03-22-6b", new_id}
    assert by_id["pcc-2023-03-22-6a"]["status"] == {"from": "ongoing", "to": "completed"}
    assert by_id["pcc-2023-03-22-6b"]["change"] == "malformed"
    assert by_id["pcc-2023-03-22-6b"]["problems"][0].startswith("line 2: YAML syntax error")
    assert (by_id[new_id]["change"], by_id[new_id]["old_id"]) == ("renamed", "pcc-2023-03-08-9a")
    table = run(git_repo, "changes").stdout
    assert table.splitlines()[0] == "3 records changed from HEAD to working tree: 1 renamed, 1 modified, 1 malformed, " \
                                    "1 status change"


def test_changes_with_nothing_changed(git_repo: Path, run: Run) -> None:
    result = run(git_repo, "changes")
    ok(result)
    assert result.stdout == "0 records changed from HEAD to working tree\n"


def test_changes_with_a_bad_range_is_a_clear_error(git_repo: Path, run: Run) -> None:
    result = run(git_repo, "changes", "nosuch...HEAD")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: nosuch...HEAD: no such revisions")


def test_ref_reproduces_the_old_state_without_a_checkout(git_repo: Path, run: Run) -> None:
    old = git(git_repo, "rev-parse", "HEAD").strip()
    ok(run(git_repo, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02", "--commit"))
    ok(run(git_repo, "reschedule", "pcc-missing-children-in-london-r2", "--due", "2024-06", "--date", "2023-11-20",
            "--reason", "More time.", "--commit"))
    then = json.loads(run(git_repo, "list", "--ref", old, "--kind", "action", "--format", "json").stdout)
    now = json.loads(run(git_repo, "list", "--kind", "action", "--format", "json").stdout)
    assert {r["id"]: r["status"] for r in then}["pcc-2023-03-22-6a"] == "ongoing"
    assert {r["id"]: r["status"] for r in now}["pcc-2023-03-22-6a"] == "completed"
    shown = run(git_repo, "show", "pcc-missing-children-in-london-r2", "--ref", old, "--as-of", "2024-01-15").stdout
    assert "deadline:     By December 2023" in shown and "slippage" not in shown
    overdue_then = run(git_repo, "overdue", "--ref", old, "--as-of", "2024-01-15", "--format", "json").stdout
    overdue_now = run(git_repo, "overdue", "--as-of", "2024-01-15", "--format", "json").stdout

    def reasons(listing: str) -> list[str]:
        item = next(i for i in json.loads(listing) if i["id"] == "pcc-missing-children-in-london-r2")
        return sorted(reason["reason"] for reason in item["reasons"])

    assert "overdue" in reasons(overdue_then)
    assert "overdue" not in reasons(overdue_now)
    assert git(git_repo, "rev-parse", "HEAD").strip() != old  # nothing was checked out
    bad = run(git_repo, "list", "--ref", "no-such-branch")
    assert bad.exit_code == 1 and "--ref no-such-branch: no such revision" in bad.stderr


def test_history_merges_events_and_commits_oldest_first(git_repo: Path, run: Run) -> None:
    ok(run(git_repo, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-02", "--commit",
            "--note", "Survey received."))
    result = run(git_repo, "history", "pcc-2023-03-22-6a", "--format", "json")
    ok(result)
    entries = json.loads(result.stdout)
    assert [(e["source"], e.get("event") or e["subject"]) for e in entries] == [
        ("history", "follow-up"),
        ("history", "status"),
        ("git", "Bundled records"),
        ("git", "pcc-2023-03-22-6a: ongoing → completed"),
    ]
    assert entries[-1]["author"] == "Test Clerk"
    text = run(git_repo, "history", "pcc-2023-03-22-6a").stdout.splitlines()
    assert text[0] == f"pcc-2023-03-22-6a  ({ACTION_A})"
    assert text[1:3] == ["  4 May 2023: followed up",
                         "  2 June 2023: Ongoing → Completed — Survey received. (by Test Clerk)"]
    assert text[-1].endswith(": pcc-2023-03-22-6a: ongoing → completed") and " commit " in text[-1]


def test_validate_reports_a_merge_conflict_with_path_line_and_hint(git_repo: Path, run: Run) -> None:
    git(git_repo, "checkout", "-q", "-b", "other")
    ok(run(git_repo, "update", "pcc-2023-03-22-6a", "--status", "closed", "--date", "2023-06-02", "--commit"))
    git(git_repo, "checkout", "-q", "main")
    ok(run(git_repo, "update", "pcc-2023-03-22-6a", "--status", "completed", "--date", "2023-06-03", "--commit"))
    merge = subprocess.run(["git", "merge", "other"], cwd=git_repo, capture_output=True, text=True)
    assert merge.returncode != 0
    result = run(git_repo, "validate")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{ACTION_A}:14:1: merge conflict: git left its conflict markers (<<<<<<<, =======, >>>>>>>)")
    assert "then `git add` the file" in result.stdout and len(result.stdout.splitlines()) == 1
    changes = run(git_repo, "changes")
    ok(changes)
    assert "malformed" in changes.stdout and "merge conflict" in changes.stdout
    refused = run(git_repo, "followup", "pcc-2023-03-22-6b", "--date", "2023-06-04", "--commit")
    assert refused.exit_code == 1 and "fix them first" in refused.stderr
