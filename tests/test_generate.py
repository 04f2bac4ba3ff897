"""benchmarks/generate.py: realistic, valid and the same for the same seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from tests.conftest import PROJECT, Run
from tracker.model import ids
from tracker.model.records import Action, Recommendation, Report, Response
from tracker.storage.config import load_config
from tracker.storage.store import load_records


def tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen") / "assembly"
    generate(root, 250, 7)
    return root


def test_the_command_line_contract(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, str(PROJECT / "benchmarks/generate.py"), "--records", "60", "--seed", "3", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "(60 actions and recommendations)" in done.stderr
    assert (out / "tracker.yaml").is_file()
    again = subprocess.run([sys.executable, str(PROJECT / "benchmarks/generate.py"), "--records", "60", str(out)],
                           capture_output=True, text=True, check=False)
    assert again.returncode == 2
    assert "already exists" in again.stderr


def test_the_same_seed_gives_the_same_repository(repo: Path, tmp_path: Path) -> None:
    generate(tmp_path / "again", 250, 7)
    assert tree(tmp_path / "again") == tree(repo)
    generate(tmp_path / "other", 250, 8)
    assert tree(tmp_path / "other") != tree(repo)


@pytest.mark.parametrize("records,seed", [(1, 1), (37, 2), (250, 7)])
def test_every_generated_repository_validates(tmp_path: Path, run: Run, records: int, seed: int) -> None:
    root = tmp_path / "repo"
    generate(root, records, seed)
    result = run(root, "validate")
    assert result.exit_code == 0, result.stdout
    assert ", 0 problems" in result.stderr


def test_n_counts_actions_and_recommendations(repo: Path) -> None:
    records = load_records(load_config(repo), use_cache=False)
    assert len(records.of(Action)) + len(records.of(Recommendation)) == 250
    assert len({record.committee for record in records.of(Action)}) == 12


def test_files_are_laid_out_as_the_record_format_says(repo: Path) -> None:
    records = load_records(load_config(repo), use_cache=False)
    reports = {report.id: report for report in records.of(Report)}
    for record in records:
        if isinstance(record, (Recommendation, Response)):
            report = reports[record.report]
            folder = ids.record_folder(record.kind, report.committee, report_slug=report.slug)
        elif isinstance(record, Report):
            folder = ids.record_folder("report", record.committee, report_slug=record.slug)
        elif isinstance(record, Action):
            year = record.meeting.year if record.meeting else None
            folder = ids.record_folder("action", record.committee, year=year, standing=record.standing)
        else:
            folder = ids.record_folder(record.kind, record.committee)  # type: ignore[attr-defined]
        assert record.path == f"{folder}/{record.id}.yaml"
        assert ids.expected_id(record) in (None, record.id)


def test_the_records_are_realistic(repo: Path) -> None:
    records = load_records(load_config(repo), use_cache=False)
    items = records.of(Action) + records.of(Recommendation)
    events = {event.event for item in items for event in item.history}
    assert events >= {"status", "note", "follow-up", "reschedule", "response"}
    dues = [str(item.due) for item in items if item.due]
    assert {len(due) for due in dues} == {4, 7, 10}  # YYYY, YYYY-MM and full dates
    assert any("\n" in item.text for item in items)
    assert any(item.text.count("\n- ") >= 2 for item in records.of(Action))
    assert records.of(Response)
    texts = [path.read_text(encoding="utf-8") for path in (repo / "records").rglob("*.yaml")]
    assert any("due: \"20" in text for text in texts)  # partial dates quoted, as the format asks
    assert all(text.startswith("# yaml-language-server: $schema=") for text in texts)
