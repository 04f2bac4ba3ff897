"""Small records repositories written file by file, for the chasing tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from tracker.model.recordset import RecordSet
from tracker.storage.config import Config, load_config
from tracker.storage.store import load_records


def write(root: Path, rel: str, data: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def report(root: Path, slug: str, published: str, **extra: Any) -> str:
    report_id = f"pcc-{slug}"
    write(root, f"records/pcc/reports/{slug}/{report_id}.yaml",
          {"id": report_id, "kind": "report", "committee": "pcc", "slug": slug, "title": slug.replace("-", " ").title(),
           "published": published, **extra})
    return report_id


def recommendation(root: Path, slug: str, number: int, to: list[str], status: str = "awaiting-response",
                   **extra: Any) -> str:
    rec_id = f"pcc-{slug}-r{number}"
    write(root, f"records/pcc/reports/{slug}/recommendations/{rec_id}.yaml",
          {"id": rec_id, "kind": "recommendation", "report": f"pcc-{slug}", "number": number,
           "text": f"Recommendation number {number}.", "to": to, "status": status, **extra})
    return rec_id


def response(root: Path, slug: str, date: str, from_body: str, numbers: list[int]) -> str:
    from_slug = from_body.lower().replace(" ", "-")
    response_id = f"pcc-{slug}-{date}-{from_slug}"
    write(root, f"records/pcc/reports/{slug}/responses/{response_id}.yaml",
          {"id": response_id, "kind": "response", "report": f"pcc-{slug}", "from": from_body,
           "date": dt.date.fromisoformat(date), "summary": "A reply.",
           "recommendations": [{"number": n, "position": "accepted"} for n in numbers]})
    return response_id


def action(root: Path, meeting: str, item: str, responsible: str, status: str = "ongoing", **extra: Any) -> str:
    action_id = f"pcc-{meeting}-{item}a"
    if not (root / f"records/pcc/meetings/pcc-{meeting}.yaml").exists():
        write(root, f"records/pcc/meetings/pcc-{meeting}.yaml",
              {"id": f"pcc-{meeting}", "kind": "meeting", "committee": "pcc", "date": dt.date.fromisoformat(meeting)})
    write(root, f"records/pcc/actions/{meeting[:4]}/{action_id}.yaml",
          {"id": action_id, "kind": "action", "committee": "pcc", "meeting": dt.date.fromisoformat(meeting),
           "item": item, "item_title": f"Item {item} title", "responsible": responsible,
           "text": "To send the figures.", "status": status, **extra})
    return action_id


def load(root: Path) -> tuple[Config, RecordSet]:
    config = load_config(root)
    records = load_records(config)
    assert not records.problems, records.problems
    return config, records
