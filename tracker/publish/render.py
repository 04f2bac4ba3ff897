"""Documents made from the records: plain context data, rendered through Jinja2 templates.

Templates are looked up in the records repository's own `templates/` first, then in the packaged ones, so a clerk can
override any of them by copying it. Record text reaches a template only as a value: it is never compiled as a
template, and every value is escaped on output unless a filter has already made it safe (`cell`, `md`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.model.dates import format_date
from tracker.model.errors import TrackerError
from tracker.model.numbers import natural_key
from tracker.model.records import Action, Event, Meeting, Recommendation, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.questions.query import days_overdue, exists_on
from tracker.storage.config import Config
from tracker.text.templating import render

ACTIONS_TEMPLATE = "actions.md.j2"
# The Assembly's columns, in its words.
ACTION_COLUMNS = ("Item No.", "Item Title", "Responsible Person", "Action(s)", "Status")
STANDING_COLUMNS = ("Subject and Action Required", "Status", "Responsible Person", "Deadline, if applicable")
RECOMMENDATION_COLUMNS = ("No.", "Recommendation", "Addressed to", "Deadline", "Status", "Responses and latest update")
REQUEST_COLUMNS = ("Item No.", "Information requested", "From", "Deadline", "Status")
RECOMMENDATIONS_TEMPLATES = {"default": "recommendations.md.j2", "lewisham": "recommendations-lewisham.md.j2"}
NOTE_EVENTS = ("status", "note", "response")


# ---------------------------------------------------------------- tables of cells
#
# What goes in each cell of a paper's tables is decided here, once: the Markdown templates (the `row` filter) and
# the Word documents (tracker.publish.word) both lay out these cells. A cell is a list of parts, each record Markdown
# (paragraphs, lists, bold) and shown in bold as a whole when strong; parts are separated by a blank line.


def part(text: str, strong: bool = False) -> dict[str, Any]:
    return {"text": text, "strong": strong}


def table(columns: tuple[str, ...], rows: list[list[list[dict[str, Any]]]]) -> dict[str, Any]:
    return {"columns": list(columns), "rows": rows}


def action_cells(row: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """A row of the Summary List under a meeting: Item No., Item Title, Responsible Person, Action(s), Status."""
    return [[part(row["item"])], [part(row["item_title"])], [part(row["responsible"])], [part(row["text"])],
            [part(row["status_text"])]]


def standing_cells(row: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """A standing item's row: its subject in bold above the action required, Status, Responsible Person, Deadline."""
    return [[part(row["title"], strong=True), part(row["text"])], [part(row["standing_status"])],
            [part(row["responsible"])], [part(row["deadline"])]]


def request_cells(row: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """An information request's row: Item No., what was asked for, who from, the deadline and the status."""
    return [[part(row["item"])], [part(row["text"])], [part(row["responsible"])], [part(row["due_words"])],
            [part(row["status_text"])]]


def _requests(records: RecordSet, config: Config, meeting: Meeting, as_of: dt.date) -> list[dict[str, Any]]:
    """The actions of the meeting that received a report (what it asked to be told), in item order."""
    asked = sorted((a for a in records.of(Action) if a.committee == meeting.committee and a.meeting == meeting.date
                    and exists_on(records, a, as_of)), key=lambda a: (natural_key(a.item), a.id))
    return [{**action_row(config, action, as_of),
             "due_words": action.deadline_words(action.due_as_of(as_of), config.date_style)} for action in asked]


def recommendation_cells(row: dict[str, Any]) -> list[list[dict[str, Any]]]:
    """A recommendation's row: number, text, addressees, deadline, status, then each response and the latest update."""
    answers: list[dict[str, Any]] = []
    for response in row["responses"]:
        where = f", at {response['appendix']}" if response["appendix"] else ""
        answers.append(part(f"Response from {response['body']}, {response['date']} "
                            f"({response['position_label'].lower()}){where}:", strong=True))
        answers.extend(part(text) for text in (response["summary"], response["text"]) if text)
    if not row["responses"]:
        answers.append(part("No response yet."))
    update = row["latest_update"]
    if update:
        answers += [part(f"{update['heading']}:", strong=True), part(update["note"])]
    return [[part(str(row["number"]))], [part(row["text"])], [part(", ".join(row["to"]))],
            [part(row["due_words"])], [part(row["status_label"] + row["overdue_words"])], answers]


# ---------------------------------------------------------------- provenance


def provenance(commit: str, dirty: bool = False) -> str:
    """How the closing line names the records' state: "records at commit 1a2b3c4", or why there is no commit."""
    if not commit:
        return "uncommitted records"
    return f"records at commit {commit}" + (" with uncommitted changes" if dirty else "")


# ---------------------------------------------------------------- the Summary List of Actions


def closed_on(action: Trackable, as_of: dt.date) -> dt.date | None:
    """When the action last changed status (its creation when it never has), as things stood on as_of."""
    change = action.last_status_change(as_of)
    return change.date if change else action.created


def _since_last_change(record: Trackable, as_of: dt.date) -> tuple[Event, ...]:
    """The events from the last status change on (that change included), or all of them when there is none."""
    events = record.events_until(as_of)
    change = record.last_status_change(as_of)
    return events[events.index(change):] if change is not None else events


def latest_note(record: Trackable, as_of: dt.date) -> Event | None:
    """The latest note made since the last status change (that change's own note included)."""
    notes = [e for e in _since_last_change(record, as_of) if e.note and e.event in NOTE_EVENTS]
    return notes[-1] if notes else None


def last_follow_up(record: Trackable, as_of: dt.date) -> dt.date | None:
    """The latest follow-up after the last status change, if any."""
    follow_ups = [e.date for e in _since_last_change(record, as_of) if e.event == "follow-up"]
    return max(follow_ups) if follow_ups else None


def sentence(text: str) -> str:
    """Text ending as a sentence does (a full stop added unless it already ends in punctuation)."""
    text = text.strip()
    if not text or text.rstrip("*_ ").endswith((".", "!", "?", ":")):
        return text
    return text + "."


def status_text(config: Config, record: Trackable, as_of: dt.date) -> str:
    """The Status cell as the Assembly writes it: "Completed. Attached at Appendix 1. Followed-up on 4 May 2023."."""
    label = config.label(record.kind, record.status_as_of(as_of))
    parts = [sentence(label)]
    note = latest_note(record, as_of)
    if note is not None:
        parts.append(sentence(note.note))
    follow_up = last_follow_up(record, as_of)
    if follow_up is not None:
        parts.append(f"Followed-up on {format_date(follow_up, config.date_style)}.")
    return " ".join(parts)


def action_row(config: Config, action: Action, as_of: dt.date) -> dict[str, Any]:
    """An action as plain data for templates."""
    status = action.status_as_of(as_of)
    note = latest_note(action, as_of)
    follow_up = last_follow_up(action, as_of)
    due = action.due_as_of(as_of)
    return {
        "id": action.id,
        "item": action.item,
        "item_title": action.item_title,
        "title": action.title,
        "responsible": action.responsible,
        "text": action.text,
        "status": status,
        "status_label": config.label("action", status),
        "category": "open" if config.is_open("action", status) else "done",
        "note": note.note if note else "",
        "note_date": format_date(note.date, config.date_style) if note else "",
        "followed_up": format_date(follow_up, config.date_style) if follow_up else "",
        "status_text": status_text(config, action, as_of),
        "standing_status": sentence(note.note) if note else sentence(config.label("action", status)),
        "deadline": action.deadline or action.deadline_words(due, config.date_style) or "N/A",
        "due": str(due) if due else "",
        "days_overdue": days_overdue(action, config, as_of),
    }


def shown_on_list(config: Config, action: Action, as_of: dt.date, since: dt.date | None) -> bool:
    """Open actions always; done ones only when they were closed on or after `since` (all of them without it)."""
    if since is None or config.is_open("action", action.status_as_of(as_of)):
        return True
    closed = closed_on(action, as_of)
    return closed is None or closed >= since


def actions_context(records: RecordSet, config: Config, committee: str, as_of: dt.date,
                    since: dt.date | None = None, source: str = "uncommitted records") -> dict[str, Any]:
    """Everything the Summary List of Actions shows, as plain data: meetings newest first, then standing items."""
    if committee not in config.committees:
        known = ", ".join(sorted(config.committees)) or "none yet"
        raise TrackerError(f"unknown committee {committee!r} (tracker.yaml has {known})")
    style = config.date_style
    actions = [a for a in records.of(Action) if a.committee == committee and exists_on(records, a, as_of)
               and shown_on_list(config, a, as_of, since)]
    by_meeting: dict[dt.date, list[Action]] = {}
    standing = []
    for action in actions:
        if action.standing or action.meeting is None:
            standing.append(action)
        else:
            by_meeting.setdefault(action.meeting, []).append(action)
    titles = {m.date: m.title for m in records.meetings_of(committee)}
    meetings: list[dict[str, Any]] = []
    for date in sorted(by_meeting, reverse=True):
        ordered = sorted(by_meeting[date], key=lambda a: (natural_key(a.item), a.created or date, a.id))
        shown = [action_row(config, a, as_of) for a in ordered]
        meetings.append({
            "date": format_date(date, style), "date_iso": date.isoformat(), "title": titles.get(date, ""),
            "heading": f"Actions Arising from the Meeting Held on {format_date(date, style)}",
            "actions": shown, "table": table(ACTION_COLUMNS, [action_cells(row) for row in shown]),
        })
    standing.sort(key=lambda a: (a.created or dt.date.min, a.id))
    standing_rows = [action_row(config, a, as_of) for a in standing]
    rows = [row for meeting in meetings for row in meeting["actions"]]
    info = config.committees[committee]
    intro = "This list updates the Committee on the progress made on actions arising from its previous meetings"
    if since:
        intro += f": every outstanding action, and the actions completed or closed since {format_date(since, style)}"
    return {
        "committee": {"slug": committee, "name": info.name, "body": info.body},
        "title": "Summary List of Actions", "intro": intro + ".",
        "as_of": format_date(as_of, style), "as_of_iso": as_of.isoformat(),
        "since": format_date(since, style) if since else "", "since_iso": since.isoformat() if since else "",
        "meetings": meetings,
        "standing": standing_rows,
        "standing_table": table(STANDING_COLUMNS, [standing_cells(row) for row in standing_rows]),
        "counts": {"open": sum(r["category"] == "open" for r in rows), "done": sum(r["category"] == "done" for r in rows)},
        "source": source,
    }


def render_actions(records: RecordSet, config: Config, committee: str, as_of: dt.date, since: dt.date | None = None,
                   source: str = "uncommitted records", template: str = ACTIONS_TEMPLATE) -> str:
    """The Summary List of Actions as Markdown."""
    return render(config, template, actions_context(records, config, committee, as_of, since, source))


# ---------------------------------------------------------------- recommendations


def latest_update(record: Trackable, as_of: dt.date) -> Event | None:
    """The latest event carrying a note, whatever its kind."""
    for event in reversed(record.events_until(as_of)):
        if event.note:
            return event
    return None


def recommendation_row(config: Config, recommendation: Recommendation, responses: list[Response],
                       as_of: dt.date, records: RecordSet | None = None) -> dict[str, Any]:
    """A recommendation, the responses citing it and its latest update, as plain data."""
    style = config.date_style
    status = recommendation.status_as_of(as_of)
    due = recommendation.due_as_of(as_of)
    update = latest_update(recommendation, as_of)
    cited = []
    for response in responses:
        answer = response.answer_to(recommendation.number)
        if response.date <= as_of and answer is not None:
            cited.append({"id": response.id, "body": config.canonical_body(response.from_body), "date": format_date(response.date, style),
                          "date_iso": response.date.isoformat(), "year": response.date.year,
                          "summary": response.summary, "position": answer.position,
                          "position_label": answer.position.replace("-", " ").capitalize(), "text": answer.text,
                          "url": response.url, "appendix": response.appendix})
    overdue = days_overdue(recommendation, config, as_of)
    return {
        "id": recommendation.id, "number": recommendation.number, "text": recommendation.text,
        "to": list(recommendation.to), "due": str(due) if due else "",
        "due_words": recommendation.deadline_words(due, style), "status": status,
        "status_label": config.label("recommendation", status),
        "category": "open" if config.is_open("recommendation", status) else "done",
        "days_overdue": overdue, "overdue_words": f" (overdue by {overdue} days)" if overdue else "", "responses": cited,
        "latest_update": {"date": format_date(update.date, style), "date_iso": update.date.isoformat(), "note": update.note,
                          "heading": _update_heading(records, update, style)}
        if update else None,
    }


def _update_heading(records: RecordSet | None, update: Event, style: str) -> str:
    """How a paper heads the latest word on an item: "Update, 2 May 2022", or for a remark made at a meeting
    "Said at the meeting of 24 March 2022"."""
    if update.at_meeting:
        meeting = records.records.get(update.at_meeting) if records is not None else None
        when = meeting.date if isinstance(meeting, Meeting) else update.date
        return f"Said at the meeting of {format_date(when, style)}"
    return f"Update, {format_date(update.date, style)}"


def summary_line(counts: dict[str, int], as_of: str) -> str:
    """The counts a paper opens with; those needing attention are exactly what `tracker overdue` lists."""
    total = counts["open"] + counts["done"]
    noun = "recommendation" if total == 1 else "recommendations"
    attention = counts["attention"]
    line = f"{total} {noun}: {counts['open']} open, {counts['done']} done. As of {as_of}, {attention} "
    line += "needs" if attention == 1 else "need"
    line += " chasing"
    if attention:
        line += (f": {counts['overdue']} overdue, {counts['responses_overdue']} with a response overdue, "
                 f"{counts['follow_ups_due']} due a follow-up")
    return line + "."


def recommendations_context(records: RecordSet, config: Config, report_ref: str, as_of: dt.date,
                            source: str = "uncommitted records") -> dict[str, Any]:
    """A report and its recommendations in number order, the information requested at the meeting that received
    it, and counts that agree with `tracker overdue` on the day, as plain data."""
    from tracker.questions.query import Filters, needs_attention

    style = config.date_style
    report = records.report(report_ref)
    responses = records.responses_to(report.id)
    rows = [recommendation_row(config, r, responses, as_of, records) for r in records.recommendations_of(report.id)
            if exists_on(records, r, as_of)]
    chased = [item.reasons for item in needs_attention(records, config, as_of, Filters(committee=report.committee))
              if isinstance(item.record, Recommendation) and item.record.report == report.id]
    counts = {"open": sum(r["category"] == "open" for r in rows), "done": sum(r["category"] == "done" for r in rows),
              "attention": len(chased),
              "overdue": sum(any(r.reason == "overdue" for r in reasons) for reasons in chased),
              "responses_overdue": sum(any(r.reason == "response-overdue" for r in reasons) for reasons in chased),
              "follow_ups_due": sum(any(r.reason == "follow-up-due" for r in reasons) for reasons in chased)}
    committee = config.committees.get(report.committee)
    published = report.published
    meeting = records.records.get(report.presented_at) if report.presented_at else None
    requests = _requests(records, config, meeting, as_of) if isinstance(meeting, Meeting) else []
    return {
        "report": {"id": report.id, "slug": report.slug, "title": report.title, "url": report.url,
                   "published": format_date(published.last_day(), style) if published.day
                   else published.in_words(style).removeprefix("By ").removeprefix("the end of "),
                   "committee": committee.name if committee else report.committee,
                   "body": committee.body if committee else "",
                   "presented_at": format_date(meeting.date, style) if isinstance(meeting, Meeting) else "",
                   "response_due": format_date(report.responses_due(config.response_days), style)},
        "committee": {"slug": report.committee, "name": committee.name if committee else report.committee,
                      "body": committee.body if committee else ""},
        "source": source,
        "requests": requests,
        "requests_table": table(REQUEST_COLUMNS, [request_cells(row) for row in requests]),
        "table": table(RECOMMENDATION_COLUMNS, [recommendation_cells(row) for row in rows]),
        "as_of": format_date(as_of, style), "as_of_iso": as_of.isoformat(),
        "recommendations": rows, "counts": counts, "summary": summary_line(counts, format_date(as_of, style)),
        "responses": [{"body": r.from_body, "date": format_date(r.date, style), "summary": r.summary, "url": r.url,
                       "numbers": list(r.numbers)} for r in responses if r.date <= as_of],
    }


def recommendations_template(name: str) -> str:
    """The file of a recommendations template given by its short name (or a file name in templates/)."""
    if name in RECOMMENDATIONS_TEMPLATES:
        return RECOMMENDATIONS_TEMPLATES[name]
    if name.endswith(".j2"):
        return name
    known = ", ".join(RECOMMENDATIONS_TEMPLATES)
    raise TrackerError(f"no recommendations template {name!r}", hint=f"use one of {known}, or a file name in templates/")


def render_recommendations(records: RecordSet, config: Config, report_ref: str, as_of: dt.date,
                           template: str = "default", source: str = "uncommitted records") -> str:
    """A report's recommendations as Markdown."""
    context = recommendations_context(records, config, report_ref, as_of, source)
    return render(config, recommendations_template(template), context)
