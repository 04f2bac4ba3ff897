"""The numbers behind the public site's charts: items by status, how promptly responses came, and how many items
were overdue month by month, all worked out from the records and their histories as things stood on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from tracker.model.records import Recommendation, Report, Trackable
from tracker.model.recordset import RecordSet
from tracker.questions.query import needs_attention
from tracker.storage.config import Config

OVERDUE_REASONS = ("overdue", "response-overdue")
MONTHS_SHOWN = 60


class StatusCount(NamedTuple):
    """How many items of one kind stood at one status."""

    kind: str
    status: str
    label: str
    category: str  # open | done
    number: int


class Timeliness(NamedTuple):
    """The responses a set of recommendations asked for (one per addressee), by whether and when they came."""

    on_time: int
    late: int
    owed_overdue: int
    owed_not_due: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.owed_overdue + self.owed_not_due


def status_counts(config: Config, items: Iterable[Trackable], as_of: dt.date) -> list[StatusCount]:
    """How many of the items stood at each status on as_of: actions before recommendations, each kind's statuses in
    the order tracker.yaml lists them (statuses it does not list last, by name)."""
    counts: dict[tuple[str, str], int] = {}
    for item in items:
        key = (item.kind, item.status_as_of(as_of))
        counts[key] = counts.get(key, 0) + 1

    def order(key: tuple[str, str]) -> tuple[int, int, str]:
        kind, status = key
        known = list(config.statuses.get(kind, {}))
        return (0 if kind == "action" else 1, known.index(status) if status in known else len(known), status)

    return [StatusCount(kind, status, config.label(kind, status), "open" if config.is_open(kind, status) else "done", n)
            for (kind, status), n in sorted(counts.items(), key=lambda kv: order(kv[0]))]


def timeliness(records: RecordSet, config: Config, recommendations: Iterable[Recommendation],
               as_of: dt.date) -> Timeliness:
    """Each addressee of each recommendation owes one response, due when the report's responses are due. It came on
    time (on or before that day), late, or not yet; one not yet come is overdue once that day has passed."""
    on_time = late = overdue = not_due = 0
    responses_by_report = records.responses_by_report()
    for recommendation in recommendations:
        report = records.records.get(recommendation.report)
        if not isinstance(report, Report):
            continue
        due = report.responses_due(config.response_days)
        answered: dict[str, dt.date] = {}
        for response in responses_by_report.get(report.id, ()):
            if response.date <= as_of and recommendation.number in response.numbers:
                body = config.canonical_body(response.from_body)
                answered[body] = min(answered.get(body, response.date), response.date)
        for addressee in recommendation.to:
            came = answered.get(config.canonical_body(addressee))
            if came is not None:
                on_time, late = (on_time + 1, late) if came <= due else (on_time, late + 1)
            elif due < as_of:
                overdue += 1
            else:
                not_due += 1
    return Timeliness(on_time, late, overdue, not_due)


def month_starts(first: dt.date, last: dt.date, limit: int = MONTHS_SHOWN) -> list[dt.date]:
    """The first day of each month after first up to last, then last itself; at most limit days, the latest kept."""
    days = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        day = dt.date(year, month, 1)
        if day >= last:
            break
        days.append(day)
    days.append(last)
    return days[-limit:]


def overdue_count(records: RecordSet, config: Config, as_of: dt.date, committee: str) -> int:
    """How many of the committee's open items were overdue on as_of: past their deadline, or owing a response past
    its due date."""
    return overdue_by_committee(records, config, as_of).get(committee, 0)


def overdue_by_committee(records: RecordSet, config: Config, as_of: dt.date) -> dict[str, int]:
    """overdue_count of every committee with an overdue item, in one pass over the records."""
    counts: dict[str, int] = {}
    for item in needs_attention(records, config, as_of):
        if any(reason.reason in OVERDUE_REASONS for reason in item.reasons):
            committee = records.committee_of(item.record)
            counts[committee] = counts.get(committee, 0) + 1
    return counts


def overdue_over_time(records: RecordSet, config: Config, as_of: dt.date,
                      committees: Iterable[str]) -> tuple[list[dt.date], dict[str, list[int]]]:
    """For each committee, how many of its open items were overdue (past their deadline, or owing a response past
    its due date) on the first day of each month, and on as_of; the months start after the first item was created."""
    created = [when for when in (records.created(r) for r in records if isinstance(r, Trackable)) if when is not None]
    first = min((when for when in created if when <= as_of), default=as_of)
    days = month_starts(first, as_of)
    counts = [overdue_by_committee(records, config, day) for day in days]
    return days, {committee: [on_day.get(committee, 0) for on_day in counts] for committee in committees}
