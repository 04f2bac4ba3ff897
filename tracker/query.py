"""Questions asked of the records as things stood on a given date: filters, overdue items, what to chase."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tracker.config import Config
from tracker.records import Action, Meeting, Recommendation, Record, Report, Response, Trackable
from tracker.store import RecordSet

KIND_ORDER = {"meeting": 0, "report": 1, "action": 2, "recommendation": 3, "response": 4}


@dataclass(frozen=True)
class Filters:
    """What `tracker list` and friends narrow the records down to; empty means no restriction."""

    kinds: tuple[str, ...] = ()
    committee: str = ""
    statuses: tuple[str, ...] = ()
    responsible: str = ""
    report: str = ""
    category: str = ""  # "open" or "done"
    overdue: bool = False


@dataclass(frozen=True)
class Reason:
    """Why an item needs attention, and for how many days it has."""

    reason: str  # overdue | response-overdue | follow-up-due
    days: int
    since: dt.date
    addressee: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reason": self.reason, "days": self.days, "since": self.since.isoformat()}
        if self.addressee:
            out["addressee"] = self.addressee
        return out


@dataclass(frozen=True)
class Attention:
    record: Trackable
    reasons: tuple[Reason, ...]

    @property
    def worst(self) -> int:
        return max(reason.days for reason in self.reasons)


def exists_on(records: RecordSet, record: Record, as_of: dt.date) -> bool:
    """Whether the record had come into being by that date."""
    if isinstance(record, Response):
        return record.date <= as_of
    if isinstance(record, Meeting):
        return True
    if isinstance(record, Report):
        return record.published.first_day() <= as_of
    created = records.created(record)
    return created is None or created <= as_of


def owners(record: Record) -> tuple[str, ...]:
    if isinstance(record, Action):
        return (record.responsible,)
    if isinstance(record, Recommendation):
        return record.to
    if isinstance(record, Response):
        return (record.from_body,)
    return ()


def matches_body(config: Config, wanted: str, names: tuple[str, ...]) -> bool:
    """Whether any of names is the body wanted, by canonical name or as a case-insensitive part of the name."""
    wanted_folded = wanted.casefold()
    canonical = config.canonical_body(wanted)
    return any(
        config.canonical_body(name) == canonical or wanted_folded in name.casefold() or wanted_folded in config.canonical_body(name).casefold()
        for name in names
    )


def days_overdue(record: Trackable, config: Config, as_of: dt.date) -> int | None:
    """Days past the due date for an open item, or None when it is not overdue."""
    if not config.is_open(record.kind, record.status_as_of(as_of)):
        return None
    due = record.due_as_of(as_of)
    if due is None or due.last_day() >= as_of:
        return None
    return (as_of - due.last_day()).days


def select(records: RecordSet, config: Config, filters: Filters, as_of: dt.date) -> list[Record]:
    """The records matching the filters as things stood on as_of, in a stable, readable order."""
    selected = []
    report_id = records.report(filters.report).id if filters.report else ""
    for record in records:
        if filters.kinds and record.kind not in filters.kinds:
            continue
        if not exists_on(records, record, as_of):
            continue
        if filters.committee and records.committee_of(record) != filters.committee:
            continue
        if report_id and getattr(record, "report", record.id) != report_id:
            continue
        if filters.responsible and not matches_body(config, filters.responsible, owners(record)):
            continue
        if filters.statuses or filters.category or filters.overdue:
            if not isinstance(record, Trackable):
                continue
            status = record.status_as_of(as_of)
            if filters.statuses and status not in filters.statuses:
                continue
            if filters.category and config.is_open(record.kind, status) != (filters.category == "open"):
                continue
            if filters.overdue and days_overdue(record, config, as_of) is None:
                continue
        selected.append(record)
    return sorted(selected, key=lambda r: sort_key(records, r))


def sort_key(records: RecordSet, record: Record) -> tuple[Any, ...]:
    committee = records.committee_of(record)
    if isinstance(record, Action):
        return (committee, KIND_ORDER["action"], record.standing, record.meeting or dt.date.min, _item_key(record.item), record.id)
    if isinstance(record, Recommendation):
        return (committee, KIND_ORDER["recommendation"], record.report, record.number, record.id)
    when = getattr(record, "date", None) or dt.date.min
    return (committee, KIND_ORDER[record.kind], str(getattr(record, "report", "")), when, record.id)


def _item_key(item: str) -> tuple[int, str]:
    digits = "".join(ch for ch in item if ch.isdigit()) or "0"
    return (int(digits[:9]), item)


CONTACT_EVENTS = ("status", "note", "response", "follow-up", "reschedule")


def last_contact(records: RecordSet, record: Trackable, responses: list[Response], as_of: dt.date) -> dt.date | None:
    """The last day anything was heard or done on the item by as_of: its creation, a status change, note, response,
    follow-up or reschedule in its history, or a response record answering it."""
    dates = [event.date for event in record.events_until(as_of) if event.event in CONTACT_EVENTS]
    created = records.created(record)
    if created is not None:
        dates.append(created)
    if isinstance(record, Recommendation):
        dates.extend(r.date for r in responses if r.date <= as_of and record.number in r.numbers)
    return max(dates) if dates else None


def missing_responses(
    config: Config, recommendation: Recommendation, responses: list[Response], as_of: dt.date
) -> list[str]:
    """The addressees who have not answered this recommendation by as_of."""
    answered = {
        config.canonical_body(r.from_body) for r in responses if r.date <= as_of and recommendation.number in r.numbers
    }
    return [body for body in recommendation.to if config.canonical_body(body) not in answered]


def trackables(records: RecordSet, config: Config, as_of: dt.date, filters: Filters) -> Iterator[Trackable]:
    """The actions and recommendations that existed on as_of, of the committee and body the filters name."""
    for record in records:
        if not isinstance(record, Trackable) or not exists_on(records, record, as_of):
            continue
        if filters.committee and records.committee_of(record) != filters.committee:
            continue
        if filters.responsible and not matches_body(config, filters.responsible, owners(record)):
            continue
        yield record


def needs_attention(records: RecordSet, config: Config, as_of: dt.date, filters: Filters | None = None) -> list[Attention]:
    """Every open item a clerk should act on as of that date, each reason worst first, the worst items first.

    With a responsible filter, a missing response is listed only for the addressees that match it.
    """
    filters = filters or Filters()
    responses_by_report = records.responses_by_report()
    found = []
    for record in trackables(records, config, as_of, filters):
        if not config.is_open(record.kind, record.status_as_of(as_of)):
            continue
        reasons = _reasons(records, config, record, responses_by_report, as_of)
        if filters.responsible:
            reasons = [r for r in reasons if not r.addressee or matches_body(config, filters.responsible, (r.addressee,))]
        if reasons:
            reasons.sort(key=lambda r: -r.days)
            found.append(Attention(record, tuple(reasons)))
    return sorted(found, key=lambda a: (-a.worst, sort_key(records, a.record)))


def _reasons(
    records: RecordSet, config: Config, record: Trackable, responses_by_report: dict[str, list[Response]], as_of: dt.date
) -> list[Reason]:
    """Why an open item needs attention on as_of; a deadline that has not passed yet (due today included) is never
    a reason, and nobody is chased for news while any of their deadlines is still running."""
    reasons = []
    due = record.due_as_of(as_of)
    deadline_running = due is not None and due.last_day() >= as_of
    if due is not None and not deadline_running:
        reasons.append(Reason("overdue", (as_of - due.last_day()).days, due.last_day()))
    responses: list[Response] = []
    if isinstance(record, Recommendation):
        responses = responses_by_report.get(record.report, [])
        report = records.records.get(record.report)
        missing = missing_responses(config, record, responses, as_of)
        if isinstance(report, Report) and missing:
            response_due = report.responses_due(config.response_days)
            if response_due < as_of:
                reasons.extend(Reason("response-overdue", (as_of - response_due).days, response_due, body) for body in missing)
            else:
                deadline_running = True
    if not deadline_running:
        contact = last_contact(records, record, responses, as_of)
        if contact is not None and (as_of - contact).days >= config.followup_days:
            reasons.append(Reason("follow-up-due", (as_of - contact).days, contact))
    return reasons


def row(records: RecordSet, config: Config, record: Record, as_of: dt.date) -> dict[str, Any]:
    """The stable, documented summary of a record used by `list --format json|csv` and tables."""
    out: dict[str, Any] = {"id": record.id, "kind": record.kind, "committee": records.committee_of(record)}
    if isinstance(record, Trackable):
        status = record.status_as_of(as_of)
        due = record.due_as_of(as_of)
        out.update(
            status=status,
            status_label=config.label(record.kind, status),
            category="open" if config.is_open(record.kind, status) else "done",
            due=str(due) if due else None,
            due_date=due.last_day().isoformat() if due else None,
            days_overdue=days_overdue(record, config, as_of),
        )
    else:
        out.update(status=None, status_label=None, category=None, due=None, due_date=None, days_overdue=None)
    out["responsible"] = list(owners(record))
    out["title"] = title_of(records, record)
    out["text"] = getattr(record, "text", "") or getattr(record, "summary", "")
    out["path"] = record.path
    return out


def title_of(records: RecordSet, record: Record) -> str:
    """A one-line name for the record, as a clerk would refer to it."""
    if isinstance(record, Action):
        return record.title if record.standing else f"Item {record.item}: {record.item_title}"
    if isinstance(record, Recommendation):
        first_line = " ".join(record.text.split())
        return f"Recommendation {record.number}: {first_line}"
    if isinstance(record, Response):
        return f"Response from {record.from_body}"
    if isinstance(record, Report):
        return record.title
    if isinstance(record, Meeting):
        return record.title or f"Meeting of {record.date.isoformat()}"
    return record.id
