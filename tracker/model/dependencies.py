"""The names a record is known by, so that what an edit can change is found from what each rule declares it reads.

An answer about one record (its problems, whether it needs chasing) depends on that record, on every record known by
one of its names (another file with its ID; the other recommendations of its report), and on the records known by a
name its rule declares it needs (`check_needs` beside the checks in storage/validate.py, `attention_needs` beside the
overdue rules in questions/query.py). After an edit, only the answers of the records that share a name with the
edited files, or need one of their names, are worked out again (storage/parts.py). Declaring too much costs time;
declaring too little gives a wrong answer after an edit, which tests/test_parts.py looks for.
"""

from __future__ import annotations

from tracker.model.records import Recommendation, Record, Response


def known_as(record: Record) -> tuple[str, ...]:
    """Its ID first, then, for a recommendation or a response, the group it belongs to in its report."""
    if isinstance(record, (Recommendation, Response)):
        return (record.id, group(record.report, record.kind))
    return (record.id,)


def group(report_id: str, kind: str) -> str:
    """The name a report's recommendations (kind "recommendation") or responses share."""
    return f"{report_id}/{kind}s"
