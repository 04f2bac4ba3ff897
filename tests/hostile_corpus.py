"""The hostile-record corpus of tests/hostile/payloads.yaml, written out as a records repository.

For each payload there is a meeting, an action arising at it, a standing item, a report with two recommendations and
a response: the payload in every text field (single-line fields get it with its line breaks as spaces), and links,
deadlines and histories that put every record on every output (overdue, chased, in the calendar, in the feed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tracker.storage.writer import dump_record

HERE = Path(__file__).resolve().parent
PAYLOADS = HERE / "hostile" / "payloads.yaml"
PROJECT = HERE.parent
FIRST_MEETING = dt.date(2022, 1, 3)


@dataclass(frozen=True)
class Payload:
    name: str
    text: str


def load_payloads() -> tuple[list[Payload], list[Payload]]:
    """(payloads that pass validation, with the all-at-once and the 100,000-character ones; control-character
    payloads that only reach outputs by bypassing validation)."""
    data = yaml.safe_load(PAYLOADS.read_text(encoding="utf-8"))
    payloads = [Payload(p["name"], p["text"]) for p in data["payloads"]]
    everything = Payload("all at once", "\n\n".join(p.text for p in payloads))
    long = data["long"]
    unit = long["unit"]
    payloads += [everything, Payload(long["name"], (unit * (long["length"] // len(unit) + 1))[: long["length"]])]
    return payloads, [Payload(p["name"], p["text"]) for p in data["bypass"]]


def one_line(text: str) -> str:
    return re.sub("[\n\r\u2028\u2029\x85]+", " ", text)


def records_for(index: int, text: str) -> list[dict[str, Any]]:
    """The records carrying one payload: every kind, every text field (a text so long that a record of every
    kind of event would pass the 1,000,000-byte limit gets two events)."""
    line = one_line(text)
    day = FIRST_MEETING + dt.timedelta(days=7 * index)
    meeting = f"pcc-{day.isoformat()}"
    report = f"pcc-hostile-{index}"
    response = f"{report}-{(day + dt.timedelta(days=3)).isoformat()}-body"
    history = [
        {"date": (day + dt.timedelta(days=1)).isoformat(), "event": "note", "note": text, "by": line},
        {"date": (day + dt.timedelta(days=2)).isoformat(), "event": "reschedule", "previous_due": "2023-01",
         "due": "2023-02", "reason": text, "by": line},
        {"date": (day + dt.timedelta(days=3)).isoformat(), "event": "status", "from": "ongoing", "status": "ongoing",
         "note": text, "evidence": text, "by": line},
        {"date": (day + dt.timedelta(days=4)).isoformat(), "event": "follow-up", "note": text, "by": line},
    ]
    if len(text) > 50_000:
        history = history[:2]
    recommendation_history = [
        {"date": (day + dt.timedelta(days=1)).isoformat(), "event": "note", "note": text, "by": line},
        {"date": (day + dt.timedelta(days=3)).isoformat(), "event": "response", "response": response,
         "from": "awaiting-response", "status": "accepted", "note": text, "by": line},
    ]
    return [
        {"id": meeting, "kind": "meeting", "committee": "pcc", "date": day.isoformat(), "title": line,
         "url": f"https://example.org/meetings/{index}?q=%3Cscript%3E"},
        {"id": f"{meeting}-7a", "kind": "action", "committee": "pcc", "meeting": day.isoformat(), "item": "7",
         "item_title": line, "responsible": line, "text": text, "status": "ongoing", "due": "2023-02",
         "history": history},
        {"id": f"pcc-standing-hostile-{index}", "kind": "action", "committee": "pcc", "standing": True,
         "title": line, "responsible": line, "text": text, "deadline": line, "status": "ongoing",
         "created": day.isoformat(), "due": "2023-03-01", "history": history[:1]},
        {"id": report, "kind": "report", "committee": "pcc", "slug": f"hostile-{index}", "title": line,
         "published": day.isoformat(), "url": f"https://example.org/reports/{index}"},
        {"id": f"{report}-r1", "kind": "recommendation", "report": report, "number": 1, "text": text,
         "to": [line, "Plain Body"], "status": "accepted", "due": "2023-06", "history": recommendation_history},
        {"id": f"{report}-r2", "kind": "recommendation", "report": report, "number": 2, "text": text,
         "to": [line], "status": "awaiting-response", "due": "2023-06"},
        {"id": response, "kind": "response", "report": report, "from": line,
         "date": (day + dt.timedelta(days=3)).isoformat(), "summary": text, "appendix": line,
         "url": f"https://example.org/responses/{index}",
         "recommendations": [{"number": 1, "position": "accepted", "text": text}]},
    ]


def path_of(record: dict[str, Any]) -> str:
    kind = record["kind"]
    if kind == "meeting":
        return f"records/pcc/meetings/{record['id']}.yaml"
    if kind == "action":
        folder = "standing" if record.get("standing") else record["meeting"][:4]
        return f"records/pcc/actions/{folder}/{record['id']}.yaml"
    report = record["id"] if kind == "report" else record["report"]
    slug = report.removeprefix("pcc-")
    sub = {"report": "", "recommendation": "recommendations/", "response": "responses/"}[kind]
    return f"records/pcc/reports/{slug}/{sub}{record['id']}.yaml"


def write_corpus(root: Path) -> tuple[list[Payload], int]:
    """A records repository at root holding the corpus; (the payloads, how many records)."""
    payloads, _ = load_payloads()
    root.mkdir(parents=True, exist_ok=True)
    # The bundled settings without the list of bodies: with it, a name that is not one of them is refused, and the
    # corpus's hostile names must reach every output.
    settings = yaml.safe_load((PROJECT / "tracker.yaml").read_text(encoding="utf-8"))
    settings.pop("bodies", None)
    (root / "tracker.yaml").write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True), encoding="utf-8")
    count = 0
    for index, payload in enumerate(payloads):
        for record in records_for(index, payload.text):
            rel = path_of(record)
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(dump_record(record, rel), encoding="utf-8")
            count += 1
    return payloads, count
