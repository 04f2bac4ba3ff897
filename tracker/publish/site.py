"""The public site: Markdown pages for MkDocs with the Material theme, its mkdocs.yml, charts and Atom feeds.

`site_files` builds every file in memory (path -> text); `write_site` puts them on disk. Every action and every
recommendation has a page of its own with its history; lists link to it by a short title. The numbers behind the
charts come from tracker.trends, the feeds from tracker.feeds.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from tracker.model.dates import format_date
from tracker.model.errors import TrackerError
from tracker.model.numbers import Number, natural_key, number_key
from tracker.model.records import Action, Event, Recommendation, Report, Response, Trackable
from tracker.model.recordset import RecordSet
from tracker.model.textsafety import without_controls
from tracker.publish import charts, feeds
from tracker.publish.render import ACTIONS_TEMPLATE, actions_context
from tracker.questions import trends
from tracker.questions.query import (
    Reason,
    days_overdue,
    exists_on,
    missing_responses,
    needs_attention,
    owners,
    text_start,
)
from tracker.storage.config import Committee, Config
from tracker.text.filenames import file_stem
from tracker.text.markdown import link_text
from tracker.text.templating import read_template, render, renderer

DOCS = "docs"
HOOK = "hooks.py"
NAV_LABEL = 120  # characters of a name in the navigation menus; the page itself has it whole
OVERRIDES = "overrides"
STYLESHEET = "assets/site.css"
SHORT_TITLE = 60
FEED = "feed.xml"
MARK = "# Written by `tracker site`"  # the first line of the mkdocs.yml it writes
OWN_SUFFIXES = (".md", ".svg", ".xml", ".css", ".html")  # what it writes in docs/ and overrides/, and may remove


# ---------------------------------------------------------------- where things are


def _folder(committee: str) -> str:
    return file_stem(committee, "committee")


def committee_page(committee: str) -> str:
    return f"{_folder(committee)}/index.md"


def actions_page(committee: str) -> str:
    return f"{_folder(committee)}/actions.md"


def committee_feed(committee: str) -> str:
    return f"{_folder(committee)}/{FEED}"


def report_page(report: Report) -> str:
    return f"{_folder(report.committee)}/reports/{file_stem(report.slug, 'report')}.md"


def page_of(records: RecordSet, record: Trackable) -> str:
    """The record's own page, relative to the docs folder."""
    folder = "recommendations" if isinstance(record, Recommendation) else "actions"
    return f"{_folder(records.committee_of(record))}/{folder}/{file_stem(record.id, 'record')}.md"


def link(from_page: str, to_page: str) -> str:
    """A relative link between two files of the docs folder, as MkDocs resolves them."""
    return posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")


# ---------------------------------------------------------------- words


def shorten(text: str, limit: int = SHORT_TITLE) -> str:
    """Text cut at a word to at most limit characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def short_title(record: Trackable) -> str:
    """A name short enough for a link in a table: "Recommendation 3", "Item 6: To provide the Committee with…"."""
    if isinstance(record, Recommendation):
        return f"Recommendation {record.number}"
    if isinstance(record, Action) and not record.standing:
        # The start of the action's own text, not the item's title, tells apart the several actions of one item.
        prefix = f"Item {record.item}: "
        return prefix + text_start(record.text, SHORT_TITLE - len(prefix) - 1)
    return shorten(record.heading if isinstance(record, Action) else record.id)


def days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def overdue_words(n: int | None) -> str:
    return f"Overdue by {days(n)}" if n else ""


def _alt(text: str) -> str:
    """Text safe inside the brackets of a Markdown image."""
    return re.sub(r"([\[\]\\])", r"\\\1", " ".join(text.split()))


_WEB_ADDRESS = re.compile(r"^https?://[^\s()<>\[\]\\`]+$", re.IGNORECASE)


def web_address(url: str) -> str:
    """The url if it is a plain web address a Markdown link can hold (http or https, nothing that ends the link
    early), else "" so no link is made."""
    return url if _WEB_ADDRESS.match(url) else ""


def label(text: str) -> str:
    """A name as MkDocs' navigation and page titles show it: the theme puts it into HTML as it is, so it is
    written HTML-escaped ("<img onerror>" shows as text), on one line, and cut to NAV_LABEL characters."""
    import html

    text = " ".join(without_controls(text).split())
    if len(text) > NAV_LABEL:
        text = text[: NAV_LABEL - 1].rstrip() + "\u2026"
    return html.escape(text, quote=True)


def site_name(config: Config) -> str:
    """The site's title, from the committees and bodies in tracker.yaml."""
    committees = list(config.committees.values())
    if len(committees) == 1:
        only = committees[0]
        return f"{only.name}, {only.body}" if only.body else only.name
    bodies = sorted({c.body for c in committees if c.body})
    if 1 <= len(bodies) <= 2 and all(c.body for c in committees):
        return f"{' and '.join(bodies)}: committee actions and recommendations"
    return "Committee actions and recommendations"


# ---------------------------------------------------------------- the site


class _Site:
    """What every page needs: the records, the settings, the day, and the rows and charts they share."""

    def __init__(self, records: RecordSet, config: Config, as_of: dt.date, site_url: str):
        self.records = records
        self.config = config
        self.as_of = as_of
        self.site_url = site_url
        self.docs: dict[str, str] = {}
        self.committee_order = {slug: index for index, slug in enumerate(config.committees)}
        self._renderers: dict[str, Callable[[dict[str, Any]], str]] = {}
        self.responses_by_report = records.responses_by_report()

    def render(self, name: str, context: dict[str, Any]) -> str:
        """render() with each template compiled once for the whole site."""
        if name not in self._renderers:
            self._renderers[name] = renderer(self.config, name)
        return self._renderers[name](context)

    def date(self, day: dt.date) -> str:
        return format_date(day, self.config.date_style)

    def committee_name(self, slug: str) -> str:
        committee = self.config.committees.get(slug)
        return committee.name if committee else slug

    def report_of(self, record: Recommendation) -> Report | None:
        report = self.records.records.get(record.report)
        return report if isinstance(report, Report) else None

    def source(self, record: Trackable) -> tuple[str, str]:
        """Where the item comes from, in words, and that page: its report, or the Summary List for an action."""
        if isinstance(record, Recommendation):
            report = self.report_of(record)
            if report is not None:
                return report.title, report_page(report)
            return record.report, page_of(self.records, record)
        committee = self.records.committee_of(record)
        if isinstance(record, Action) and record.meeting and not record.standing:
            return f"Meeting of {self.date(record.meeting)}", actions_page(committee)
        return "Standing item", actions_page(committee)

    def feed_name(self, record: Trackable) -> str:
        """The record as a feed entry's title names it."""
        label, _ = self.source(record)
        if isinstance(record, Recommendation):
            return f"{short_title(record)} of {label}"
        return f"{short_title(record)} ({label.lower() if label == 'Standing item' else label})"

    def sort_key(self, record: Trackable) -> tuple[Any, ...]:
        """Committee, actions (by meeting) before recommendations (by report), then by short title read naturally:
        Recommendation 1, 2, ... 11."""
        committee = self.committee_order.get(self.records.committee_of(record), len(self.committee_order))
        if isinstance(record, Recommendation):
            report = self.report_of(record)
            source: tuple[Any, ...] = (1, report.published.first_day() if report else dt.date.min, record.report)
        else:
            meeting = record.meeting if isinstance(record, Action) else None
            source = (0, meeting or dt.date.max, "")
        return (committee, *source, natural_key(short_title(record)), record.id)

    def item(self, record: Trackable, from_page: str) -> dict[str, Any]:
        """An action or recommendation as a row of a table on from_page."""
        status, due = record.state_as_of(self.as_of)
        overdue = days_overdue(record, self.config, self.as_of)
        source, source_page = self.source(record)
        deadline = record.deadline_words(due, self.config.date_style)
        late = 0  # days a response owed is overdue, for an open recommendation
        if isinstance(record, Recommendation):
            report = self.report_of(record)
            responses = self.responses_by_report.get(record.report, [])
            if report is not None and missing_responses(self.config, record, responses, self.as_of):
                response_due = report.responses_due(self.config.response_days)
                deadline = deadline or f"Response due {self.date(response_due)}"
                if response_due < self.as_of and self.config.is_open(record.kind, status):
                    late = (self.as_of - response_due).days
        words = overdue_words(overdue) if overdue else f"Response overdue by {days(late)}" if late else ""
        return {"id": record.id, "title": short_title(record), "link": link(from_page, page_of(self.records, record)),
                "source": source, "source_link": link(from_page, source_page),
                "committee": self.committee_name(self.records.committee_of(record)),
                "responsible": "; ".join(owners(record)), "status_label": self.config.label(record.kind, status),
                "category": "open" if self.config.is_open(record.kind, status) else "done",
                "due": deadline or "None set", "overdue": overdue or late, "overdue_words": words}

    def chart(self, from_page: str, name: str, svg: str, alt: str) -> dict[str, Any]:
        self.docs[f"charts/{name}.svg"] = svg
        return {"link": link(from_page, f"charts/{name}.svg"), "alt": _alt(alt)}

    def status_chart(self, from_page: str, name: str, title: str, items: list[Trackable]) -> dict[str, Any]:
        counts = trends.status_counts(self.config, items, self.as_of)
        alt = f"Bar chart, {title}: " + "; ".join(f"{c.label} {c.kind}s: {c.number}" for c in counts)
        tables = []
        for kind in dict.fromkeys(c.kind for c in counts):
            rows = [c for c in counts if c.kind == kind]
            tables.append({"kind": kind, "plural": f"{kind}s", "total": sum(c.number for c in rows),
                           "statuses": [{"label": c.label, "category": c.category, "count": c.number} for c in rows]})
        return {**self.chart(from_page, name, charts.status_chart(name, title, counts), alt), "tables": tables}

    def timeliness_chart(self, from_page: str, name: str, title: str,
                         recommendations: list[Recommendation]) -> dict[str, Any] | None:
        numbers = trends.timeliness(self.records, self.config, recommendations, self.as_of)
        if not numbers.total:
            return None
        rows = [{"label": label, "count": getattr(numbers, field)} for field, label, _ in charts.TIMELINESS]
        alt = f"Bar chart, {title}: " + "; ".join(f"{r['label']}: {r['count']}" for r in rows)
        return {**self.chart(from_page, name, charts.timeliness_chart(name, title, numbers), alt), "rows": rows,
                "total": numbers.total}

    def front_matter(self, committee: str, hide: tuple[str, ...] = ()) -> str:
        return _front_matter((f"{self.committee_name(committee)}: status changes", committee_feed(committee)), hide)

    def trackables(self, committee: str = "") -> list[Trackable]:
        return [r for r in self.records if isinstance(r, Trackable) and exists_on(self.records, r, self.as_of)
                and (not committee or self.records.committee_of(r) == committee)]


def _front_matter(feed: tuple[str, str] | None = None, hide: tuple[str, ...] = ()) -> str:
    """YAML front matter: the page's own feed (title, link), which the theme override advertises in the page's
    head, and the theme's sidebars to hide (a wide table needs the room)."""
    import yaml

    meta: dict[str, Any] = {}
    if feed:
        meta["feed"] = {"title": feed[0], "href": feed[1]}
    if hide:
        meta["hide"] = list(hide)
    if not meta:
        return ""
    text: str = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{text}---\n\n"


WIDE = ("navigation", "toc")


def _event_words(site: _Site, record: Trackable, event: Event) -> str:
    label = site.config.label
    note = f" {event.note}" if event.note else ""
    response = site.records.records.get(event.response)
    received = f"Response from {response.from_body}." if isinstance(response, Response) else "Response received."
    if event.event in ("status", "response") and event.status:
        change = f"{label(record.kind, event.from_status)} → " if event.from_status else ""
        what = f"{received} " if event.event == "response" else ""
        return f"{what}Status: {change}{label(record.kind, event.status)}.{note}"
    if event.event == "response":
        return received + note
    if event.event == "follow-up":
        return "Followed up." + note
    if event.event == "reschedule":
        before = event.previous_due.in_words(site.config.date_style) if event.previous_due else "none"
        after = event.due.in_words(site.config.date_style) if event.due else "none"
        return f"Deadline moved from {before} to {after}." + (f" {event.reason}" if event.reason else "") + note
    if event.event == "created":
        return "Recorded." + note
    return note.strip()


def _record_page(site: _Site, record: Trackable, responses: list[Response], anchors: dict[str, str]) -> str:
    """The page of one action or recommendation; responses are its report's, anchors their places on its page."""
    page = page_of(site.records, record)
    row = site.item(record, page)
    history = []
    created = site.records.created(record)
    events = record.events_until(site.as_of)
    if created is not None and not any(e.event == "created" for e in events):
        history.append({"date": site.date(created), "text": "Raised by the Committee." if isinstance(record, Action)
                        else "Published in the report."})
    history.extend({"date": site.date(e.date), "text": _event_words(site, record, e)} for e in events)
    answers: list[dict[str, Any]] = []
    still_owed: list[str] = []
    report = site.report_of(record) if isinstance(record, Recommendation) else None
    if isinstance(record, Recommendation) and report is not None:
        answered = set()
        for response in responses:
            answer = response.answer_to(record.number)
            if answer is None or response.date > site.as_of:
                continue
            answered.add(site.config.canonical_body(response.from_body))
            answers.append({"body": response.from_body, "date": site.date(response.date),
                            "position": answer.position.replace("-", " "), "text": answer.text,
                            "link": link(page, report_page(report)) + "#" + anchors[response.id]})
        due = report.responses_due(site.config.response_days)
        is_open = site.config.is_open(record.kind, record.status_as_of(site.as_of))
        late = (site.as_of - due).days if due < site.as_of and is_open else 0
        for body in record.to:
            if site.config.canonical_body(body) not in answered:
                still_owed.append(f"{body}: response due {site.date(due)}" + (f", {overdue_words(late).lower()}" if late else ""))
    if isinstance(record, Action):
        heading = record.heading if record.standing else f"Item {record.item}: {record.item_title}"
    else:
        heading = f"{short_title(record)}: {report.title}" if report else short_title(record)
    origin = ""
    if isinstance(record, Action):
        origin = f"an action from the meeting of {site.date(record.meeting)}" if record.meeting and not record.standing \
            else "a standing item"
    context = {"heading": heading, "kind": record.kind, "item": row, "text": getattr(record, "text", ""),
               "to": list(owners(record)), "answers": answers, "still_owed": still_owed, "history": history,
               "origin": origin,
               "anchor": f"#recommendation-{record.number}" if isinstance(record, Recommendation) else ""}
    return site.front_matter(site.records.committee_of(record)) + site.render("site-record.md.j2", context)


def response_anchor(response: Response) -> str:
    """The response's place on its report's page: made from its ID, so no name in a record can change or break it."""
    return f"response-{file_stem(response.id, 'response')}"


def response_heading(response: Response, config: Config) -> str:
    return f"Response from {response.from_body}, {format_date(response.date, config.date_style)}"


def _report_page(site: _Site, report: Report) -> str:
    page = report_page(report)
    recommendations = [r for r in site.records.recommendations_of(report.id) if exists_on(site.records, r, site.as_of)]
    recommendations.sort(key=lambda r: natural_key(short_title(r)))
    responses = [r for r in site.responses_by_report.get(report.id, ()) if r.date <= site.as_of]
    responses.sort(key=lambda r: (r.date, r.from_body, r.id))
    anchors = {response.id: response_anchor(response) for response in responses}
    rows = []
    for recommendation in recommendations:
        row = site.item(recommendation, page)
        answered = {site.config.canonical_body(r.from_body) for r in responses if recommendation.number in r.numbers}
        row.update({"number": recommendation.number, "text": recommendation.text, "to": list(recommendation.to),
                    "responses": [{"label": f"{r.from_body}, {site.date(r.date)}", "anchor": anchors[r.id],
                                   "position": _position(r, recommendation.number)}
                                  for r in responses if recommendation.number in r.numbers],
                    "owed": [b for b in recommendation.to if site.config.canonical_body(b) not in answered]})
        rows.append(row)
    published = report.published
    open_count = sum(r["category"] == "open" for r in rows)
    overdue = sum(bool(r["overdue"]) for r in rows)
    slug = f"{report.committee}-{report.slug}"
    context = {
        "report": {"title": report.title, "url": web_address(report.url), "committee": site.committee_name(report.committee),
                   "published": site.date(published.last_day()) if published.day else
                   published.in_words(site.config.date_style).removeprefix("By ").removeprefix("the end of "),
                   "responses_due": site.date(report.responses_due(site.config.response_days))},
        "as_of": site.date(site.as_of),
        "summary": f"{len(rows)} recommendation{'' if len(rows) == 1 else 's'}: {open_count} open, "
                   f"{len(rows) - open_count} done, {overdue} overdue as of {site.date(site.as_of)}.",
        "status_chart": site.status_chart(page, f"{slug}-status", f"{report.title}: recommendations by status",
                                          list(recommendations)),
        "timeliness_chart": site.timeliness_chart(page, f"{slug}-responses", f"{report.title}: responses",
                                                  recommendations),
        "recommendations": rows,
        "responses": [{"heading": response_heading(r, site.config), "anchor": Markup(anchors[r.id]), "summary": r.summary, "url": web_address(r.url),
                       "appendix": r.appendix, "answers": [{"number": a.number, "position": a.position.replace("-", " ")}
                                                           for a in sorted(r.answers, key=lambda a: number_key(a.number))]}
                      for r in responses],
    }
    text = site.render("site-report.md.j2", context)
    for recommendation in recommendations:
        site.docs[page_of(site.records, recommendation)] = _record_page(site, recommendation, responses, anchors)
    return text


def _position(response: Response, number: Number) -> str:
    """The response's position on the recommendation, in words: "noted", "partially accepted"."""
    answer = response.answer_to(number)
    return answer.position.replace("-", " ") if answer else ""


def _newest_meeting_first(action: Action) -> tuple[Any, ...]:
    """As the Summary List orders actions: meetings newest first, items in number order, standing items last."""
    meeting = action.meeting if action.meeting and not action.standing else None
    return (meeting is None, -(meeting or dt.date.min).toordinal(), natural_key(action.item), action.id)


def _reason_words(site: _Site, record: Trackable, reason: Reason) -> dict[str, Any]:
    if reason.reason == "overdue":
        text = f"{overdue_words(reason.days)} (deadline {site.date(reason.since)})"
    elif reason.reason == "response-overdue":
        who = f" from {reason.addressee}" if len(owners(record)) > 1 else ""
        text = f"Response{who} overdue by {days(reason.days)} (due {site.date(reason.since)})"
    else:
        text = f"No news for {days(reason.days)} (since {site.date(reason.since)})"
    return {"text": text, "overdue": reason.reason in trends.OVERDUE_REASONS}


def site_files(records: RecordSet, config: Config, as_of: dt.date, source: str = "uncommitted records",
               site_url: str | None = None) -> dict[str, str]:
    """Every file of the site, by path relative to OUTDIR. site_url (else tracker.yaml's) makes feed links absolute."""
    url = config.site_url if site_url is None else site_url
    site = _Site(records, config, as_of, url)
    as_of_words = site.date(as_of)
    nav: list[Any] = [{"Home": "index.md"}]
    committees = []
    for slug, committee in config.committees.items():
        section, row = _committee_pages(site, slug, committee, source)
        committees.append(row)
        nav.append({label(committee.name): section})
    attention = _attention_page(site)
    nav.append({"Needs attention": "overdue.md"})
    body_nav, bodies, body_feeds = _bodies(site)
    site.docs["bodies/index.md"] = _front_matter(hide=("toc",)) + render(config, "site-bodies.md.j2", {"as_of": as_of_words, "bodies": bodies})
    nav.append({"Who owes what": ["bodies/index.md", *body_nav]})
    site.docs["index.md"] = _front_matter(hide=("navigation",)) + render(config, "site-index.md.j2", {
        "name": site_name(config), "as_of": as_of_words, "committees": committees, "source": source,
        "attention_count": len(attention), "over_time": _overdue_over_time(site), "feed": FEED})
    _feeds(site, body_feeds)
    site.docs[STYLESHEET] = read_template(config, "site.css")
    files = {f"{DOCS}/{path}": text for path, text in site.docs.items()}
    files[f"{OVERRIDES}/main.html"] = read_template(config, "site-main.html")
    files[HOOK] = (Path(__file__).parent / "sitehook.py").read_text(encoding="utf-8")
    files["mkdocs.yml"] = mkdocs_config(config, nav, url, source, as_of_words)
    return files


def _committee_pages(site: _Site, slug: str, committee: Committee, source: str) -> tuple[list[Any], dict[str, Any]]:
    """A committee's page, its Summary List of Actions, its action and report pages: the committee's nav section
    and its row on the home page."""
    records, config, as_of = site.records, site.config, site.as_of
    section: list[Any] = [committee_page(slug)]
    items = site.trackables(slug)
    actions = [r for r in items if isinstance(r, Action)]
    if actions:
        site.docs[actions_page(slug)] = (site.front_matter(slug, WIDE) + render(
            config, ACTIONS_TEMPLATE, actions_context(records, config, slug, as_of, None, source))
            + f"\nEach action's full text and history: [{link_text(committee.name)} · Actions](index.md#actions).\n")
        section.append({"Summary List of Actions": actions_page(slug)})
        for action in actions:
            site.docs[page_of(records, action)] = _record_page(site, action, [], {})
    report_rows = _report_pages(site, slug, section)
    page = committee_page(slug)
    recommendations = [r for r in items if isinstance(r, Recommendation)]
    context = {
        "name": committee.name, "body": committee.body, "as_of": site.date(as_of),
        "actions_link": link(page, actions_page(slug)) if actions else "", "feed": FEED,
        "open_actions": sum(config.is_open("action", a.status_as_of(as_of)) for a in actions),
        "actions": len(actions), "reports": report_rows,
        "action_rows": [site.item(a, page) for a in sorted(actions, key=_newest_meeting_first)],
        "status_chart": site.status_chart(page, f"{slug}-status", f"{committee.name}: items by status", items)
        if items else None,
        "timeliness_chart": site.timeliness_chart(page, f"{slug}-responses",
                                                  f"{committee.name}: responses to recommendations", recommendations),
    }
    site.docs[page] = site.front_matter(slug) + site.render("site-committee.md.j2", context)
    row = {"name": committee.name, "body": committee.body, "link": page, "count": len(items),
           "open": sum(config.is_open(r.kind, r.status_as_of(as_of)) for r in items),
           "overdue": trends.overdue_count(records, config, as_of, slug)}
    return section, row


def _report_pages(site: _Site, slug: str, section: list[Any]) -> list[dict[str, Any]]:
    """A page for each of the committee's reports, newest first, each added to its nav section; their rows on the
    committee's page."""
    records, as_of = site.records, site.as_of
    reports = sorted((r for r in records.of(Report) if r.committee == slug and exists_on(records, r, as_of)),
                     key=lambda r: (r.published.first_day(), r.id), reverse=True)
    report_rows = []
    for report in reports:
        site.docs[report_page(report)] = site.front_matter(slug) + _report_page(site, report)
        section.append({label(report.title): report_page(report)})
        rows = [site.item(r, committee_page(slug)) for r in records.recommendations_of(report.id)
                if exists_on(records, r, as_of)]
        report_rows.append({"title": report.title, "link": link(committee_page(slug), report_page(report)),
                            "count": len(rows), "open": sum(r["category"] == "open" for r in rows),
                            "overdue": sum(bool(r["overdue"]) for r in rows)})
    return report_rows


def _attention_page(site: _Site) -> list[dict[str, Any]]:
    """The page of everything needing attention, worst first; its rows."""
    attention = []
    for found in needs_attention(site.records, site.config, site.as_of):
        row = site.item(found.record, "overdue.md")
        row["reasons"] = [_reason_words(site, found.record, reason) for reason in found.reasons]
        row["marked"] = any(reason["overdue"] for reason in row["reasons"])
        row["days"] = found.worst
        attention.append(row)
    site.docs["overdue.md"] = _front_matter(hide=WIDE) + render(
        site.config, "site-overdue.md.j2", {"as_of": site.date(site.as_of), "items": attention})
    return attention


def _overdue_over_time(site: _Site) -> dict[str, Any] | None:
    """The home page's chart of items overdue month by month, by committee; None when nothing was ever overdue."""
    days_shown, series = trends.overdue_over_time(site.records, site.config, site.as_of, site.config.committees)
    named = {site.committee_name(slug): values for slug, values in series.items()}
    if not days_shown or not any(any(values) for values in named.values()):
        return None
    as_of_words = site.date(site.as_of)
    over_time = site.chart("index.md", "overdue-over-time", charts.overdue_chart(
        "overdue-over-time", "Items overdue, month by month", days_shown, named),
        "Line chart of items overdue on the first day of each month, by committee: "
        + "; ".join(f"{name}: {values[-1]} on {as_of_words}, at most {max(values)}" for name, values in named.items()))
    over_time["rows"] = _over_time_rows(site, days_shown, named)
    return over_time


def _feeds(site: _Site, body_feeds: dict[str, tuple[str, str]]) -> None:
    """The feeds of status changes: the whole site's, each committee's and each body's."""
    records, config, as_of, url = site.records, site.config, site.as_of, site.site_url
    entries = feeds.entries(records, config, as_of, url, site.feed_name, lambda r: page_of(records, r))
    site.docs[FEED] = feeds.feed_xml(config, FEED, f"{site_name(config)}: status changes", entries, url, "index.html", as_of)
    for slug, committee in config.committees.items():
        site.docs[committee_feed(slug)] = feeds.feed_xml(
            config, committee_feed(slug), f"{committee.name}: status changes",
            [e for e in entries if e.committee == slug], url, committee_page(slug).replace(".md", ".html"), as_of)
    for name, (feed_path, body_page) in body_feeds.items():
        site.docs[feed_path] = feeds.feed_xml(config, feed_path, f"{name}: status changes",
                                              [e for e in entries if name in feeds.owed_by(config, e)], url,
                                              body_page.replace(".md", ".html"), as_of)


def _bodies(site: _Site) -> tuple[list[Any], list[dict[str, Any]], dict[str, tuple[str, str]]]:
    """Each body's page (what it owes, sorted naturally) and feed: their nav entries, the index's rows, and
    name -> (feed, page)."""
    grouped: dict[str, list[Trackable]] = {}
    for record in site.trackables():
        for owner in owners(record):
            grouped.setdefault(site.config.canonical_body(owner), []).append(record)
    used: set[str] = set()
    nav: list[Any] = []
    rows: list[dict[str, Any]] = []
    body_feeds: dict[str, tuple[str, str]] = {}
    for name, owed in sorted(grouped.items(), key=lambda kv: natural_key(kv[0])):
        slug = file_stem(name)
        while slug in used:
            slug += "-2"
        used.add(slug)
        page, feed = f"bodies/{slug}.md", f"bodies/{slug}.xml"
        items = sorted(dict.fromkeys(owed), key=site.sort_key)
        open_rows = [row for row in (site.item(r, page) for r in items) if row["category"] == "open"]
        overdue = sum(bool(row["overdue"]) for row in open_rows)
        site.docs[page] = _front_matter((f"{name}: status changes", feed), WIDE) + site.render("site-body.md.j2", {
            "name": name, "as_of": site.date(site.as_of), "items": open_rows, "done": len(items) - len(open_rows),
            "overdue": overdue, "feed": link(page, feed)})
        rows.append({"name": name, "link": link("bodies/index.md", page), "open": len(open_rows), "overdue": overdue,
                     "done": len(items) - len(open_rows)})
        nav.append({label(name): page})
        body_feeds[name] = (feed, page)
    return nav, rows, body_feeds


def _over_time_rows(site: _Site, days_shown: list[dt.date], named: dict[str, list[int]]) -> list[dict[str, Any]]:
    """The overdue chart in a few numbers per committee: now, a month, a year before, and the most at any time."""
    def at(values: list[int], back: int) -> str:
        index = len(values) - 1 - back
        return str(values[index]) if index >= 0 else "–"

    rows = []
    for name, values in named.items():
        most = max(values)
        rows.append({"name": name, "now": values[-1], "month": at(values, 1), "year": at(values, 12), "most": most,
                     "most_on": site.date(days_shown[values.index(most)])})
    return rows


def mkdocs_config(config: Config, nav: list[Any], site_url: str, source: str, as_of: str) -> str:
    """mkdocs.yml for the Material theme, built as data and dumped as YAML, so no value can break its syntax."""
    import yaml

    settings: dict[str, Any] = {"site_name": label(site_name(config))}
    if site_url:
        settings["site_url"] = site_url
    settings.update({
        "site_description": "What the committees asked for, who owes it, and what is overdue.",
        "copyright": f"Figures as of {as_of}, from {source}.",
        "docs_dir": DOCS,
        "use_directory_urls": False,
        "theme": {
            "name": "material",
            "custom_dir": OVERRIDES,
            "language": "en",
            "font": False,  # the reader's own fonts: nothing is fetched from Google
            "features": ["navigation.tabs", "navigation.indexes", "navigation.top", "search.highlight"],
            "palette": [
                {"media": "(prefers-color-scheme: light)", "scheme": "default", "primary": "indigo", "accent": "indigo",
                 "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"}},
                {"media": "(prefers-color-scheme: dark)", "scheme": "slate", "primary": "indigo", "accent": "indigo",
                 "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"}},
            ],
        },
        "plugins": ["search"],
        "hooks": [HOOK],
        "extra_css": [STYLESHEET],
        "extra": {"generator": False, "feeds": [{"title": label(f"{site_name(config)}: status changes"), "href": FEED}]},
        "markdown_extensions": ["tables", {"toc": {"permalink": False}}],
        "validation": {"anchors": "warn"},
        # Each action's and recommendation's own page is reached from the lists, not from the navigation.
        "not_in_nav": "/*/actions/*.md\n/*/recommendations/*.md\n",
        "nav": nav,
    })
    text: str = yaml.safe_dump(settings, sort_keys=False, allow_unicode=True)
    return f"{MARK}; build with `mkdocs build`.\n" + text


def write_site(root: Path, outdir: Path, files: dict[str, str], *, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write every file of the site under outdir (each atomically), creating folders as needed, and remove the pages,
    charts and feeds a previous `tracker site` wrote there that this one did not (a record deleted or renamed must
    not stay published). Refused, before anything is written, when outdir holds a mkdocs.yml tracker did not write,
    or when outdir is inside the records repository and a file would replace one of its own files or, without
    force, a file git tracks. Returns (written, removed)."""
    from tracker.storage.writer import check_output_files, replace

    root, outdir = root.resolve(), outdir.resolve()
    if outdir == root or root in outdir.parents:
        check_output_files(root, [outdir / rel for rel in files], force=force, option="OUTDIR")
    settings = outdir / "mkdocs.yml"
    ours = False
    if settings.is_file():
        with settings.open(encoding="utf-8", errors="replace") as handle:
            ours = handle.readline().startswith(MARK)
        if not ours:
            raise TrackerError(f"OUTDIR {outdir}: it holds a mkdocs.yml that tracker site did not write",
                               hint="give another folder, or move that mkdocs.yml away first")
    removed = []
    if ours:
        for folder in (DOCS, OVERRIDES):
            for path in sorted((outdir / folder).rglob("*")):
                rel = path.relative_to(outdir).as_posix()
                if path.is_file() and not path.is_symlink() and path.suffix in OWN_SUFFIXES and rel not in files:
                    path.unlink()
                    removed.append(path)
    written = []
    for rel, text in sorted(files.items()):
        target = outdir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        replace(target.parent, target.name, text)
        written.append(target)
    return written, removed

