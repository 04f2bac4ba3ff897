"""The record types, built once from validated YAML mappings; the rest of the code uses their attributes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tracker.model.dates import PartialDate, format_date, parse_date
from tracker.model.numbers import Number, number_value

FieldPath = tuple[str | int, ...]
NEXT_MEETING = "next-meeting"  # a deadline set as the committee's next meeting


class FieldError(ValueError):
    """A value the schema let through that is still impossible (2023-02-30, month 13), with the field it is in."""

    def __init__(self, field: FieldPath, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Event:
    """One dated entry in a record's history."""

    date: dt.date
    event: str  # created | status | note | follow-up | reschedule | response | edited
    by: str = ""
    note: str = ""
    from_status: str = ""
    status: str = ""
    evidence: str = ""
    previous_due: PartialDate | None = None
    due: PartialDate | None = None
    reason: str = ""
    response: str = ""
    at_meeting: str = ""  # of a note: the ID of the meeting at which it was said
    field: str = ""  # of an edited event: the field changed, and its value before (None when it had none)
    old: str | tuple[str, ...] | None = None

    @property
    def changes_status(self) -> bool:
        return bool(self.status) and self.event in ("status", "response")

    @classmethod
    def from_mapping(cls, data: dict[str, Any], at: FieldPath = ()) -> Event:
        return cls(
            date=_date(data, "date", at),
            event=data["event"],
            by=data.get("by", ""),
            note=data.get("note", ""),
            from_status=data.get("from", ""),
            status=data.get("status", ""),
            evidence=data.get("evidence", ""),
            previous_due=_partial(data, "previous_due", at),
            due=_partial(data, "due", at),
            reason=data.get("reason", ""),
            response=data.get("response", ""),
            at_meeting=data.get("at_meeting", ""),
            field=data.get("field", ""),
            old=tuple(data["old"]) if isinstance(data.get("old"), list) else data.get("old"),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": self.date.isoformat(), "event": self.event}
        for name, key in (("by", "by"), ("note", "note"), ("from_status", "from"), ("status", "status"),
                          ("evidence", "evidence"), ("reason", "reason"), ("response", "response"), ("at_meeting", "at_meeting"),
                          ("field", "field")):
            if getattr(self, name):
                out[key] = getattr(self, name)
        if self.old is not None:
            out["old"] = list(self.old) if isinstance(self.old, tuple) else self.old
        for name in ("previous_due", "due"):
            if getattr(self, name) is not None:
                out[name] = str(getattr(self, name))
        return out


@dataclass(frozen=True)
class Record:
    """What every record has: its ID, kind and file (relative to the repository root)."""

    KIND: ClassVar[str] = ""
    id: str
    path: str

    @property
    def kind(self) -> str:
        return self.KIND

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind}


@dataclass(frozen=True)
class Trackable(Record):
    """A commitment someone owes: it has a status, maybe a due date, and a dated history."""

    status: str = ""
    due: PartialDate | None = None
    created: dt.date | None = None
    history: tuple[Event, ...] = ()
    due_text: str = ""  # the deadline as the paper words it
    due_at: str = ""  # "next-meeting": due at the committee's next meeting, its date set once it is recorded

    def deadline_words(self, due: PartialDate | None, style: str) -> str:
        """The deadline as every paper shows it: the paper's own words if recorded, else "Next meeting (12 July
        2022)" for one due at the next meeting, else the date's wording ("By December 2023"); "" when there is none."""
        if self.due_text:
            return self.due_text
        if self.due_at == NEXT_MEETING:
            return "Next meeting" + (f" ({format_date(due.last_day(), style)})" if due is not None else "")
        return due.in_words(style) if due is not None else ""

    def events_until(self, as_of: dt.date) -> tuple[Event, ...]:
        history = self.history
        return tuple(event for event in history if event.date <= as_of) if history else history

    def status_as_of(self, as_of: dt.date) -> str:
        """The status on that date: history events after it are ignored."""
        return self.state_as_of(as_of)[0] if self.history else self.status

    def due_as_of(self, as_of: dt.date) -> PartialDate | None:
        """The due date on that date, undoing reschedules that came later."""
        for event in self.history:
            if event.event == "reschedule" and event.date > as_of:
                return event.previous_due
        return self.due

    def state_as_of(self, as_of: dt.date) -> tuple[str, PartialDate | None]:
        """status_as_of and due_as_of together, in one pass over the history."""
        history = self.history
        if not history:
            return self.status, self.due
        status = None
        first_change = None
        due = self.due
        rescheduled = False
        for event in history:
            if event.status and (event.event == "status" or event.event == "response"):  # event.changes_status
                if first_change is None:
                    first_change = event
                if event.date <= as_of:
                    status = event.status
            elif not rescheduled and event.event == "reschedule" and event.date > as_of:
                due = event.previous_due
                rescheduled = True
        if status is None:
            status = (first_change.from_status or self.status) if first_change is not None else self.status
        return status, due

    def last_status_change(self, as_of: dt.date) -> Event | None:
        for event in reversed(self.events_until(as_of)):
            if event.changes_status:
                return event
        return None

    def reschedules(self, as_of: dt.date) -> tuple[Event, ...]:
        return tuple(event for event in self.events_until(as_of) if event.event == "reschedule")

    @staticmethod
    def common(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "status": data["status"],
            "due": _partial(data, "due"),
            "created": _optional_date(data, "created"),
            "due_text": data.get("due_text", ""),
            "due_at": data.get("due_at", ""),
            "history": tuple(
                Event.from_mapping(event, ("history", index)) for index, event in enumerate(data.get("history") or ())
            ),
        }

    def trackable_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "due": str(self.due) if self.due else None,
            "created": self.created.isoformat() if self.created else None,
            "due_text": self.due_text or None,
            "due_at": self.due_at or None,
            "history": [event.to_json() for event in self.history],
        }


@dataclass(frozen=True)
class Meeting(Record):
    KIND: ClassVar[str] = "meeting"
    committee: str = ""
    date: dt.date = dt.date.min
    title: str = ""
    url: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str) -> Meeting:
        return cls(data["id"], path, data["committee"], _date(data, "date"), data.get("title", ""), data.get("url", ""))

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "committee": self.committee, "date": self.date.isoformat(),
                "title": self.title or None, "url": self.url or None}


@dataclass(frozen=True)
class Action(Trackable):
    KIND: ClassVar[str] = "action"
    committee: str = ""
    meeting: dt.date | None = None
    item: str = ""
    item_title: str = ""
    standing: bool = False
    title: str = ""
    deadline: str = ""
    responsible: str = ""
    text: str = ""

    @property
    def heading(self) -> str:
        return self.title if self.standing else self.item_title

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str) -> Action:
        meeting = _optional_date(data, "meeting")
        fields = cls.common(data)
        fields["created"] = fields["created"] or meeting
        return cls(
            data["id"], path, **fields,
            committee=data["committee"], meeting=meeting, item=data.get("item", ""),
            item_title=data.get("item_title", ""), standing=bool(data.get("standing")), title=data.get("title", ""),
            deadline=data.get("deadline", ""), responsible=data["responsible"], text=data["text"],
        )

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "committee": self.committee,
                "meeting": self.meeting.isoformat() if self.meeting else None, "item": self.item or None,
                "item_title": self.item_title or None, "standing": self.standing, "title": self.title or None,
                "deadline": self.deadline or None, "responsible": self.responsible, "text": self.text,
                **self.trackable_json()}


@dataclass(frozen=True)
class Report(Record):
    KIND: ClassVar[str] = "report"
    committee: str = ""
    slug: str = ""
    title: str = ""
    published: PartialDate = PartialDate(1)
    url: str = ""
    response_due: dt.date | None = None
    presented_at: str = ""  # the ID of the meeting that received it

    def responses_due(self, response_days: int) -> dt.date:
        """When responses are due: as the report says, else publication + the configured window."""
        return self.response_due or self.published.last_day() + dt.timedelta(days=response_days)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str) -> Report:
        return cls(
            data["id"], path, data["committee"], data["slug"], data["title"], _partial_date(data, "published"),
            data.get("url", ""), _optional_date(data, "response_due"), data.get("presented_at", ""),
        )

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "committee": self.committee, "slug": self.slug, "title": self.title,
                "published": str(self.published), "url": self.url or None,
                "response_due": self.response_due.isoformat() if self.response_due else None,
                "presented_at": self.presented_at or None}


@dataclass(frozen=True)
class Recommendation(Trackable):
    KIND: ClassVar[str] = "recommendation"
    report: str = ""
    number: Number = 0
    text: str = ""
    to: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str) -> Recommendation:
        return cls(data["id"], path, **cls.common(data), report=data["report"], number=number_value(data["number"]),
                   text=data["text"], to=tuple(data["to"]))

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "report": self.report, "number": self.number, "text": self.text,
                "to": list(self.to), **self.trackable_json()}


@dataclass(frozen=True)
class Answer:
    """A response's word on one recommendation."""

    number: Number
    position: str
    text: str = ""


@dataclass(frozen=True)
class Response(Record):
    KIND: ClassVar[str] = "response"
    report: str = ""
    from_body: str = ""
    date: dt.date = dt.date.min
    summary: str = ""
    url: str = ""
    appendix: str = ""
    answers: tuple[Answer, ...] = field(default_factory=tuple)

    @property
    def numbers(self) -> tuple[Number, ...]:
        return tuple(answer.number for answer in self.answers)

    def answer_to(self, number: Number) -> Answer | None:
        return next((answer for answer in self.answers if answer.number == number), None)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str) -> Response:
        answers = tuple(Answer(number_value(a["number"]), a["position"], a.get("text", "")) for a in data["recommendations"])
        return cls(data["id"], path, data["report"], data["from"], _date(data, "date"), data["summary"],
                   data.get("url", ""), data.get("appendix", ""), answers)

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "report": self.report, "from": self.from_body, "date": self.date.isoformat(),
                "summary": self.summary, "url": self.url or None, "appendix": self.appendix or None,
                "recommendations": [{"number": a.number, "position": a.position, "text": a.text or None}
                                    for a in self.answers]}


RECORD_TYPES: dict[str, Any] = {cls.KIND: cls for cls in (Meeting, Action, Report, Recommendation, Response)}


def build_record(data: dict[str, Any], path: str) -> Record:
    """The typed record for a schema-valid mapping."""
    record: Record = RECORD_TYPES[data["kind"]].from_mapping(data, path)
    return record


def _date(data: dict[str, Any], key: str, at: FieldPath = ()) -> dt.date:
    try:
        return parse_date(data[key])
    except ValueError as err:
        raise FieldError((*at, key), str(err)) from None


def _optional_date(data: dict[str, Any], key: str) -> dt.date | None:
    return _date(data, key) if data.get(key) else None


def _partial_date(data: dict[str, Any], key: str, at: FieldPath = ()) -> PartialDate:
    try:
        return PartialDate.parse(data[key])
    except ValueError as err:
        raise FieldError((*at, key), str(err)) from None


def _partial(data: dict[str, Any], key: str, at: FieldPath = ()) -> PartialDate | None:
    return None if data.get(key) is None else _partial_date(data, key, at)
