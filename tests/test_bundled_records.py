"""The bundled records: they validate, independently too, and their counts match the source documents."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Run

KINDS = ("meeting", "action", "report", "recommendation", "response")


def _listing(run: Run, root: Path, *args: str) -> list[dict]:
    result = run(root, "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_bundled_records_validate(bundled: Path, run: Run) -> None:
    result = run(bundled, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "93 records checked, 0 problems" in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_an_independent_validator_accepts_every_file_of_each_kind(kind: str) -> None:
    files = [p for p in (PROJECT / "records").rglob("*.yaml") if f"\nkind: {kind}\n" in p.read_text(encoding="utf-8")]
    assert files
    check = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    done = subprocess.run(
        [check, "--schemafile", str(PROJECT / "schema" / f"{kind}.schema.json"), *map(str, files)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_counts_by_kind_match_the_documents(bundled: Path, run: Run) -> None:
    counts = Counter(item["kind"] for item in _listing(run, bundled, "--as-of", "2023-05-24"))
    # Nine meetings in the Summary List plus the 24 May 2023 meeting; 19 rows and 2 standing items;
    # 12 + 17 + 13 recommendations of the Assembly and Lewisham's 12 referrals; 3 + 1 responses.
    assert counts == {"meeting": 10, "action": 21, "report": 4, "recommendation": 54, "response": 4}


@pytest.mark.parametrize(
    ("report", "count"),
    [("counter-terrorism-and-radicalisation", 12), ("missing-children-in-london", 17),
     ("probation-services-in-london", 13), ("stop-and-search-and-prevent", 12)],
)
def test_each_report_has_its_numbered_recommendations(bundled: Path, run: Run, report: str, count: int) -> None:
    items = _listing(run, bundled, "--kind", "recommendation", "--report", report)
    assert [item["id"].rsplit("-r", 1)[1] for item in items] == [str(n) for n in range(1, count + 1)]


def test_actions_per_meeting_match_the_summary_list(bundled: Path, run: Run) -> None:
    actions = _listing(run, bundled, "--kind", "action", "--committee", "pcc", "--as-of", "2023-05-24")
    per_meeting = Counter(item["id"][4:14] for item in actions if "-standing-" not in item["id"])
    assert per_meeting == {
        "2023-03-22": 2, "2023-03-08": 3, "2023-02-22": 4, "2023-01-25": 2, "2023-01-11": 1,
        "2022-12-13": 3, "2022-11-30": 2, "2022-11-16": 1, "2022-09-29": 1,
    }


def test_statuses_as_published_on_24_may_2023(bundled: Path, run: Run) -> None:
    actions = _listing(run, bundled, "--kind", "action", "--committee", "pcc", "--as-of", "2023-05-24")
    assert Counter(item["status"] for item in actions) == {"ongoing": 8, "completed": 11, "closed": 2}


def test_the_probation_responses_cite_the_recommendations_they_answer(bundled: Path, run: Run) -> None:
    result = run(bundled, "show", "pcc-probation-services-in-london-2023-03-17-hmpps", "--format", "json")
    data = json.loads(result.stdout)
    assert sorted(answer["number"] for answer in data["recommendations"]) == list(range(1, 14))
    assert data["date"] == "2023-03-17" and data["from"] == "HM Prison & Probation Service"
    for response_id in ("pcc-probation-services-in-london-2023-04-13-magistrates-association",
                        "pcc-probation-services-in-london-2023-04-24-hmcts"):
        data = json.loads(run(bundled, "show", response_id, "--format", "json").stdout)
        assert [answer["number"] for answer in data["recommendations"]] == [3]
