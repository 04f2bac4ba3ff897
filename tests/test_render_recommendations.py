"""A report's recommendations, in the default layout and in Lewisham's Referral / Response / Update layout."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import LEWISHAM_UPDATE, Run, data_file
from tests.render_helpers import normalise

LEWISHAM = "stop-and-search-and-prevent"
PROBATION = "probation-services-in-london"


def render(run: Run, root: Path, *args: str) -> str:
    result = run(root, "render", "recommendations", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_default_layout_in_number_order_with_summary(bundled: Path, run: Run) -> None:
    out = render(run, bundled, "--report", PROBATION, "--as-of", "2023-05-24")
    numbers = [int(n) for n in re.findall(r"^## Recommendation (\d+)$", out, re.M)]
    assert numbers == list(range(1, 14))
    assert ("13 recommendations: 13 open, 0 done. As of 24 May 2023, 13 need chasing: 1 overdue, "
            "8 with a response overdue, 13 due a follow-up.") in out
    first = out[out.index("## Recommendation 1\n"):out.index("## Recommendation 2\n")]
    assert "- **Addressed to:** MOPAC" in first
    assert "- **Deadline:** By March 2023" in first
    assert "- **Status:** In progress (overdue by 54 days)" in first
    assert "**Response from HM Prison & Probation Service, 17 March 2023** (noted), at Appendix 1:" in first
    third = out[out.index("## Recommendation 3\n"):out.index("## Recommendation 4\n")]
    assert third.count("**Response from") == 3  # HMPPS, the Magistrates Association and HMCTS all cite it


def test_responses_after_as_of_are_not_shown(bundled: Path, run: Run) -> None:
    out = render(run, bundled, "--report", PROBATION, "--as-of", "2023-03-20")
    assert "Magistrates Association, 13 April 2023" not in out and "HM Prison & Probation Service, 17 March 2023" in out
    assert "As of 20 March 2023, 9 need chasing: 0 overdue, 9 with a response overdue" in out


def test_lewisham_layout_reproduces_the_update_paper(bundled: Path, run: Run) -> None:
    out = render(run, bundled, "--report", LEWISHAM, "--template", "lewisham", "--as-of", "2021-03-01")
    seed = normalise(data_file(LEWISHAM_UPDATE).read_text(encoding="utf-8"))
    referrals = re.findall(r"^\*\*Referral (\d+):\*\* (.+)$", out, re.M)
    assert [int(n) for n, _ in referrals] == list(range(1, 13))
    assert out.count("**2019 Response:**") >= 7
    for paragraph in re.findall(r"^\*\*(?:Referral \d+|2019 Response|Update):\*\* (.+)$", out, re.M):
        words = normalise(paragraph).split()
        # The paper wraps lines and hyphenates URLs; a run of its words in order is enough to show it is the same text.
        assert " ".join(words[:12]) in seed, paragraph[:80]


def test_unknown_template_and_report_are_plain_errors(bundled: Path, run: Run) -> None:
    result = run(bundled, "render", "recommendations", "--report", PROBATION, "--template", "fancy")
    assert result.exit_code == 1 and "no recommendations template 'fancy'" in result.stderr
    result = run(bundled, "render", "recommendations", "--report", "probation")
    assert result.exit_code == 1 and "no report with ID 'probation'" in result.stderr


def test_template_chosen_by_file_name_from_the_repository(bundled: Path, run: Run) -> None:
    (bundled / "templates").mkdir()
    (bundled / "templates" / "short.md.j2").write_text(
        "{% for r in recommendations %}{{ r.number }} {{ r.status_label }}\n{% endfor %}", encoding="utf-8")
    out = render(run, bundled, "--report", LEWISHAM, "--template", "short.md.j2", "--as-of", "2021-03-01")
    assert out.splitlines()[0] == "1 In progress"
