"""The numbers behind the site's charts, for the bundled records, and the natural order of names with numbers."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.chase_helpers import load
from tracker.model.records import Recommendation, Trackable
from tracker.questions import trends
from tracker.questions.query import natural_key

AS_OF = dt.date(2023, 5, 24)


def test_status_counts_of_each_committee(bundled: Path) -> None:
    config, records = load(bundled)
    pcc = [r for r in records if isinstance(r, Trackable) and records.committee_of(r) == "pcc"]
    counts = [(c.kind, c.label, c.category, c.number) for c in trends.status_counts(config, pcc, AS_OF)]
    assert counts == [("action", "Ongoing", "open", 8), ("action", "Completed", "done", 11), ("action", "Closed", "done", 2),
                      ("recommendation", "Awaiting response", "open", 29), ("recommendation", "In progress", "open", 13)]
    lewisham = [r for r in records if isinstance(r, Trackable) and records.committee_of(r) == "lewisham-ssc"]
    assert [(c.label, c.number) for c in trends.status_counts(config, lewisham, AS_OF)] == [("In progress", 12)]
    earlier = [(c.label, c.number) for c in trends.status_counts(config, pcc, dt.date(2023, 3, 1))]
    assert ("In progress", 13) not in earlier and ("Awaiting response", 42) in earlier  # history is honoured


def test_response_timeliness_of_each_report(bundled: Path) -> None:
    config, records = load(bundled)

    def of(report: str, as_of: dt.date = AS_OF) -> trends.Timeliness:
        return trends.timeliness(records, config, records.recommendations_of(report), as_of)

    # HMPPS answered for the London Probation Service on the day responses were due (17 March 2023); the
    # Magistrates Association and HMCTS answered recommendation 3 in April; MOPAC (7) and the Mayor (1) have not.
    assert of("pcc-probation-services-in-london") == trends.Timeliness(on_time=6, late=2, owed_overdue=8, owed_not_due=0)
    assert of("pcc-probation-services-in-london", dt.date(2023, 3, 17)) == trends.Timeliness(6, 0, 0, 10)
    assert of("pcc-missing-children-in-london") == trends.Timeliness(0, 0, 0, 20)
    # Lewisham's council answered on 10 July 2019, after the 26 May 2019 due date; the Mayor and the committee never did.
    assert of("lewisham-ssc-stop-and-search-and-prevent") == trends.Timeliness(0, 7, 5, 0)
    everything = [r for r in records if isinstance(r, Recommendation)]
    assert trends.timeliness(records, config, everything, AS_OF).total == 6 + 2 + 8 + 14 + 20 + 7 + 5


def test_overdue_over_time_from_the_history(bundled: Path) -> None:
    config, records = load(bundled)
    days, series = trends.overdue_over_time(records, config, AS_OF, ["pcc", "lewisham-ssc"])
    assert days[0] == dt.date(2019, 4, 1) and days[-2] == dt.date(2023, 5, 1) and days[-1] == AS_OF
    assert len(days) == 51
    assert series["pcc"][-4:] == [0, 9, 8, 8]  # 1 March, 1 April, 1 May, 24 May 2023
    assert series["lewisham-ssc"][:5] == [0, 0, 12, 12, 5]  # due 26 May 2019; the council answered 7 on 10 July
    assert trends.overdue_count(records, config, AS_OF, "pcc") == 8


def test_month_starts_keep_the_latest_months() -> None:
    assert trends.month_starts(dt.date(2023, 1, 15), dt.date(2023, 3, 1)) == [dt.date(2023, 2, 1), dt.date(2023, 3, 1)]
    many = trends.month_starts(dt.date(2000, 1, 1), dt.date(2023, 5, 24))
    assert len(many) == trends.MONTHS_SHOWN and many[-1] == dt.date(2023, 5, 24) and many[-2] == dt.date(2023, 5, 1)


def test_natural_key_orders_numbers_by_value() -> None:
    names = ["R11", "R2", "R1", "r10", "Item 9a", "Item 10", "Item 9"]
    assert sorted(names, key=natural_key) == ["Item 9", "Item 9a", "Item 10", "R1", "R2", "r10", "R11"]
    titles = [f"Recommendation {n}" for n in (11, 1, 3, 2, 10)]
    assert sorted(titles, key=natural_key) == [f"Recommendation {n}" for n in (1, 2, 3, 10, 11)]


@given(st.lists(st.text(alphabet="ab 0123456789R", max_size=8), max_size=12))
def test_natural_key_compares_any_two_names(names: list[str]) -> None:
    keys = [natural_key(name) for name in sorted(names, key=natural_key)]  # no TypeError between str and int parts
    assert all(a <= b for a, b in itertools.pairwise(keys))
