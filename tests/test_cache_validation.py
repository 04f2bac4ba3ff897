"""Validation is remembered per state of the whole repository, and any change brings it back at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import CallSpy, Run, git
from tests.test_cache import rewrite
from tracker.storage import validate as validate_module
from tracker.storage.config import load_config
from tracker.storage.store import Snapshot, load_records

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
OVERDUE = ("overdue", "--as-of", "2024-01-15", "--format", "json")


def validations(monkeypatch: pytest.MonkeyPatch) -> CallSpy:
    """Counts the whole-repository validations actually run (rather than remembered)."""
    return CallSpy(monkeypatch, validate_module, "combine")


def test_an_unchanged_state_is_not_validated_again(bundled: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = validations(monkeypatch)
    first = run(bundled, *OVERDUE)
    assert first.exit_code == 0, first.output
    assert counter.calls == 1
    second = run(bundled, *OVERDUE)
    assert second.stdout == first.stdout
    assert counter.calls == 1
    assert run(bundled, "validate").exit_code == 0
    assert counter.calls == 1


def test_a_same_size_edit_within_a_second_is_validated_at_once(bundled: Path, run: Run) -> None:
    assert run(bundled, *OVERDUE).exit_code == 0
    # Same length, same second, old mtime put back: the status becomes one the vocabulary does not know.
    rewrite(bundled / ACTION, "status: ongoing", "status: ongoinx", keep_mtime=True)
    refused = run(bundled, *OVERDUE)
    assert refused.exit_code == 1
    assert "unknown action status 'ongoinx'" in refused.stderr
    rewrite(bundled / ACTION, "status: ongoinx", "status: ongoing", keep_mtime=True)
    assert run(bundled, *OVERDUE).exit_code == 0


def test_a_cross_record_problem_made_by_deleting_a_file_shows_up(bundled: Path, run: Run) -> None:
    assert run(bundled, *OVERDUE).exit_code == 0
    reports = sorted((bundled / "records").glob("*/reports/*/*.yaml"))
    report = next(path for path in reports if any((path.parent / "recommendations").glob("*.yaml")))
    report.unlink()
    refused = run(bundled, *OVERDUE)
    assert refused.exit_code == 1
    assert "no report with ID" in refused.stderr


def test_a_change_to_tracker_yaml_is_validated_at_once(bundled: Path, run: Run) -> None:
    assert run(bundled, *OVERDUE).exit_code == 0
    config = bundled / "tracker.yaml"
    text = config.read_text(encoding="utf-8")
    assert "  lewisham-ssc:" in text
    config.write_text(text.replace("  lewisham-ssc:", "  lewisham-ssx:", 1), encoding="utf-8")
    refused = run(bundled, *OVERDUE)
    assert refused.exit_code == 1
    assert "unknown committee 'lewisham-ssc'" in refused.stderr


def test_checkout_of_an_inconsistent_commit_is_validated(git_repo: Path, run: Run) -> None:
    assert run(git_repo, *OVERDUE).exit_code == 0
    git(git_repo, "checkout", "-q", "-b", "broken")
    rewrite(git_repo / ACTION, "status: ongoing", "status: ongoinx")
    git(git_repo, "commit", "-qam", "Break a status")
    assert run(git_repo, *OVERDUE).exit_code == 1
    git(git_repo, "checkout", "-q", "-")
    good = run(git_repo, *OVERDUE)
    assert good.exit_code == 0, good.output
    git(git_repo, "checkout", "-q", "broken")
    assert run(git_repo, *OVERDUE).exit_code == 1


def test_the_remembered_problems_are_the_ones_validation_finds(bundled: Path) -> None:
    rewrite(bundled / ACTION, "status: ongoing", "status: ongoinx")
    config = load_config(bundled)
    found = validate_module.validate(config, load_records(config, use_cache=False))
    assert found
    for _ in range(2):  # worked out and kept, then as kept
        snapshot = Snapshot(config)
        assert snapshot.problems() == found
        snapshot.close()


def test_a_deleted_cache_only_means_validating_again(bundled: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = validations(monkeypatch)
    first = run(bundled, *OVERDUE)
    shutil.rmtree(bundled / ".tracker-cache")
    assert run(bundled, *OVERDUE).stdout == first.stdout
    assert counter.calls == 2
    assert (bundled / ".tracker-cache" / "records.sqlite3").is_file()  # and the cache is made again
