"""Open data: the records as Popolo / Open Civic Data JSON, with a documented extension for what they lack.

Committees and the bodies they belong to or address are Organizations, meetings are Events, and every status change
is a dated action (as an Open Civic Data bill's actions are). Reports, recommendations, committee actions and
responses have no place in either standard; they are carried in the extension described in docs/popolo.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker import __version__
from tracker.model.ids import slugify
from tracker.model.numbers import number_key
from tracker.model.records import Action, Event, Meeting, Recommendation, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.storage.config import Config

EXTENSION = "https://github.com/committee-tracker/tracker/blob/main/docs/popolo.md"


def _org_id(name: str) -> str:
    return f"organization/{slugify(name, 12)}"


def _dated_actions(config: Config, record: Trackable, organization: str) -> list[dict[str, Any]]:
    actions = []
    for event in record.history:
        action: dict[str, Any] = {"date": event.date.isoformat(), "description": _describe(config, record.kind, event),
                                  "classification": [f"tracker:{event.event}"], "organization_id": organization}
        if event.changes_status:
            action["classification"].append(f"tracker:status:{event.status}")
            action["tracker:from_status"] = event.from_status or None
            action["tracker:status"] = event.status
        if event.note:
            action["tracker:note"] = event.note
        if event.evidence:
            action["tracker:evidence"] = event.evidence
        if event.response:
            action["tracker:response_id"] = event.response
        actions.append(action)
    return actions


def _describe(config: Config, kind: str, event: Event) -> str:
    from tracker.questions.output import describe_event

    return describe_event(config, kind, event).split(": ", 1)[-1]


def export(config: Config, records: RecordSet, as_of: dt.date) -> dict[str, Any]:
    """The whole repository as one JSON document."""
    organizations: dict[str, dict[str, Any]] = {}

    def organization(name: str, classification: str, parent: str = "") -> str:
        canonical = config.canonical_body(name)
        org_id = _org_id(canonical)
        if org_id not in organizations:
            organizations[org_id] = {"id": org_id, "name": canonical, "classification": classification}
            if parent:
                organizations[org_id]["parent_id"] = parent
        return org_id

    committees: dict[str, str] = {}
    for slug, spec in sorted(config.committees.items()):
        parent = organization(spec.body, "legislature") if spec.body else ""
        committees[slug] = f"organization/committee/{slug}"
        organizations[committees[slug]] = {"id": committees[slug], "name": spec.name, "classification": "committee",
                                           "identifiers": [{"scheme": "tracker", "identifier": slug}],
                                           **({"parent_id": parent} if parent else {})}
    events = [{"id": f"event/{m.id}", "name": m.title or f"Meeting of {m.committee}", "classification": "committee-meeting",
               "start_date": m.date.isoformat(), "organization_id": committees.get(m.committee), "tracker:id": m.id,
               "sources": [{"url": m.url}] if m.url else []}
              for m in sorted(records.of(Meeting), key=lambda m: (m.committee, m.date))]
    reports = [{"id": r.id, "title": r.title, "organization_id": committees.get(r.committee), "published": str(r.published),
                "response_due": r.responses_due(config.response_days).isoformat(),
                "sources": [{"url": r.url}] if r.url else []} for r in sorted(records.of(Report), key=lambda r: r.id)]
    recommendations = []
    for rec in sorted(records.of(Recommendation), key=lambda r: (r.report, number_key(r.number))):
        committee = committees.get(records.committee_of(rec), "")
        recommendations.append({
            "id": rec.id, "report_id": rec.report, "number": rec.number, "text": rec.text,
            "addressee_ids": [organization(body, "addressee") for body in rec.to],
            **_state(config, rec, as_of), "actions": _dated_actions(config, rec, committee)})
    actions = []
    for act in sorted(records.of(Action), key=lambda a: a.id):
        committee = committees.get(act.committee, "")
        actions.append({
            "id": act.id, "organization_id": committee,
            "event_id": f"event/{act.committee}-{act.meeting.isoformat()}" if act.meeting else None,
            "agenda_item": act.item or None, "title": act.heading, "standing": act.standing,
            "responsible": act.responsible, "text": act.text, **_state(config, act, as_of),
            "actions": _dated_actions(config, act, committee)})
    responses = [{"id": r.id, "report_id": r.report, "organization_id": organization(r.from_body, "addressee"),
                  "date": r.date.isoformat(), "summary": r.summary, "sources": [{"url": r.url}] if r.url else [],
                  "positions": [{"number": a.number, "position": a.position, "text": a.text or None} for a in r.answers]}
                 for r in sorted(records.of(Response), key=lambda r: r.id)]
    return {
        "meta": {"generator": f"tracker {__version__}", "as_of": as_of.isoformat(),
                 "standards": ["http://www.popoloproject.com/", "https://open-civic-data.readthedocs.io/"],
                 "extension": EXTENSION},
        "organizations": sorted(organizations.values(), key=lambda o: o["id"]),
        "events": events,
        "tracker:reports": reports,
        "tracker:recommendations": recommendations,
        "tracker:actions": actions,
        "tracker:responses": responses,
    }


def _state(config: Config, record: Trackable, as_of: dt.date) -> dict[str, Any]:
    status = record.status_as_of(as_of)
    due = record.due_as_of(as_of)
    return {"status": status, "status_label": config.label(record.kind, status),
            "open": config.is_open(record.kind, status), "due": str(due) if due else None,
            "due_date": due.last_day().isoformat() if due else None}
