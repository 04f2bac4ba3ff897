"""Atom feeds (RFC 4287) of status changes: one for everything, one per committee, one per body.

Every feed links to itself (`rel="self"`): absolutely when the site's address is known (tracker.yaml `site_url` or
`tracker site --site-url`), else by a link relative to the feed file, which a reader resolves against the address it
fetched the feed from. IDs are the feed's address, or a `tag:` URI when there is none; an entry's ID is a `tag:` URI
made from the record's ID and the event's place in its history, so it stays the same from one build to the next.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from tracker.model.dates import format_date
from tracker.model.records import Trackable
from tracker.model.recordset import RecordSet
from tracker.questions.query import owners
from tracker.storage.config import Config
from tracker.text.markdown import plain
from tracker.text.templating import render

FEED_ENTRIES = 100
TAG_AUTHORITY = "committee-tracker"


class Entry(NamedTuple):
    """One status change of one record, as a feed shows it."""

    id: str
    title: str
    updated: str
    summary: str
    page: str  # the record's page, relative to the docs folder, as built (.html)
    record: Trackable
    committee: str
    sort: tuple[Any, ...]


def authority(site_url: str) -> str:
    """The tag: URI authority: the site's host name, else a fixed name."""
    return re.sub(r"^[a-z][a-z0-9+.-]*://", "", site_url).split("/")[0].split(":")[0] or TAG_AUTHORITY


def entries(records: RecordSet, config: Config, as_of: dt.date, site_url: str, name_of: Callable[[Trackable], str],
            page_of: Callable[[Trackable], str]) -> list[Entry]:
    """Every status change up to as_of, newest first. name_of(record) names a record in a title ("Recommendation 3,
    Probation services in London"); page_of(record) is its page (relative to the docs folder, .md)."""
    host = authority(site_url)
    found: list[Entry] = []
    for record in records:
        if not isinstance(record, Trackable):
            continue
        slug = records.committee_of(record)
        committee = config.committees.get(slug)
        committee_name = committee.name if committee else slug
        for index, event in enumerate(record.history):
            if event.date > as_of or not event.changes_status:
                continue
            before = config.label(record.kind, event.from_status) if event.from_status else ""
            after = config.label(record.kind, event.status)
            change = f"{before} → {after}" if before else f"Now {after}"
            note = plain(event.note)
            found.append(Entry(
                id=f"tag:{host},{event.date.isoformat()}:{record.id}/{index}",
                title=f"{committee_name}: {name_of(record)} — {after}",
                updated=f"{event.date.isoformat()}T00:00:00Z",
                summary=f"{change} on {format_date(event.date, config.date_style)}." + (f" {note}" if note else ""),
                page=page_of(record).removesuffix(".md") + ".html",
                record=record, committee=slug, sort=(event.date, record.id, index)))
    found.sort(key=lambda e: e.sort, reverse=True)
    return found


def feed_xml(config: Config, path: str, title: str, chosen: list[Entry], site_url: str, home: str,
             as_of: dt.date) -> str:
    """The Atom document for the feed at path (relative to the docs folder) with the newest of the entries chosen."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    folder = posixpath.dirname(path)

    def href(page: str) -> str:
        return base + page if base else posixpath.relpath(page, folder or ".")

    shown = chosen[:FEED_ENTRIES]
    return render(config, "feed.xml.j2", {
        "title": title,
        "id": base + path if base else f"tag:{TAG_AUTHORITY},2000:{path}",
        "self_link": href(path),
        "home": href(home),
        "updated": shown[0].updated if shown else f"{as_of.isoformat()}T00:00:00Z",
        "entries": [{"id": e.id, "title": e.title, "updated": e.updated, "summary": e.summary, "link": href(e.page)}
                    for e in shown],
    })


def owed_by(config: Config, entry: Entry) -> set[str]:
    """The canonical names of the bodies the entry's record is owed by."""
    return {config.canonical_body(name) for name in owners(entry.record)}
