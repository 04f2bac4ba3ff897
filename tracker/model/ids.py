"""Readable, stable IDs derived from natural keys, and where each record's file lives.

meeting        <committee>-<date>                    records/<committee>/meetings/
action         <committee>-<meeting date>-<item><seq> records/<committee>/actions/<year>/
standing item  <committee>-standing-<slug>           records/<committee>/actions/standing/
report         <committee>-<slug>                    records/<committee>/reports/<slug>/
recommendation <report id>-r<number>                 records/<committee>/reports/<slug>/recommendations/
response       <report id>-<date>-<from slug>        records/<committee>/reports/<slug>/responses/
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Collection
from typing import TYPE_CHECKING

from tracker.model.errors import TrackerError
from tracker.model.numbers import Number

if TYPE_CHECKING:
    from tracker.model.records import Record

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
def slugify(text: str, max_words: int = 8) -> str:
    """Lower-case ASCII words joined by hyphens: "Missing children in London" → missing-children-in-london."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    return "-".join(words[:max_words])


def check_slug(value: str, what: str) -> str:
    if not SLUG.match(value):
        raise TrackerError(f"{what} {value!r} must be lower-case letters, digits and hyphens (e.g. pcc)")
    return value


def meeting_id(committee: str, date: dt.date) -> str:
    return f"{committee}-{date.isoformat()}"


def _item_part(item: str) -> str:
    part = slugify(item.replace(".", "-"))
    return part + "-" if part[-1:].isalpha() else part


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_lowercase[remainder] + letters
    return letters


def action_id(committee: str, meeting: dt.date, item: str, taken: Collection[str]) -> str:
    """The next free ID for an action of this meeting item: ...-6a, then ...-6b."""
    prefix = f"{meeting_id(committee, meeting)}-{_item_part(item)}"
    index = 0
    while prefix + _letters(index) in taken:
        index += 1
    return prefix + _letters(index)


def standing_id(committee: str, title: str) -> str:
    return f"{committee}-standing-{slugify(title, 4)}"


def report_id(committee: str, slug: str) -> str:
    return f"{committee}-{slug}"


def recommendation_id(report: str, number: Number) -> str:
    return f"{report}-r{number}"


def response_id(report: str, date: dt.date, from_body: str) -> str:
    return f"{report}-{date.isoformat()}-{slugify(from_body, 5)}"


def expected_id(record: Record) -> str | None:
    """The ID the naming scheme gives this record, or None where the record's own ID is acceptable."""
    from tracker.model.records import Action, Meeting, Recommendation, Report, Response

    if isinstance(record, Meeting):
        return meeting_id(record.committee, record.date)
    if isinstance(record, Report):
        return report_id(record.committee, record.slug)
    if isinstance(record, Recommendation):
        return recommendation_id(record.report, record.number)
    if isinstance(record, Action):
        if record.standing:
            return None if record.id.startswith(f"{record.committee}-standing-") else f"{record.committee}-standing-…"
        assert record.meeting is not None
        prefix = f"{meeting_id(record.committee, record.meeting)}-{_item_part(record.item)}"
        seq = record.id[len(prefix):] if record.id.startswith(prefix) else ""
        # A plain test rather than a regular expression built per record: validating 50,000 actions compiled 50,000.
        return None if seq and all("a" <= letter <= "z" for letter in seq) else prefix + "a"
    if isinstance(record, Response):
        prefix = f"{record.report}-{record.date.isoformat()}-"
        return None if record.id.startswith(prefix) else prefix + slugify(record.from_body, 5)
    return None


def record_folder(kind: str, committee: str, *, year: int | None = None, report_slug: str = "", standing: bool = False) -> str:
    """The folder, relative to the repository root, where a record of this kind lives."""
    base = f"records/{committee}"
    if kind == "meeting":
        return f"{base}/meetings"
    if kind == "action":
        return f"{base}/actions/standing" if standing else f"{base}/actions/{year}"
    if kind == "report":
        return f"{base}/reports/{report_slug}"
    return f"{base}/reports/{report_slug}/{kind}s"
