"""Counting the records: by committee, kind, status and responsible body, and how long items stay open."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from tracker.model.records import Trackable
from tracker.model.recordset import RecordSet
from tracker.questions.query import exists_on, owners
from tracker.storage.config import Config


def stats(config: Config, records: RecordSet, as_of: dt.date) -> dict[str, Any]:
    """Counts as things stood on as_of, and the median days open of open items and of items closed."""
    by_committee: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_body: Counter[str] = Counter()
    open_days: list[int] = []
    closed_days: list[int] = []
    for record in records:
        if not exists_on(records, record, as_of):
            continue
        by_committee[records.committee_of(record)] += 1
        by_kind[record.kind] += 1
        if not isinstance(record, Trackable):
            continue
        status = record.status_as_of(as_of)
        by_status[f"{record.kind}: {status}"] += 1
        is_open = config.is_open(record.kind, status)
        if is_open:
            for body in owners(record):
                by_body[config.canonical_body(body)] += 1
        created = records.created(record)
        if created is None:
            continue
        if is_open:
            open_days.append((as_of - created).days)
        else:
            change = record.last_status_change(as_of)
            if change is not None:
                closed_days.append((change.date - created).days)
    return {
        "as_of": as_of.isoformat(),
        "by_committee": dict(sorted(by_committee.items())),
        "by_kind": dict(sorted(by_kind.items())),
        "by_status": dict(sorted(by_status.items())),
        "open_by_responsible": dict(sorted(by_body.items(), key=lambda kv: (-kv[1], kv[0]))),
        "median_days_open": _median(open_days),
        "median_days_to_close": _median(closed_days),
    }


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The counts as (group, key, count) rows for tables and CSV."""
    groups = ("by_committee", "by_kind", "by_status", "open_by_responsible")
    counts = [{"group": group, "key": key, "count": count} for group in groups for key, count in result[group].items()]
    medians = ("median_days_open", "median_days_to_close")
    return counts + [{"group": "median", "key": name, "count": result[name]} for name in medians]
