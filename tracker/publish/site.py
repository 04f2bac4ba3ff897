"""The published site: Markdown pages for MkDocs, its mkdocs.yml, and an Atom feed of status changes.

`site_files` builds every file in memory (path -> text); `write_site` puts them on disk.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from tracker.model.dates import format_date
from tracker.model.records import Action, Recommendation, Report, Trackable
from tracker.model.recordset import RecordSet
from tracker.publish.render import (
    ACTIONS_TEMPLATE,
    RECOMMENDATIONS_TEMPLATES,
    actions_context,
    recommendations_context,
)
from tracker.questions.query import exists_on, needs_attention, owners, sort_key, title_of
from tracker.storage.config import Config
from tracker.text.templating import render

DOCS = "docs"
FEED_ENTRIES = 100
REASON_WORDS = {"overdue": "Overdue", "response-overdue": "Response overdue", "follow-up-due": "Follow-up due"}


def slugify(text: str) -> str:
    """A file name made from a name: "HM Courts & Tribunals Service" -> "hm-courts-tribunals-service"."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "body"


def actions_page(committee: str) -> str:
    return f"{committee}/actions.md"


def report_page(report: Report) -> str:
    return f"{report.committee}/reports/{report.slug}.md"


def page_of(records: RecordSet, record: Trackable) -> str:
    """The page a record appears on, relative to the docs folder."""
    if isinstance(record, Recommendation):
        report = records.records.get(record.report)
        if isinstance(report, Report):
            return report_page(report)
    return actions_page(records.committee_of(record))


def _link(from_page: str, to_page: str) -> str:
    """A relative link between two pages of the docs folder, as MkDocs resolves them."""
    depth = from_page.count("/")
    return "../" * depth + to_page


def status_counts(records: RecordSet, config: Config, committee: str, as_of: dt.date) -> list[dict[str, Any]]:
    """Per kind, how many items of the committee stood at each status on as_of, in vocabulary order."""
    counts = []
    for kind in ("action", "recommendation"):
        items = [r for r in records if isinstance(r, Trackable) and r.kind == kind
                 and records.committee_of(r) == committee and exists_on(records, r, as_of)]
        if not items:
            continue
        by_status: dict[str, int] = {}
        for item in items:
            status = item.status_as_of(as_of)
            by_status[status] = by_status.get(status, 0) + 1
        order = list(config.statuses.get(kind, {}))
        rows = [{"status": s, "label": config.label(kind, s), "category": "open" if config.is_open(kind, s) else "done",
                 "count": n} for s, n in sorted(by_status.items(), key=lambda kv: (_index(order, kv[0]), kv[0]))]
        counts.append({"kind": kind, "plural": f"{kind}s", "total": len(items), "statuses": rows})
    return counts


def _index(order: list[str], slug: str) -> int:
    return order.index(slug) if slug in order else len(order)


def body_items(records: RecordSet, config: Config, as_of: dt.date) -> dict[str, list[Trackable]]:
    """Every open item, grouped by the canonical name of each body that owes it."""
    grouped: dict[str, list[Trackable]] = {}
    for record in records:
        if not isinstance(record, Trackable) or not exists_on(records, record, as_of):
            continue
        if not config.is_open(record.kind, record.status_as_of(as_of)):
            continue
        for owner in owners(record):
            grouped.setdefault(config.canonical_body(owner), []).append(record)
    return {name: sorted(items, key=lambda record: sort_key(records, record))
            for name, items in sorted(grouped.items(), key=lambda kv: kv[0].casefold())}


def _item(records: RecordSet, config: Config, record: Trackable, as_of: dt.date, from_page: str) -> dict[str, Any]:
    due = record.due_as_of(as_of)
    status = record.status_as_of(as_of)
    committee = config.committees.get(records.committee_of(record))
    return {"id": record.id, "title": title_of(records, record), "kind": record.kind,
            "committee": committee.name if committee else records.committee_of(record),
            "status_label": config.label(record.kind, status),
            "due": record.deadline_words(due, config.date_style), "responsible": "; ".join(owners(record)),
            "link": _link(from_page, page_of(records, record))}


def feed_entries(records: RecordSet, config: Config, as_of: dt.date, base_url: str) -> list[dict[str, Any]]:
    """Status changes from the records' histories, newest first."""
    authority = re.sub(r"^[a-z]+://", "", base_url).split("/")[0] or "committee-tracker"
    entries: list[dict[str, Any]] = []
    for record in records:
        if not isinstance(record, Trackable):
            continue
        for index, event in enumerate(record.history):
            if event.date > as_of or not event.changes_status:
                continue
            before = config.label(record.kind, event.from_status) if event.from_status else ""
            after = config.label(record.kind, event.status)
            title = title_of(records, record)
            entries.append({
                "id": f"tag:{authority},{event.date.isoformat()}:{record.id}/{index}",
                "title": f"{after}: {title}",
                "updated": f"{event.date.isoformat()}T00:00:00Z",
                "date": format_date(event.date, config.date_style),
                "summary": (f"{before} → {after}" if before else after) + (f". {event.note}" if event.note else ""),
                "link": page_of(records, record).removesuffix(".md") + ".html",
                "record": record.id,
                "sort": (event.date, record.id, index),
            })
    entries.sort(key=lambda e: e["sort"], reverse=True)
    return entries[:FEED_ENTRIES]


def mkdocs_config(config: Config, nav: list[Any]) -> str:
    import yaml

    bodies = {c.body for c in config.committees.values() if c.body}
    name = "Committee actions and recommendations"
    if len(bodies) == 1:
        name = f"{bodies.pop()}: committee actions and recommendations"
    settings: dict[str, Any] = {"site_name": name}
    if config.site_url:
        settings["site_url"] = config.site_url
    settings.update({"docs_dir": DOCS, "use_directory_urls": False, "theme": {"name": "mkdocs"},
                     "markdown_extensions": ["tables", "toc"], "nav": nav})
    text: str = yaml.safe_dump(settings, sort_keys=False, allow_unicode=True)
    return "# Written by `tracker site`; build with `mkdocs build`.\n" + text


def site_files(records: RecordSet, config: Config, as_of: dt.date, source: str = "uncommitted records") -> dict[str, str]:
    """Every file of the site, by path relative to OUTDIR."""
    style = config.date_style
    docs: dict[str, str] = {}
    nav: list[Any] = [{"Home": "index.md"}]
    committees = []
    for slug, committee in config.committees.items():
        section: list[Any] = []
        has_actions = any(isinstance(a, Action) and a.committee == slug for a in records)
        if has_actions:
            docs[actions_page(slug)] = render(config, ACTIONS_TEMPLATE,
                                                       actions_context(records, config, slug, as_of, None, source))
            section.append({"Summary List of Actions": actions_page(slug)})
        reports = sorted((r for r in records.of(Report) if r.committee == slug and exists_on(records, r, as_of)),
                         key=lambda r: (r.published, r.id), reverse=True)
        for report in reports:
            context = recommendations_context(records, config, report.id, as_of)
            docs[report_page(report)] = render(config, RECOMMENDATIONS_TEMPLATES["default"], context)
            section.append({report.title: report_page(report)})
        committees.append({"slug": slug, "name": committee.name, "body": committee.body,
                           "counts": status_counts(records, config, slug, as_of),
                           "actions_link": actions_page(slug) if has_actions else "",
                           "reports": [{"title": r.title, "link": report_page(r),
                                        "summary": recommendations_context(records, config, r.id, as_of)["summary"]}
                                       for r in reports]})
        if section:
            nav.append({committee.name: section})

    attention = []
    for item in needs_attention(records, config, as_of):
        row = _item(records, config, item.record, as_of, "overdue.md")
        row["reasons"] = "; ".join(
            f"{REASON_WORDS[r.reason]}{' from ' + r.addressee if r.addressee else ''}: {r.days} days "
            f"(since {format_date(r.since, style)})" for r in item.reasons)
        row["days"] = item.worst
        attention.append(row)
    docs["overdue.md"] = render(config, "site-overdue.md.j2", {"as_of": format_date(as_of, style), "items": attention})
    nav.append({"Needs attention": "overdue.md"})

    bodies = []
    used: set[str] = set()
    body_nav: list[Any] = []
    for name, items in body_items(records, config, as_of).items():
        slug = slugify(name)
        while slug in used:
            slug += "-2"
        used.add(slug)
        page = f"bodies/{slug}.md"
        rows = [_item(records, config, r, as_of, page) for r in items]
        docs[page] = render(config, "site-body.md.j2", {"name": name, "as_of": format_date(as_of, style), "items": rows})
        bodies.append({"name": name, "link": page, "count": len(rows)})
        body_nav.append({name: page})
    docs["bodies/index.md"] = render(config, "site-bodies.md.j2", {"as_of": format_date(as_of, style), "bodies": bodies})
    nav.append({"Who owes what": [{"All bodies": "bodies/index.md"}, *body_nav]})

    docs["index.md"] = render(config, "site-index.md.j2", {
        "as_of": format_date(as_of, style), "committees": committees, "source": source,
        "attention_count": len(attention)})

    base_url = config.site_url.rstrip("/") + "/" if config.site_url else ""
    entries = feed_entries(records, config, as_of, base_url)
    docs["feed.xml"] = render(config, "feed.xml.j2", {
        "title": "Committee actions and recommendations: status changes",
        "id": f"{base_url}feed.xml" if base_url else "tag:committee-tracker,2000:feed",
        "base_url": base_url,
        "updated": entries[0]["updated"] if entries else f"{as_of.isoformat()}T00:00:00Z",
        "entries": entries,
    })
    files = {f"{DOCS}/{path}": text for path, text in docs.items()}
    files["mkdocs.yml"] = mkdocs_config(config, nav)
    return files


def write_site(outdir: Path, files: dict[str, str]) -> list[Path]:
    """Write every file of the site under outdir (each atomically), creating folders as needed."""
    from tracker.storage.writer import replace

    written = []
    for rel, text in sorted(files.items()):
        target = outdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        replace(target.parent, target.name, text)
        written.append(target)
    return written
