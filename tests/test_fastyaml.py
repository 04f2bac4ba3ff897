"""The fast reader of record YAML returns exactly what the full loader returns, or None to defer to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from tests.test_fuzz import mutated
from tests.test_hostile_yaml import PAYLOADS
from tracker.model.errors import TrackerError
from tracker.storage import fastyaml
from tracker.storage.yamlio import MAX_DEPTH, decode, load_text

PROJECT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((PROJECT / "records").rglob("*.yaml"))
BAD = sorted(path for path in (PROJECT / "tests" / "bad").rglob("*.yaml") if path.is_file())
REFUSED = object()


def same(a: Any, b: Any) -> bool:
    """Equal with types compared too (True is not 1, "1" is not 1) and keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def full(text: str) -> Any:
    """What the full loader makes of text (asking for positions forces it), or REFUSED."""
    try:
        return load_text(text, "t.yaml", {})
    except TrackerError:
        return REFUSED


def check(text: str) -> Any:
    """The fast reader agrees with the full loader on text; returns what the fast reader gave."""
    fast = fastyaml.parse(text)
    expected = full(text)
    if fast is not None:
        assert expected is not REFUSED, f"the fast reader accepted what the full loader refuses: {text!r}"
        assert same(fast, expected), f"{text!r}:\nfast {fast!r}\nfull {expected!r}"
    # The wired path (no positions asked) gives the full loader's answer whichever reader answered.
    try:
        assert same(load_text(text, "t.yaml"), expected)
    except TrackerError:
        assert expected is REFUSED
    return fast


def read(path: Path) -> str:
    return text_of(path.read_bytes())


def text_of(data: bytes) -> str:
    """The text load_text is given for these bytes; "" when the byte checks refuse them first."""
    try:
        return decode(data, "t.yaml")
    except TrackerError:
        return ""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    files = []
    for seed in (1, 2, 5):
        root = tmp_path_factory.mktemp(f"gen{seed}")
        generate(root, 120, seed)
        files += sorted(root.rglob("*.yaml"))
    return files


def test_bundled_records_read_the_same() -> None:
    for path in BUNDLED:
        check(read(path))


def test_generated_repositories_read_the_same(generated: list[Path]) -> None:
    for path in generated:
        check(read(path))


@pytest.mark.parametrize("path", BAD, ids=lambda path: path.relative_to(PROJECT / "tests" / "bad").as_posix())
def test_bad_fixtures_read_the_same(path: Path) -> None:
    text = read(path)
    if text:
        check(text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_payloads_are_left_to_the_full_loader(payload: str) -> None:
    text = f"id: pcc-2023-04-19\nkind: meeting\ncommittee: pcc\ndate: 2023-04-19\ntitle: {payload.format(marker='/tmp/x')}\n"
    assert check(text) is None


def test_the_fast_path_reads_every_generated_record(generated: list[Path]) -> None:
    records = [path for path in generated if path.name != "tracker.yaml"]
    assert records
    refused = [path.name for path in records if fastyaml.parse(read(path)) is None]
    assert refused == []


def test_the_fast_path_reads_nearly_every_bundled_record() -> None:
    # Every bundled record is in the subset today. Records that would be refused (and read by the full loader):
    # quoted field names, flow lists such as `to: [MOPAC]`, block scalars with more-indented lines or leading
    # blank lines, multi-line plain or quoted scalars, and numbers other than plain whole numbers.
    assert len(BUNDLED) > 50
    read_fast = [path for path in BUNDLED if fastyaml.parse(read(path)) is not None]
    assert len(read_fast) >= 0.9 * len(BUNDLED)


@pytest.mark.parametrize(("text", "value"), [
    ("a: 1\nb: -2\nc: 0\n", {"a": 1, "b": -2, "c": 0}),
    ("a: yes\nb: No\nc: ON\nd: off\ne: y\n", {"a": True, "b": False, "c": True, "d": False, "e": "y"}),
    ("a: ~\nb: null\nc:\nd: NULL\n", {"a": None, "b": None, "c": None, "d": None}),
    ("a: 2023-01-05\nb: '2023-01-05'\nc: \"2023\"\n", {"a": "2023-01-05", "b": "2023-01-05", "c": "2023"}),
    ("a: x #c\nb: x#c\nc: 'it''s # not'  # c\n", {"a": "x", "b": "x#c", "c": "it's # not"}),
    ("a: >-\n  x\n  y\n\n  z\nb: |\n  p\n\n  q\n\n", {"a": "x y\nz", "b": "p\n\nq\n"}),
    ("a:\n- x\n-\n- k: v\n  l: w\nb: []\nc: {}\n", {"a": ["x", None, {"k": "v", "l": "w"}], "b": [], "c": {}}),
    ("# head\na:\n  b:\n    - c # d\n  # e\n  f: g\n", {"a": {"b": ["c"], "f": "g"}}),
])
def test_the_subset_is_read(text: str, value: Any) -> None:
    assert fastyaml.parse(text) is not None
    assert same(check(text), value)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",  # duplicate key
    "a: &x 1\nb: *x\n",  # anchor and alias
    "a: !foo x\n",  # tag
    "<<: {a: 1}\n",  # merge key
    "a: [1, 2]\n",  # flow collection
    "---\na: 1\n",  # document marker
    "%YAML 1.1\n---\na: 1\n",  # directive
    "a:\n\tb: 1\n",  # tab
    "a: 1\r\nb: 2\r\n",  # carriage return
    "a: x\x07\n",  # a character the YAML reader refuses
    "a: 2023-02-30\n",  # impossible date
    "a: 2023-01-01 10:00:00\n",  # a date and time
    "a: .nan\n",  # NaN
    "a: 1.5\n",  # float: left to the full loader
    "a: 017\nb: 0x1F\nc: 1_000\nd: +5\ne: 1:20\n",  # YAML 1.1 integers other than plain decimals
    "a: 2012-7-3 1:02:03\n",  # a loose timestamp (2012-7-3 alone is text)
    "a: =\n",  # the value tag
    "a: |+\n  x\n",  # keep chomping
    "a: |2\n   x\n",  # indentation indicator
    "a: > # c\n  x\n",  # comment after the indicator
    "a: >\n  x\n    y\n  z\n",  # more-indented line in a folded scalar
    "a: x\n  y\n",  # multi-line plain scalar
    "a: \"x\n  y\"\n",  # multi-line quoted scalar
    "a: \"x\\ty\"\n",  # escapes
    "yes: 1\n",  # a key that is not text
    "\"a\": 1\n",  # a quoted key
    "- a\n- b\n",  # not a mapping
    "a: b: c\n",  # mapping value inside a plain scalar
    "a: 1\n b: 2\n",  # stray indentation
    "a:\n  b: 1\n c: 2\n",  # dedent to no level
])
def test_outside_the_subset_is_deferred(text: str) -> None:
    assert check(text) is None


def test_deep_nesting_is_deferred() -> None:
    text = "".join(f"{'  ' * level}k{level}:\n" for level in range(MAX_DEPTH + 5)) + f"{'  ' * (MAX_DEPTH + 5)}v: 1\n"
    assert fastyaml.parse(text) is None
    with pytest.raises(TrackerError, match="nested more than"):
        load_text(text, "t.yaml")


def test_never_raises() -> None:
    for text in ["", "\n", ":", "- ", "a: |", "a: |\n", "a: [", "a: '", "\ud800", "a:\n-", "a:\n  -\n  - |\n"]:
        fastyaml.parse(text)
    assert fastyaml.parse(None) is None  # type: ignore[arg-type]


# A grammar of documents at the edge of the subset.
# Mostly pieces inside the subset, so that many documents are read by both readers; some pieces just outside it.
GOOD_KEYS = ["id", "kind", "a", "b", "c", "x-custom", "_k", "y", "n", "note", "due-2", "Off_x"]
KEYS = st.sampled_from(GOOD_KEYS * 4 + ["yes", "null", "On", "1", "<<", "a b", "'q'", '"q"', "é", "a:b", "? a", "-a"])
GOOD_PLAINS = [
    "yes", "No", "ON", "off", "True", "y", "n", "~", "null", "Null", "0", "-0", "12", "-3", "2023-01-01", "2012-7-3",
    "2023-01-01 10:00", "a #b", "a#b", "a:b", "-x", "plain text", "two  spaces", "Committee’s", "é", "x ", "\u00a0x",
    "'q'", "'it''s'", "'a #b'", "''", "'x' # c", '"dq"', '""', '"a" # c', '"it\'s"', "[]", "{}", "[] # c", "#",
]
PLAINS = st.sampled_from(GOOD_PLAINS * 3 + [
    "0x1", "017", "0o17", "1_000", "1:20", ".inf", "-.5", "1e3", "1.0", ".nan", "+5", "2023-02-30", "0000-01-01",
    "2023-01-01 10:00:00", "2023-01-01T10:00:00Z", "a: b", "a:", "- x", "--x", "-", "=", "<<", "@x", "`x", "%x", "!x",
    "&a x", "*a", "[a]", "{a: 1}", "[ ]", "?", ":", "? x", ": x", ".", "...", "---", "12:30:00", "0b101", "'x' y",
    "'x'#c", '"a\\nb"', '"a \\" b"', '"unterminated', "'unterminated", "x\ty", "a\u2028b", "a\x85b", "a\ufeffb",
])
HEADERS = st.sampled_from(["|", "|-", ">", ">-"] * 3 + ["|+", ">+", "|2", ">1-", "| # c", "|  ", ">- "])
BODY = st.lists(st.sampled_from(["text", "more  words", "", "", " ", "   ", "      ", " more-indented", "# hash",
                                 "trailing  ", "a: b", "- x", "'q'"] + ["text"] * 5), min_size=0, max_size=5)


@st.composite
def mapping(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", pad + "# note", "# note", pad + "   # deeper"])))
        key = draw(KEYS)
        choice = draw(st.integers(0, 9 if depth < 3 else 4))
        if choice <= 3:
            comment = draw(st.sampled_from(["", "", " # c", "  #c", "#c"]))
            lines.append(f"{pad}{key}: {draw(PLAINS)}{comment}")
        elif choice == 4:
            step = draw(st.sampled_from([1, 1, 2, 2, 3, 0]))
            lines.append(f"{pad}{key}: {draw(HEADERS)}")
            lines += [f"{pad}{' ' * step}{line}" if line else line for line in draw(BODY)]
        elif choice == 5:
            lines.append(f"{pad}{key}:")
        elif choice <= 7:
            lines.append(f"{pad}{key}:{draw(st.sampled_from(['', ' # c']))}")
            lines += draw(mapping(indent + draw(st.integers(1, 4)), depth + 1))
        else:
            lines.append(f"{pad}{key}:")
            lines += draw(sequence(indent + draw(st.integers(0, 3)), depth + 1))
    return lines


@st.composite
def sequence(draw: st.DrawFn, indent: int, depth: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 5 if depth < 3 else 2))
        if choice <= 1:
            lines.append(f"{pad}-{draw(st.sampled_from([' ', '  ']))}{draw(PLAINS)}")
        elif choice == 2:
            lines.append(f"{pad}-{draw(st.sampled_from(['', ' # c']))}")
        elif choice == 3:
            step = draw(st.sampled_from([1, 2, 2, 3, 0]))
            lines.append(f"{pad}- {draw(HEADERS)}")
            lines += [f"{pad}{' ' * step}{line}" if line else line for line in draw(BODY)]
        elif choice == 4:
            # A compact mapping: `- key: value` with the other keys under the first.
            width = draw(st.integers(2, 3))
            inner = draw(mapping(indent + width, depth + 1))
            lines += [f"{pad}-{' ' * (width - 1)}{inner[0][indent + width:]}", *inner[1:]]
        else:
            lines.append(f"{pad}-")
            lines += draw(st.one_of(mapping(indent + 2, depth + 1), sequence(indent + 2, depth + 1)))
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = draw(mapping(0, 0))
    if draw(st.integers(0, 3)) == 0:
        # Nudge one line's indentation, to reach the structures next to the subset.
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = lines[at][1:] if lines[at].startswith(" ") and draw(st.booleans()) else " " + lines[at]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "\n  \n"]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_documents_near_the_subset_read_the_same(text: str) -> None:
    check(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_damaged_records_read_the_same(data: bytes) -> None:
    text = text_of(data)
    if text:
        check(text)
    else:
        # Bytes refused before parsing (not UTF-8, a byte-order mark, conflict markers, empty) are not read either.
        assert fastyaml.parse(data.decode("utf-8", "surrogateescape")) is None
