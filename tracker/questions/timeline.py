"""A record's timeline: the events its history records, merged with the git commits that changed its file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tracker.model.dates import format_date
from tracker.model.records import Event, Record, Trackable
from tracker.storage.config import Config
from tracker.storage.gitio import CommitInfo


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: a history event or a commit."""

    date: dt.date
    event: Event | None = None
    commit: CommitInfo | None = None

    def to_json(self) -> dict[str, Any]:
        if self.event is not None:
            return {"date": self.date.isoformat(), "source": "history", **self.event.to_json()}
        assert self.commit is not None
        return {"date": self.date.isoformat(), "source": "git", **self.commit.to_json()}


def merge(record: Record, commits: list[CommitInfo]) -> list[Entry]:
    """History events and commits, oldest first; on the same day the event comes before the commit recording it."""
    entries = [(event.date, 0, index, Entry(event.date, event=event))
               for index, event in enumerate(record.history if isinstance(record, Trackable) else ())]
    entries += [(commit.when.date(), 1, index, Entry(commit.when.date(), commit=commit))
                for index, commit in enumerate(commits)]
    return [entry for *_, entry in sorted(entries, key=lambda item: item[:3])]


def as_text(config: Config, record: Record, entries: list[Entry]) -> str:
    from tracker.questions.output import describe_event

    lines = [f"{record.id}  ({record.path})"]
    if not entries:
        lines.append("no history events and no commits")
    for entry in entries:
        if entry.event is not None:
            lines.append("  " + describe_event(config, record.kind, entry.event))
        else:
            commit = entry.commit
            assert commit is not None
            when = f"{format_date(commit.when.date(), config.date_style)}:"
            lines.append(f"  {when} commit {commit.sha[:7]} by {commit.author} at {commit.when:%H:%M}: {commit.subject}")
    return "\n".join(lines) + "\n"
