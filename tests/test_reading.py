"""Reading commands: list, show and overdue, their filters and formats, and answering as of a past date."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from tests.conftest import Run


def _ids(run: Run, root: Path, *args: str) -> list[str]:
    result = run(root, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return [item["id"] for item in json.loads(result.stdout)]


def test_list_filters(bundled: Path, run: Run) -> None:
    as_of = ("--as-of", "2023-05-24")
    assert _ids(run, bundled, "--kind", "action", "--status", "closed", *as_of) == ["pcc-2023-02-22-7b", "pcc-2023-03-22-6b"]
    assert _ids(run, bundled, "--responsible", "Baroness Casey", *as_of) == ["pcc-2023-03-22-6a"]
    lewisham_open = _ids(run, bundled, "--committee", "lewisham-ssc", "--open", *as_of)
    assert lewisham_open == [f"lewisham-ssc-stop-and-search-and-prevent-r{n}" for n in range(1, 13)]
    assert len(_ids(run, bundled, "--committee", "pcc", "--kind", "action", "--done", *as_of)) == 13
    to_magistrates = _ids(run, bundled, "--responsible", "magistrates association", *as_of)
    assert to_magistrates == ["pcc-probation-services-in-london-r3", "pcc-probation-services-in-london-2023-04-13-magistrates-association"]


def test_responsible_matches_a_bodys_other_names(bundled: Path, run: Run) -> None:
    # tracker.yaml lists HMPPS as another name of HM Prison & Probation Service, which answers for the London Probation Service.
    owed = _ids(run, bundled, "--responsible", "HMPPS", "--kind", "recommendation", "--as-of", "2023-05-24")
    assert "pcc-probation-services-in-london-r6" in owed


def test_list_overdue_uses_the_last_day_of_a_partial_due_date(bundled: Path, run: Run) -> None:
    dec_2023 = [f"pcc-missing-children-in-london-r{n}" for n in (2, 6, 8, 9, 11, 14, 15)]
    assert not set(dec_2023) & set(_ids(run, bundled, "--overdue", "--as-of", "2023-12-31"))
    assert set(dec_2023) <= set(_ids(run, bundled, "--overdue", "--as-of", "2024-01-01"))


def test_list_formats(bundled: Path, run: Run) -> None:
    args = ("list", "--kind", "action", "--committee", "pcc", "--as-of", "2023-05-24")
    rows = list(csv.DictReader(io.StringIO(run(bundled, *args, "--format", "csv").stdout)))
    assert len(rows) == 21 and rows[0]["id"] == "pcc-2022-09-29-6a" and rows[0]["status"] == "completed"
    markdown = run(bundled, *args, "--format", "markdown").stdout.splitlines()
    assert markdown[0].startswith("| ID | Status |") and len(markdown) == 23
    data = json.loads(run(bundled, *args, "--format", "json").stdout)
    assert set(data[0]) >= {"id", "kind", "committee", "status", "category", "due", "responsible", "title", "text", "days_overdue"}
    plain = run(bundled, *args).stdout
    assert "pcc-2023-03-22-6a" in plain and "\x1b[" not in plain


def test_as_of_ignores_later_history(bundled: Path, run: Run) -> None:
    earlier = json.loads(run(bundled, "show", "pcc-2023-03-08-6a", "--format", "json", "--as-of", "2023-04-01").stdout)
    later = json.loads(run(bundled, "show", "pcc-2023-03-08-6a", "--format", "json", "--as-of", "2023-04-06").stdout)
    assert (earlier["category"], later["category"]) == ("open", "done")
    before_new_year = _ids(run, bundled, "--kind", "action", "--as-of", "2023-01-01")
    assert "pcc-2022-12-13-5c" in before_new_year and "pcc-2023-01-11-6a" not in before_new_year


def test_show_reads_like_a_record(bundled: Path, run: Run) -> None:
    result = run(bundled, "show", "pcc-2023-01-25-7a", "--as-of", "2023-05-24")
    assert result.exit_code == 0
    assert "pcc-2023-01-25-7a  (action, records/pcc/actions/2023/pcc-2023-01-25-7a.yaml)" in result.stdout
    assert "responsible:  Commissioner, MPS" in result.stdout
    assert "12 April 2023: followed up" in result.stdout


def test_show_an_unknown_id_suggests_the_closest(bundled: Path, run: Run) -> None:
    result = run(bundled, "show", "pcc-2023-03-22-6")
    assert result.exit_code == 1
    assert "no record with ID 'pcc-2023-03-22-6'" in result.stderr
    assert "did you mean" in result.stderr and "pcc-2023-03-22-6a" in result.stderr and "pcc-2023-03-22-6b" in result.stderr


def test_the_root_is_found_from_flag_environment_or_parents(bundled: Path, run: Run, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tracker.cli import main

    runner = CliRunner()
    nested = bundled / "records" / "pcc"
    old = os.getcwd()
    try:
        os.chdir(nested)
        assert runner.invoke(main, ["validate"]).exit_code == 0
        os.chdir(tmp_path)
        assert runner.invoke(main, ["validate"], env={"TRACKER_ROOT": str(bundled)}).exit_code == 0
        missing = runner.invoke(main, ["validate"], env={"TRACKER_ROOT": ""})
        assert missing.exit_code == 1 and "no records repository here" in missing.stderr
        wrong = runner.invoke(main, ["--root", str(tmp_path), "validate"])
        assert wrong.exit_code == 1 and "no tracker.yaml there" in wrong.stderr
    finally:
        os.chdir(old)
