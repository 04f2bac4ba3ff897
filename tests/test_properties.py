"""Properties over large input spaces: record files survive load → write → load, and table cells never break a table."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.model.records import build_record
from tracker.model.textsafety import CONTROL, LINE_BREAK
from tracker.storage.reading import parse_record
from tracker.storage.schemas import schema_problems
from tracker.storage.writer import dump_record
from tracker.storage.yamlio import load_text

# Text a clerk might paste, or a hostile body might send: any Unicode except lone surrogates (which cannot be
# encoded as UTF-8 at all), plus the strings that trip up YAML and Markdown.
AWKWARD = [
    "\u200f", "\u202e", "\u200b", "\ufeff", " leading", "trailing ", "  both  ", "123", "-7", "1e3", "0x1F", "0o17",
    ".5", ".inf", ".nan", "yes", "No", "on", "OFF", "true", "False", "null", "~", "2023-01-01", "2023-02-30",
    "2023-01", "2023", "12:30", "1:20:30", "- item", "# not a comment", "key: value", "'quoted'", '"double"', "|",
    ">", "&anchor", "*alias", "!tag", "!!python/object/apply:os.system", "%YAML 1.1", "---", "...", "? key",
    "line one\nline two", "trailing newline\n", "\n\nleading newlines", "tab\tinside", "  indented\n  block",
    "a\r\nb", "a\rb", "x\u2028y", "x\u2029y", "x\x85y", "€ ☃ 🎉", "مرحبا بالعالم", "שלום \u200f(עולם)",
    "<script>alert(1)</script>", "a | b", "`code | pipe`", "\\", "\\|", "*emphasis*",
    "[link](javascript:alert(1))", "<<", "=======",
]
ANY_TEXT = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1),
    st.lists(st.sampled_from(AWKWARD), min_size=2, max_size=4).map("".join),
)
# What validation accepts: no control character but tab and line feed anywhere (textsafety.CONTROL), and no line
# break at all in a single-line field (a title, a name).
TEXT = ANY_TEXT.map(lambda text: CONTROL.sub("", text)).filter(bool)
LINE = TEXT.map(lambda text: LINE_BREAK.sub(" ", text))
URL = st.one_of(st.sampled_from(["https://example.org/", "http://a.example/x?y=1#z"]),
                st.from_regex(r"\Ahttps://[a-z]{1,10}\.example/[a-z0-9/%._-]{0,20}\Z"))
SLUG = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}\Z")
DATE = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
# A loaded date is an ISO string; a date made by a command is a date object. Both must be written faithfully.
DATE_VALUE = st.one_of(DATE.map(dt.date.isoformat), DATE)
PARTIAL = st.one_of(
    DATE_VALUE,
    DATE.map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    DATE.map(lambda d: f"{d.year:04d}"),
    st.integers(1000, 9999),
)
JSON_LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT, st.text(max_size=5).map(lambda text: CONTROL.sub("", text)),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
EXTENSIONS = st.dictionaries(st.text(max_size=10).map(lambda s: "x-" + s), JSON, max_size=2)


def _with_optional(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(required, optional=optional)


EVENT = st.one_of(
    _with_optional({"date": DATE_VALUE, "event": st.just("note"), "note": TEXT}, {"by": LINE}),
    _with_optional({"date": DATE_VALUE, "event": st.just("follow-up")}, {"by": LINE, "note": TEXT}),
    _with_optional({"date": DATE_VALUE, "event": st.just("status"), "from": SLUG, "status": SLUG},
                   {"by": LINE, "note": TEXT, "evidence": TEXT}),
    _with_optional({"date": DATE_VALUE, "event": st.just("reschedule"), "due": PARTIAL, "reason": TEXT},
                   {"previous_due": PARTIAL, "by": LINE}),
    _with_optional({"date": DATE_VALUE, "event": st.just("response"), "response": SLUG}, {"from": SLUG, "status": SLUG}),
)
TRACKABLE = {"due": PARTIAL, "created": DATE_VALUE, "history": st.lists(EVENT, max_size=3)}

KINDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "meeting": _with_optional(
        {"id": SLUG, "kind": st.just("meeting"), "committee": SLUG, "date": DATE_VALUE}, {"title": LINE, "url": URL}),
    "action": st.one_of(
        _with_optional(
            {"id": SLUG, "kind": st.just("action"), "committee": SLUG, "meeting": DATE_VALUE,
             "item": st.from_regex(r"\A[0-9A-Za-z.]{1,4}\Z"), "item_title": LINE, "responsible": LINE, "text": TEXT,
             "status": SLUG},
            {**TRACKABLE, "standing": st.just(False)}),
        _with_optional(
            {"id": SLUG, "kind": st.just("action"), "committee": SLUG, "standing": st.just(True), "title": LINE,
             "responsible": LINE, "text": TEXT, "status": SLUG, "created": DATE_VALUE},
            {"deadline": LINE, "due": PARTIAL, "history": st.lists(EVENT, max_size=3)}),
    ),
    "report": _with_optional(
        {"id": SLUG, "kind": st.just("report"), "committee": SLUG, "slug": SLUG, "title": LINE, "published": PARTIAL},
        {"url": URL, "response_due": DATE_VALUE}),
    "recommendation": _with_optional(
        {"id": SLUG, "kind": st.just("recommendation"), "report": SLUG, "number": st.integers(1, 10**6), "text": TEXT,
         "to": st.lists(LINE, min_size=1, max_size=3), "status": SLUG},
        TRACKABLE),
    "response": _with_optional(
        {"id": SLUG, "kind": st.just("response"), "report": SLUG, "from": LINE, "date": DATE_VALUE, "summary": TEXT,
         "recommendations": st.lists(
             _with_optional({"number": st.integers(1, 99),
                             "position": st.sampled_from(["accepted", "partially-accepted", "not-accepted", "noted"])},
                            {"text": TEXT}),
             min_size=1, max_size=3)},
        {"url": URL, "appendix": LINE}),
}


def plain(value: Any) -> Any:
    """The value as the loader gives it back: dates as ISO strings."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def record_mapping() -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(sorted(KINDS)).flatmap(
        lambda kind: st.tuples(KINDS[kind], EXTENSIONS).map(lambda pair: {**pair[0], **pair[1]}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_mapping())
def test_any_valid_record_survives_write_and_load(mapping: dict[str, Any]) -> None:
    data = plain(mapping)
    assert schema_problems(data["kind"], data, "generated.yaml") == []  # the generator makes only valid records
    rel_path = f"records/pcc/things/{data['id']}.yaml"
    text = dump_record(mapping, rel_path)

    assert load_text(text, rel_path) == data
    record, problems = parse_record(rel_path, text.encode("utf-8"))
    assert problems == []
    assert record == build_record(data, rel_path)
    # Writing the loaded data again gives the same file: the round trip is stable.
    assert dump_record(load_text(text, rel_path), rel_path) == dump_record(data, rel_path)


# ---------------------------------------------------------------- Markdown table cells


class _Cells(HTMLParser):
    """Collects the table's rows (header row first) and every tag that appears inside a cell."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell_depth = 0
        self.tags_in_cells: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.rows[-1].append(tag)
            self.cell_depth += 1
        elif self.cell_depth:
            self.tags_in_cells.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self.cell_depth:
            self.cell_depth -= 1


# What Markdown itself makes of inline syntax, plus the line breaks and lists cell() emits. Never script, img, etc.
SAFE_TAGS = {"br", "ul", "li", "code", "em", "strong", "a"}
TABLES = st.integers(1, 4).flatmap(lambda width: st.tuples(
    st.lists(ANY_TEXT, min_size=width, max_size=width),
    st.lists(st.lists(ANY_TEXT, min_size=width, max_size=width), min_size=1, max_size=4)))


@settings(max_examples=500, deadline=None)
@given(TABLES)
def test_no_text_breaks_a_table(shape: tuple[list[str], list[list[str]]]) -> None:
    from tracker.text.markdown import table as markdown_table

    headers, rows = shape
    table = markdown_table(headers, rows)
    assert len(table.splitlines()) == 2 + len(rows)
    html = markdown.markdown(table, extensions=["tables"])
    parsed = _Cells()
    parsed.feed(html)
    assert [len(row) for row in parsed.rows] == [len(headers)] * (1 + len(rows)), (table, html)
    assert parsed.tags_in_cells <= SAFE_TAGS, (table, html)
