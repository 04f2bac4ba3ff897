"""Every command that writes CSV writes it one way: formula-looking text guarded, numbers kept, --bom everywhere."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import list_bodies
from tracker.text.csvtext import FORMULA_START, cell_text, unguard

RECORD = Path("records/pcc/actions/2023/pcc-2023-03-22-6a.yaml")


def _hostile(root: Path) -> None:
    list_bodies(root, "'@SUM(1+1)'")
    path = root / RECORD
    text = path.read_text(encoding="utf-8")
    text = text.replace("responsible: Baroness Casey of Blackstock DBE CB", "responsible: '@SUM(1+1)'")
    start = text.index("text: >-")
    end = text.index("status: ongoing")
    path.write_text(text[:start] + "text: '=HYPERLINK(\"http://example.org\")'\n" + text[end:], encoding="utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_list_guards_a_cell_starting_with_a_formula_character(bundled, run):
    _hostile(bundled)
    out = run(bundled, "list", "--kind", "action", "--format", "csv")
    assert out.exit_code == 0, out.stderr
    row = next(r for r in _rows(out.stdout) if r["id"] == "pcc-2023-03-22-6a")
    assert row["text"] == "'=HYPERLINK(\"http://example.org\")"
    assert row["responsible"] == "'@SUM(1+1)"


def test_overdue_guards_too(bundled, run):
    _hostile(bundled)
    out = run(bundled, "overdue", "--as-of", "2023-09-01", "--format", "csv")
    assert out.exit_code == 0, out.stderr
    row = next(r for r in _rows(out.stdout) if r["id"] == "pcc-2023-03-22-6a")
    assert row["responsible"] == "'@SUM(1+1)"


@pytest.mark.parametrize("args", [
    ("list", "--format", "csv"),
    ("overdue", "--as-of", "2023-09-01", "--format", "csv"),
    ("slippage", "--as-of", "2023-12-01", "--format", "csv"),
    ("stats", "--as-of", "2023-05-24", "--format", "csv"),
    ("export", "--kind", "action", "--format", "csv"),
])
def test_every_csv_command_takes_bom(bundled, run, args):
    out_file = bundled / "out.csv"
    done = run(bundled, *args, "--bom", "-o", str(out_file))
    assert done.exit_code == 0, done.stderr
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert b"\r\n" in raw
    plain = run(bundled, *args, "-o", str(out_file))
    assert plain.exit_code == 0 and not out_file.read_bytes().startswith(b"\xef\xbb\xbf")


def test_bom_leaves_other_formats_alone(bundled, run):
    assert run(bundled, "list", "--format", "json", "--bom").stdout.startswith("[")


@pytest.mark.parametrize(("value", "expected"), [
    ("-2+3", "'-2+3"), ("+1", "'+1"), ("@SUM(1+1)", "'@SUM(1+1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("=1", "'=1"), ("plain", "plain"), (-3, "-3"), (2.5, "2.5"), (None, ""), (True, "true"),
    (["=a", "b"], "'=a; b"), (["a", "-b"], "a; -b"), ("'=1", "''=1"), ("'quoted'", "'quoted'"),
])
def test_the_guard(value, expected):
    assert cell_text(value) == expected


def test_every_command_that_can_write_csv_takes_bom():
    import click

    from tracker.cli import main

    def commands(group: click.Group) -> list[click.Command]:
        found: list[click.Command] = []
        for command in group.commands.values():
            found.extend(commands(command) if isinstance(command, click.Group) else [command])
        return found

    writing_csv = [c for c in commands(main) if any(
        "--format" in p.opts and isinstance(p.type, click.Choice) and "csv" in p.type.choices for p in c.params)]
    assert {c.name for c in writing_csv} >= {"list", "overdue", "slippage", "stats", "export", "remind"}
    assert [c.name for c in writing_csv if not any("--bom" in p.opts for p in c.params)] == []


@given(st.text())
def test_nothing_comes_out_as_a_formula_and_import_reads_back_what_was_written(text):
    written = cell_text(text)
    assert not written.startswith(FORMULA_START)
    assert unguard(written) == text
