"""One failing fixture per validation rule, asserting the exact message and where it points."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

ACTION = "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml"
REC = "records/pcc/reports/missing-children-in-london/recommendations/pcc-missing-children-in-london-r2.yaml"
RESPONSE = "records/pcc/reports/probation-services-in-london/responses/pcc-probation-services-in-london-2023-04-24-hmcts.yaml"
REPORT = "records/pcc/reports/missing-children-in-london/pcc-missing-children-in-london.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, rel: str, fragment: str) -> int:
    for number, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


def _problems(run: Run, root: Path) -> list[str]:
    result = run(root, "validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    # Found from the facts kept in the cache, remembered, and from the records themselves: the same problems.
    assert run(root, "validate").stdout == result.stdout
    assert run(root, "--no-cache", "validate").stdout == result.stdout
    return result.stdout.splitlines()


ACTION_7A = "records/pcc/actions/2023/pcc-2023-01-25-7a.yaml"
DONE_ACTION = "records/pcc/actions/2023/pcc-2023-02-22-7a.yaml"
ANSWERED = "records/pcc/reports/probation-services-in-london/recommendations/pcc-probation-services-in-london-r1.yaml"
# A rule, the edit that breaks it, and the whole line validate prints after the file's path.
RULES = [
    ("id-must-match-the-file-name", ACTION, "id: pcc-2023-03-22-6a", "id: pcc-2023-03-22-6c",
     "2:5: id: ID 'pcc-2023-03-22-6c' does not match the file name pcc-2023-03-22-6a.yaml"),
    ("ids-follow-the-naming-scheme", ACTION, 'item: "6"', 'item: "7"',
     "2:5: id: ID 'pcc-2023-03-22-6a' does not follow the naming scheme; expected 'pcc-2023-03-22-7a'"),
    ("committee-must-be-in-tracker-yaml", ACTION, "committee: pcc", "committee: budget",
     "4:12: committee: unknown committee 'budget' (tracker.yaml has lewisham-ssc, pcc)"),
    ("history-cannot-predate-the-record", ACTION_7A, "date: 2023-04-12", "date: 2023-01-02",
     "14:11: history[0].date: event dated 2023-01-02 is before the record was created (2023-01-25)"),
    ("status-must-equal-the-last-status-event", DONE_ACTION, "status: completed\nhistory", "status: ongoing\nhistory",
     "15:9: status: status is 'ongoing' but the last status event sets 'completed'"),
    ("history-statuses-must-be-known", DONE_ACTION, "from: ongoing", "from: pending",
     "20:11: history[0].from: unknown action status 'pending' (known: ongoing, completed, closed)"),
    ("recommendation-must-name-an-existing-report", REC, "report: pcc-missing-children-in-london", "report: pcc-missing-children",
     "4:9: report: no report with ID 'pcc-missing-children'"),
    ("a-response-event-must-name-an-existing-response", ANSWERED, "response: pcc-probation-services-in-london-2023-03-17-hmpps",
     "response: pcc-probation-letter", "19:15: history[0].response: no response record 'pcc-probation-letter'"),
]


@pytest.mark.parametrize(("rule", "path", "old", "new", "expected"), RULES, ids=[rule[0] for rule in RULES])
def test_each_rule_names_the_place_and_the_problem(bundled: Path, run: Run, rule: str, path: str, old: str, new: str,
                                                   expected: str) -> None:
    _edit(bundled, path, old, new)
    assert f"{path}:{expected}" in _problems(run, bundled)


def test_ids_are_unique(bundled: Path, run: Run) -> None:
    copy = bundled / "records/pcc/actions/pcc-2023-03-22-6a.yaml"
    copy.write_text((bundled / ACTION).read_text())
    problems = _problems(run, bundled)
    assert any(p.startswith("records/pcc/actions/") and "ID 'pcc-2023-03-22-6a' is also used by" in p for p in problems)


def test_status_must_belong_to_the_kinds_vocabulary(bundled: Path, run: Run) -> None:
    _edit(bundled, REC, "status: awaiting-response", "status: accepted-in-principle")
    line = _line_of(bundled, REC, "status: accepted-in-principle")
    expected = (f"{REC}:{line}:9: status: unknown recommendation status 'accepted-in-principle' (known: awaiting-response, "
                "accepted, in-progress, implemented, partially-implemented, not-accepted, closed)")
    assert expected in _problems(run, bundled)


def test_history_must_be_in_date_order(bundled: Path, run: Run) -> None:
    path = "records/pcc/actions/2023/pcc-2023-01-25-7a.yaml"
    text = (bundled / path).read_text()
    (bundled / path).write_text(text + "  - date: 2023-04-01\n    event: note\n    note: Earlier than the follow-up.\n")
    line = _line_of(bundled, path, "date: 2023-04-01")
    assert (f"{path}:{line}:11: history[1].date: event dated 2023-04-01 comes after one dated 2023-04-12; "
            "keep history in date order") in _problems(run, bundled)


def test_response_must_cite_existing_recommendations(bundled: Path, run: Run) -> None:
    _edit(bundled, RESPONSE, "number: 3", "number: 14")
    line = _line_of(bundled, RESPONSE, "number: 14")
    expected = f"{RESPONSE}:{line}:13: recommendations[0].number: report pcc-probation-services-in-london has no recommendation 14"
    assert expected in _problems(run, bundled)


def test_recommendation_numbers_are_unique_within_a_report(bundled: Path, run: Run) -> None:
    folder = bundled / "records/pcc/reports/missing-children-in-london/recommendations"
    text = (folder / "pcc-missing-children-in-london-r2.yaml").read_text()
    (folder / "pcc-missing-children-in-london-r18.yaml").write_text(text.replace("-r2\n", "-r18\n"))
    assert any("report pcc-missing-children-in-london already has recommendation 2" in p for p in _problems(run, bundled))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("item_title:", "item_titel:", "item_titel: unknown field 'item_titel' (custom fields must start with x-)"),
        ("responsible: Baroness", "x-owner: Baroness", "'responsible' is required"),
        ("meeting: 2023-03-22", "meeting: 22 March 2023", "meeting: '22 March 2023' is not in the expected form (a date, YYYY-MM-DD)"),
        ("item: \"6\"", "item: [6]", "item: [6] should be text"),
    ],
)
def test_schema_rules_name_the_field(bundled: Path, run: Run, old: str, new: str, expected: str) -> None:
    _edit(bundled, ACTION, old, new)
    problems = _problems(run, bundled)
    assert any(p.startswith(f"{ACTION}:") and p.endswith(expected) for p in problems), problems


def test_a_custom_x_field_is_kept_and_allowed(bundled: Path, run: Run) -> None:
    _edit(bundled, ACTION, "status: ongoing", "status: ongoing\nx-officer: Janette Roker")
    assert run(bundled, "validate").exit_code == 0


def test_every_problem_is_reported_not_just_the_first(bundled: Path, run: Run) -> None:
    _edit(bundled, ACTION, "committee: pcc", "committee: budget")
    _edit(bundled, REC, "status: awaiting-response", "status: waiting")
    _edit(bundled, REPORT, "title:", "titel:")
    problems = _problems(run, bundled)
    located = [(p.split(":")[0], int(p.split(":")[1])) for p in problems]
    assert {path for path, _ in located} == {ACTION, REC, REPORT}
    assert located == sorted(located)
    assert len(problems) == 5  # the action's committee, and its ID that no longer follows from it; one each for the others


def test_validate_can_check_just_some_files(bundled: Path, run: Run) -> None:
    _edit(bundled, REC, "status: awaiting-response", "status: waiting")
    result = run(bundled, "validate", str(bundled / "records/pcc/actions"))
    assert result.exit_code == 0, result.output
    assert run(bundled, "validate", str(bundled / REC)).exit_code == 1
