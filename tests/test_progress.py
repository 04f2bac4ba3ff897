"""Progress while reading many record files: reported by the loader, drawn only at a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tracker.cli.progress import Progress
from tracker.storage.config import load_config
from tracker.storage.store import load_records


def test_the_loader_reports_files_parsed_out_of_files_to_parse(bundled: Path) -> None:
    heard: list[tuple[int, int]] = []
    records = load_records(load_config(bundled), use_cache=False, progress=lambda done, total: heard.append((done, total)))
    files = len(list((bundled / "records").rglob("*.yaml")))
    assert len(records) == files
    assert heard and heard[-1] == (files, files)
    assert [done for done, _ in heard] == sorted(done for done, _ in heard)
    # Warm, nothing needs parsing, so nothing is reported.
    load_records(load_config(bundled))
    heard.clear()
    load_records(load_config(bundled), progress=lambda done, total: heard.append((done, total)))
    assert heard == []


def test_no_bar_is_drawn_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())
    bar = Progress("reading records", threshold=10)
    bar(5, 100)
    bar(100, 100)
    bar.close()
    assert bar.bar is None


def test_a_bar_is_drawn_at_a_terminal_only_for_big_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    small = Progress("reading records", threshold=2000)
    small(10, 100)
    assert small.bar is None
    big = Progress("reading records", threshold=2000)
    big(1000, 5000)
    assert big.bar is not None
    big.close()
