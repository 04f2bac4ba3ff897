"""The quick ways overdue, list and show answer give exactly what the plain definitions give.

The reference below is the straightforward reading of each rule, one record at a time; the code under test works
out what records share (a report's answers, a status's label) once. They are compared on generated repositories
across many dates and filters, and on random histories.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from tracker.model.dates import PartialDate
from tracker.model.records import Action, Event, Meeting, Recommendation, Record, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.questions import output
from tracker.questions.query import (
    CONTACT_EVENTS,
    KIND_ORDER,
    Attention,
    Filters,
    Reason,
    matches_body,
    needs_attention,
    owners,
    row,
    rows,
    sort_key,
)
from tracker.storage.config import Config, load_config
from tracker.storage.store import load_records
from tracker.text.jsontext import dumps

# ---------------------------------------------------------------- the straightforward reference


def ref_status_as_of(record: Trackable, as_of: dt.date) -> str:
    for event in reversed(record.history):
        if event.changes_status and event.date <= as_of:
            return event.status
    for event in record.history:
        if event.changes_status:
            return event.from_status or record.status
    return record.status


def ref_due_as_of(record: Trackable, as_of: dt.date) -> PartialDate | None:
    for event in record.history:
        if event.event == "reschedule" and event.date > as_of:
            return event.previous_due
    return record.due


def ref_days_overdue(record: Trackable, config: Config, as_of: dt.date) -> int | None:
    if not config.is_open(record.kind, ref_status_as_of(record, as_of)):
        return None
    due = ref_due_as_of(record, as_of)
    if due is None or due.last_day() >= as_of:
        return None
    return (as_of - due.last_day()).days


def ref_exists_on(records: RecordSet, record: Record, as_of: dt.date) -> bool:
    if isinstance(record, Response):
        return record.date <= as_of
    if isinstance(record, Meeting):
        return True
    if isinstance(record, Report):
        return record.published.first_day() <= as_of
    created = records.created(record)
    return created is None or created <= as_of


def ref_trackables(records: RecordSet, config: Config, as_of: dt.date, filters: Filters) -> Iterator[Trackable]:
    for record in records:
        if not isinstance(record, Trackable) or not ref_exists_on(records, record, as_of):
            continue
        if filters.committee and records.committee_of(record) != filters.committee:
            continue
        if filters.responsible and not matches_body(config, filters.responsible, owners(record)):
            continue
        yield record


def ref_sort_key(records: RecordSet, record: Record) -> tuple[Any, ...]:
    committee = records.committee_of(record)
    if isinstance(record, Action):
        digits = "".join(ch for ch in record.item if ch.isdigit()) or "0"
        return (committee, KIND_ORDER["action"], record.standing, record.meeting or dt.date.min,
                (int(digits[:9]), record.item), record.id)
    if isinstance(record, Recommendation):
        return (committee, KIND_ORDER["recommendation"], record.report, record.number, record.id)
    when = getattr(record, "date", None) or dt.date.min
    return (committee, KIND_ORDER[record.kind], str(getattr(record, "report", "")), when, record.id)


def ref_last_contact(records: RecordSet, record: Trackable, responses: list[Response], as_of: dt.date) -> dt.date | None:
    dates = [event.date for event in record.history if event.date <= as_of and event.event in CONTACT_EVENTS]
    created = records.created(record)
    if created is not None:
        dates.append(created)
    if isinstance(record, Recommendation):
        dates.extend(r.date for r in responses if r.date <= as_of and record.number in r.numbers)
    return max(dates) if dates else None


def ref_missing_responses(config: Config, recommendation: Recommendation, responses: list[Response], as_of: dt.date) -> list[str]:
    answered = {
        config.canonical_body(r.from_body) for r in responses if r.date <= as_of and recommendation.number in r.numbers
    }
    return [body for body in recommendation.to if config.canonical_body(body) not in answered]


def ref_needs_attention(records: RecordSet, config: Config, as_of: dt.date, filters: Filters) -> list[Attention]:
    responses_by_report = records.responses_by_report()
    found = []
    for record in ref_trackables(records, config, as_of, filters):
        if not config.is_open(record.kind, ref_status_as_of(record, as_of)):
            continue
        reasons = ref_reasons(records, config, record, responses_by_report, as_of)
        if filters.responsible:
            reasons = [r for r in reasons if not r.addressee or matches_body(config, filters.responsible, (r.addressee,))]
        if reasons:
            reasons.sort(key=lambda r: -r.days)
            found.append(Attention(record, tuple(reasons)))
    return sorted(found, key=lambda a: (-a.worst, ref_sort_key(records, a.record)))


def ref_reasons(records: RecordSet, config: Config, record: Trackable, responses_by_report: dict[str, list[Response]],
                as_of: dt.date) -> list[Reason]:
    reasons = []
    due = ref_due_as_of(record, as_of)
    deadline_running = due is not None and due.last_day() >= as_of
    if due is not None and not deadline_running:
        reasons.append(Reason("overdue", (as_of - due.last_day()).days, due.last_day()))
    responses: list[Response] = []
    if isinstance(record, Recommendation):
        responses = responses_by_report.get(record.report, [])
        report = records.records.get(record.report)
        missing = ref_missing_responses(config, record, responses, as_of)
        if isinstance(report, Report) and missing:
            response_due = report.responses_due(config.response_days)
            if response_due < as_of:
                reasons.extend(Reason("response-overdue", (as_of - response_due).days, response_due, body) for body in missing)
            else:
                deadline_running = True
    if not deadline_running:
        contact = ref_last_contact(records, record, responses, as_of)
        if contact is not None and (as_of - contact).days >= config.followup_days:
            reasons.append(Reason("follow-up-due", (as_of - contact).days, contact))
    return reasons


def ref_title(records: RecordSet, record: Record) -> str:
    if isinstance(record, Action):
        return record.title if record.standing else f"Item {record.item}: {record.item_title}"
    if isinstance(record, Recommendation):
        return f"Recommendation {record.number}: {' '.join(record.text.split())}"
    if isinstance(record, Response):
        return f"Response from {record.from_body}"
    if isinstance(record, Report):
        return record.title
    if isinstance(record, Meeting):
        return record.title or f"Meeting of {record.date.isoformat()}"
    return record.id


def ref_row(records: RecordSet, config: Config, record: Record, as_of: dt.date) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.id, "kind": record.kind, "committee": records.committee_of(record)}
    if isinstance(record, Trackable):
        status = ref_status_as_of(record, as_of)
        due = ref_due_as_of(record, as_of)
        out.update(
            status=status,
            status_label=config.label(record.kind, status),
            category="open" if config.is_open(record.kind, status) else "done",
            due=str(due) if due else None,
            due_date=due.last_day().isoformat() if due else None,
            days_overdue=ref_days_overdue(record, config, as_of),
        )
    else:
        out.update(status=None, status_label=None, category=None, due=None, due_date=None, days_overdue=None)
    out["responsible"] = list(owners(record))
    out["title"] = ref_title(records, record)
    out["text"] = getattr(record, "text", "") or getattr(record, "summary", "")
    out["path"] = record.path
    return out


# ---------------------------------------------------------------- generated repositories


@cache
def assembly(records: int, seed: int, folder: str) -> tuple[RecordSet, Config]:
    root = Path(folder) / f"assembly-{records}-{seed}"
    generate(root, records, seed)
    config = load_config(root)
    return load_records(config, use_cache=False), config


def without_response_events(records: RecordSet) -> RecordSet:
    """The same records with the responses left out of the items' histories (and every third item's creation date
    left out), so when an item was last heard of comes from the response records alone."""
    changed = RecordSet()
    for index, record in enumerate(records):
        if isinstance(record, Trackable):
            history = tuple(event for event in record.history if event.event != "response")
            changed.add(replace(record, history=history, created=None if index % 3 == 0 else record.created))
        else:
            changed.add(record)
    return changed


Repository = tuple[RecordSet, Config, tuple[list[dt.date], ...]]


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> list[Repository]:
    folder = str(tmp_path_factory.mktemp("assemblies"))
    made = [assembly(records, seed, folder) for records, seed in ((300, 1), (300, 2), (600, 5))]
    records, config = made[2]
    made.append((without_response_events(records), config))
    return [(records, config, key_days(records, config)) for records, config in made]


def key_days(records: RecordSet, config: Config) -> tuple[list[dt.date], ...]:
    """The days on which answers change, by kind: due dates, response deadlines, history events and creation, and
    the follow-up limit after each of those."""
    due: set[dt.date] = set()
    responses: set[dt.date] = set()
    events: set[dt.date] = set()
    for record in records:
        if isinstance(record, Trackable):
            events.update(event.date for event in record.history)
            due.update(day.last_day() for day in (record.due, *(e.previous_due for e in record.history)) if day)
            if record.created:
                events.add(record.created)
        elif isinstance(record, Report):
            events.add(record.published.first_day())
            responses.add(record.responses_due(config.response_days))
        elif isinstance(record, Response):
            events.add(record.date)
    follow_ups = {day + dt.timedelta(days=config.followup_days) for day in events | responses}
    return tuple(sorted(days) for days in (due, responses, events, follow_ups))


@st.composite
def a_day(draw: st.DrawFn, kinds: tuple[list[dt.date], ...]) -> dt.date:
    """Any day, or more often one on or next to a day when some answer changes."""
    which = draw(st.integers(0, len(kinds)))
    if which == len(kinds):
        return draw(DAYS)
    return draw(st.sampled_from(kinds[which])) + dt.timedelta(days=draw(st.integers(-1, 1)))


DAYS = st.dates(dt.date(2009, 6, 1), dt.date(2026, 6, 30))
BODY_QUERIES = st.sampled_from(["", "", "MPS", "Metropolitan Police Service", "the met", "mopac", "TfL", "Home Office",
                                "Commissioner", "deputy mayor", "nobody at all", "london"])
COMMITTEES = st.sampled_from(["", "", "pcc", "health", "transport", "audit", "none-such"])


@settings(max_examples=150, deadline=None)
@given(which=st.integers(0, 3), data=st.data(), committee=COMMITTEES, responsible=BODY_QUERIES)
def test_needs_attention_is_the_plain_definition(repositories: list[Repository], which: int,
                                                 data: st.DataObject, committee: str, responsible: str) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    filters = Filters(committee=committee, responsible=responsible)
    assert needs_attention(records, config, as_of, filters) == ref_needs_attention(records, config, as_of, filters)


@settings(max_examples=25, deadline=None)
@given(which=st.integers(0, 3), data=st.data())
def test_rows_are_the_plain_definition(repositories: list[Repository], which: int,
                                       data: st.DataObject) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    everything = list(records)
    expected = [ref_row(records, config, record, as_of) for record in everything]
    assert rows(records, config, everything, as_of) == expected
    assert [row(records, config, record, as_of) for record in everything[::37]] == expected[::37]
    assert sorted(everything, key=lambda r: sort_key(records, r)) == sorted(everything, key=lambda r: ref_sort_key(records, r))


@settings(max_examples=20, deadline=None)
@given(which=st.integers(0, 3), data=st.data())
def test_overdue_json_is_the_plain_rows_in_standard_json(repositories: list[Repository], which: int,
                                                         data: st.DataObject) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    items = needs_attention(records, config, as_of)
    expected = [{**ref_row(records, config, a.record, as_of), "days": max(r.days for r in a.reasons),
                 "reasons": [r.to_json() for r in a.reasons]} for a in items]
    text = output.attention_table(records, config, items, "json", as_of, to_terminal=False)
    assert text == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_the_generated_repositories_hold_every_kind_of_reason(repositories: list[Repository]) -> None:
    """The comparisons above are only worth something if the answers they compare are varied."""
    records, config, _ = repositories[2]
    seen = {reason.reason for day in (dt.date(2012, 1, 1), dt.date(2016, 7, 1), dt.date(2025, 1, 1))
            for item in needs_attention(records, config, day) for reason in item.reasons}
    assert seen == {"overdue", "response-overdue", "follow-up-due"}


# ---------------------------------------------------------------- random histories

STATUSES = st.sampled_from(["ongoing", "completed", "closed", "accepted", "in-progress", "odd-one", ""])
SOME_DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2020, 3, 1))
PARTIALS = st.one_of(st.none(), st.builds(PartialDate, st.integers(2019, 2021), st.none(), st.none()),
                     st.builds(PartialDate, st.integers(2019, 2021), st.integers(1, 12), st.none()),
                     st.builds(lambda d: PartialDate(d.year, d.month, d.day), SOME_DAYS))
EVENTS = st.builds(Event, date=SOME_DAYS, event=st.sampled_from(["created", "status", "note", "follow-up", "reschedule",
                                                                  "response"]),
                   from_status=STATUSES, status=STATUSES, previous_due=PARTIALS, due=PARTIALS)


@given(history=st.lists(EVENTS, max_size=6), status=STATUSES, due=PARTIALS, as_of=SOME_DAYS)
def test_the_state_on_a_day_is_the_plain_definition(history: list[Event], status: str, due: PartialDate | None,
                                                    as_of: dt.date) -> None:
    """Histories in any order, with events before, on and after the day."""
    record = Action("x", "x.yaml", status=status, due=due, history=tuple(history))
    assert record.state_as_of(as_of) == (ref_status_as_of(record, as_of), ref_due_as_of(record, as_of))
    assert record.status_as_of(as_of) == ref_status_as_of(record, as_of)
    assert record.due_as_of(as_of) == ref_due_as_of(record, as_of)
    assert record.events_until(as_of) == tuple(event for event in history if event.date <= as_of)


# ---------------------------------------------------------------- JSON text

TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "%s", "%(x)s", "%", '"', "\\", "\x00\x1f\x7f", "\u2028\u2029", "é😀", "line\nnext\r\t", "\ud800"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(-2**70, 2**70), st.floats(), TEXT,
                    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e300, 5e-324]))
KEYS = st.one_of(TEXT, st.sampled_from(["id", "kind", "a%sb", "%%"]))
ODD_KEYS = st.one_of(KEYS, st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, 0.0, 2.5, math.inf]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(KEYS, inner, max_size=4),
    st.dictionaries(ODD_KEYS, inner, max_size=3)), max_leaves=25)


@settings(max_examples=400)
@given(VALUES)
def test_json_text_is_the_standard_text(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


@given(st.lists(st.dictionaries(st.sampled_from(["id", "due", 1, True, 1.0, None, "1", "true"]), VALUES, max_size=4),
                max_size=6))
def test_json_text_of_rows_sharing_keys_is_the_standard_text(value: list[dict[Any, Any]]) -> None:
    """Mappings with the same keys share a format string; keys equal in Python but written apart (1, 1.0 and True)
    must not."""
    doubled = [*value, *value, [value, {"x": value}]]
    assert dumps(doubled) == json.dumps(doubled, indent=2, ensure_ascii=False)


def test_json_text_refuses_what_json_refuses() -> None:
    for value in ({"when": dt.date(2024, 1, 1)}, [object()], {(1, 2): "tuple key"}):
        with pytest.raises(TypeError):
            json.dumps(value, indent=2, ensure_ascii=False)
        with pytest.raises(TypeError):
            dumps(value)

