"""What overdue, list and show answer has the properties the rules promise, on generated repositories across many
dates and filters, and on random histories: every item listed is open and has a reason that holds on the day,
every open item past its due date is listed, the worst come first, and rows say what the rules say."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from tracker.model.dates import PartialDate
from tracker.model.records import Action, Event, Recommendation, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.questions import output
from tracker.questions.query import Filters, Reason, days_overdue, needs_attention, row, rows, sort_key
from tracker.storage.config import Config, load_config
from tracker.storage.store import load_records
from tracker.text.jsontext import dumps

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


def check_reason(records: RecordSet, config: Config, record: Trackable, reason: Reason, as_of: dt.date) -> None:
    assert reason.days == (as_of - reason.since).days > 0, reason
    if reason.reason == "overdue":
        due = record.due_as_of(as_of)
        assert due is not None and reason.since == due.last_day()
    elif reason.reason == "response-overdue":
        assert isinstance(record, Recommendation) and reason.addressee in record.to
        report = records.records[record.report]
        assert isinstance(report, Report) and reason.since == report.responses_due(config.response_days)
    else:
        assert reason.reason == "follow-up-due" and reason.days >= config.followup_days


@settings(max_examples=150, deadline=None)
@given(which=st.integers(0, 3), data=st.data(), committee=COMMITTEES, responsible=BODY_QUERIES)
def test_every_item_listed_is_open_with_reasons_that_hold(repositories: list[Repository], which: int,
                                                          data: st.DataObject, committee: str, responsible: str) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    filters = Filters(committee=committee, responsible=responsible)
    items = needs_attention(records, config, as_of, filters)
    everything = needs_attention(records, config, as_of)
    assert {item.record.id for item in items} <= {item.record.id for item in everything}
    for item in items:
        record = item.record
        assert config.is_open(record.kind, record.status_as_of(as_of))
        assert not committee or records.committee_of(record) == committee
        assert item.reasons and [r.days for r in item.reasons] == sorted((r.days for r in item.reasons), reverse=True)
        for reason in item.reasons:
            check_reason(records, config, record, reason, as_of)
    assert items == sorted(items, key=lambda a: (-a.reasons[0].days, sort_key(records, a.record)))


@settings(max_examples=60, deadline=None)
@given(which=st.integers(0, 3), data=st.data())
def test_every_open_item_past_its_due_date_is_listed_as_overdue(repositories: list[Repository], which: int,
                                                                data: st.DataObject) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    listed = {item.record.id: item for item in needs_attention(records, config, as_of)}
    for record in records:
        if not isinstance(record, Trackable) or (records.created(record) or dt.date.min) > as_of:
            continue
        status, due = record.state_as_of(as_of)
        if config.is_open(record.kind, status) and due is not None and due.last_day() < as_of:
            reasons = listed[record.id].reasons
            assert ("overdue", (as_of - due.last_day()).days) in [(r.reason, r.days) for r in reasons]
        elif record.id in listed:
            assert "overdue" not in [r.reason for r in listed[record.id].reasons]


@settings(max_examples=25, deadline=None)
@given(which=st.integers(0, 3), data=st.data())
def test_rows_say_what_the_rules_say(repositories: list[Repository], which: int, data: st.DataObject) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    everything = list(records)
    found = rows(records, config, everything, as_of)
    assert [row(records, config, record, as_of) for record in everything[::37]] == found[::37]
    for record, summary in zip(everything, found, strict=True):
        assert summary["id"] == record.id and summary["committee"] == records.committee_of(record)
        if isinstance(record, Trackable):
            status = record.status_as_of(as_of)
            assert summary["status"] == status
            assert summary["category"] == ("open" if config.is_open(record.kind, status) else "done")
            assert summary["days_overdue"] == days_overdue(record, config, as_of)
            due = record.due_as_of(as_of)
            assert summary["due_date"] == (due.last_day().isoformat() if due else None)
        else:
            assert summary["status"] is None and summary["days_overdue"] is None


@settings(max_examples=20, deadline=None)
@given(which=st.integers(0, 3), data=st.data())
def test_overdue_json_is_the_rows_in_standard_json(repositories: list[Repository], which: int,
                                                   data: st.DataObject) -> None:
    records, config, days = repositories[which]
    as_of = data.draw(a_day(days))
    items = needs_attention(records, config, as_of)
    expected = [{**row(records, config, a.record, as_of), "days": max(r.days for r in a.reasons),
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
def test_the_state_on_a_day_follows_the_history_up_to_it(history: list[Event], status: str, due: PartialDate | None,
                                                         as_of: dt.date) -> None:
    """Histories in any order, with events before, on and after the day."""
    record = Action("x", "x.yaml", status=status, due=due, history=tuple(history))
    assert record.state_as_of(as_of) == (record.status_as_of(as_of), record.due_as_of(as_of))
    assert record.events_until(as_of) == tuple(event for event in history if event.date <= as_of)
    later = Action("x", "x.yaml", status=status, due=due,
                   history=(*tuple(history), Event(as_of + dt.timedelta(days=1), "status", status="odd-one")))
    assert later.state_as_of(as_of) == record.state_as_of(as_of)  # what comes after the day changes nothing
    if not any(event.changes_status for event in history):
        assert record.status_as_of(as_of) == status


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

