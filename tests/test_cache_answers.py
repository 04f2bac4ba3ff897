"""A command's answer kept for an unchanged repository: given again only while nothing it depends on changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CallSpy, Run, git, list_bodies
from tests.test_cache import rewrite
from tracker.publish import render
from tracker.questions import query
from tracker.storage.resources import data_dir

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
OVERDUE = ("overdue", "--as-of", "2024-01-15", "--format", "json")
RENDER = ("render", "actions", "--committee", "pcc", "--as-of", "2023-05-24", "--since", "2023-03-22")


def test_an_unchanged_repository_is_answered_from_the_cache(bundled: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = CallSpy(monkeypatch, query, "needs_attention")  # overdue's question worked out, not answered from the cache
    first = run(bundled, *OVERDUE)
    assert first.exit_code == 0 and json.loads(first.stdout)
    assert asked.calls == 1
    assert run(bundled, *OVERDUE).stdout == first.stdout
    assert asked.calls == 1
    assert run(bundled, "--no-cache", *OVERDUE).stdout == first.stdout
    assert asked.calls == 2


def test_each_question_has_its_own_answer(bundled: Path, run: Run) -> None:
    plain = {args: run(bundled, "--no-cache", *args).stdout for args in (
        OVERDUE,
        ("overdue", "--as-of", "2023-06-01", "--format", "json"),
        ("overdue", "--as-of", "2024-01-15", "--format", "csv"),
        ("overdue", "--as-of", "2024-01-15", "--format", "json", "--committee", "pcc"),
        ("overdue", "--as-of", "2024-01-15", "--format", "json", "--responsible", "MOPAC"),
    )}
    assert len(set(plain.values())) == len(plain)
    for _ in range(2):
        for args, expected in plain.items():
            assert run(bundled, *args).stdout == expected


def test_an_edit_is_answered_afresh_even_within_the_same_second(bundled: Path, run: Run) -> None:
    list_bodies(bundled, "Baroness Xasey of Blackstock DBE CB")
    before = run(bundled, *OVERDUE).stdout
    assert "Baroness Casey of Blackstock" in before
    rewrite(bundled / ACTION, "Baroness Casey", "Baroness Xasey", keep_mtime=True)  # same size, same mtime
    after = run(bundled, *OVERDUE).stdout
    assert "Baroness Xasey of Blackstock" in after
    assert after == run(bundled, "--no-cache", *OVERDUE).stdout


def test_fail_if_any_keeps_its_exit_status_from_a_kept_answer(bundled: Path, run: Run) -> None:
    for _ in range(2):
        assert run(bundled, *OVERDUE, "--fail-if-any").exit_code == 1
        assert run(bundled, "overdue", "--as-of", "2015-01-01", "--format", "json", "--fail-if-any").exit_code == 0


def test_a_changed_tracker_yaml_is_answered_afresh(bundled: Path, run: Run) -> None:
    before = run(bundled, *OVERDUE)
    config = bundled / "tracker.yaml"
    text = config.read_text(encoding="utf-8")
    assert "followup_days: 28" in text
    config.write_text(text.replace("followup_days: 28", "followup_days: 9999", 1), encoding="utf-8")
    after = run(bundled, *OVERDUE)
    assert after.exit_code == 0, after.output
    assert after.stdout != before.stdout
    assert after.stdout == run(bundled, "--no-cache", *OVERDUE).stdout


def test_a_render_follows_its_templates_and_the_commit_it_names(git_repo: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = CallSpy(monkeypatch, render, "render_actions")
    first = run(git_repo, *RENDER)
    assert first.exit_code == 0, first.output
    assert run(git_repo, *RENDER).stdout == first.stdout
    assert rendered.calls == 1
    # A template of the repository's own takes over at once.
    packaged = data_dir("templates")
    own = git_repo / "templates"
    own.mkdir()
    name = next(path.name for path in packaged.glob("*actions*"))
    (own / name).write_text((packaged / name).read_text(encoding="utf-8") + "\nLocal footer.\n", encoding="utf-8")
    footed = run(git_repo, *RENDER).stdout
    assert "Local footer." in footed
    # A new commit (of anything) is named in the closing line.
    git(git_repo, "add", "templates")
    git(git_repo, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.org", "commit", "-qm", "Our template")
    committed = run(git_repo, *RENDER).stdout
    head = git(git_repo, "rev-parse", "--short=7", "HEAD").strip()
    assert head in committed and head not in footed
    # An uncommitted change outside the records' files still shows in the closing line.
    (git_repo / "records" / "notes.txt").write_text("kept with the records\n", encoding="utf-8")
    git(git_repo, "add", "records/notes.txt")
    assert run(git_repo, *RENDER).stdout == run(git_repo, "--no-cache", *RENDER).stdout


def test_the_answer_is_the_installed_commands_answer(bundled: Path, tmp_path: Path) -> None:
    """Through a real process (as a clerk runs it): the kept answer is byte for byte the worked-out one."""
    command = [sys.executable, "-m", "tracker", "--root", str(bundled), *OVERDUE]
    project = Path(query.__file__).resolve().parents[1]
    outputs = [subprocess.run(command, capture_output=True, cwd=project, check=True).stdout for _ in range(2)]
    assert outputs[0] == outputs[1] and outputs[0].startswith(b"[")


def test_only_the_latest_answers_are_kept(bundled: Path, run: Run) -> None:
    import sqlite3

    from tracker.storage.cache import KEEP_ANSWERS

    for day in range(1, KEEP_ANSWERS + 8):
        assert run(bundled, "overdue", "--as-of", f"2024-02-{day:02d}", "--format", "json").exit_code == 0
    db = sqlite3.connect(bundled / ".tracker-cache" / "records.sqlite3")
    kept = db.execute("SELECT count(*) FROM kept WHERE key LIKE 'answer %'").fetchone()[0]
    db.close()
    assert kept == KEEP_ANSWERS
    # The latest is among them and still answers.
    assert run(bundled, "overdue", "--as-of", f"2024-02-{KEEP_ANSWERS + 7:02d}", "--format", "json").stdout.startswith("[")
