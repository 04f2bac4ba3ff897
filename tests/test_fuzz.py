"""Fuzzing the loader and validator: whatever bytes a record file holds, the only outcome is a record or a list of
located Problems. Any other exception is a crash, and fails the test.

The fast versions run in every test run; the `slow` ones try many more inputs (see docs/design/reliability.md for the
figures). Run them alone with `python3 -m pytest -m slow tests/test_fuzz.py --hypothesis-show-statistics`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.model.errors import Problem
from tracker.storage.config import config_from_mapping
from tracker.storage.reading import build_set, parse_record
from tracker.storage.validate import validate

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = sorted(PROJECT.glob("tests/bad/**/*.yaml")) + sorted(PROJECT.glob("records/**/*.yaml"))
SEED_BYTES = [path.read_bytes() for path in SEEDS if path.is_file()]
BASE = PROJECT / "tests" / "bad" / "_base"
BASE_SOURCES = [(path.relative_to(BASE).as_posix(), path.read_bytes()) for path in sorted(BASE.rglob("*.yaml"))
                if path.name != "tracker.yaml"]
# The long run's size; raise it for a deeper search, e.g. TRACKER_FUZZ_EXAMPLES=20000.
FUZZ_EXAMPLES = int(os.environ.get("TRACKER_FUZZ_EXAMPLES", "5000"))
CONFIG = config_from_mapping(BASE, {"committees": {"pcc": "Police and Crime Committee"}})

YAMLISH = st.lists(
    st.sampled_from([
        *"abcdz019:-_[]{}&*!|>'\"#%@`,?.~<=\\ \n\t\r",
        "\ufeff", "\x00", "\x85", "é", "\u2028", "kind: ", "id: ", "history:\n  - ", "<<<<<<< ", "2023-02-30",
        "!!python/object:os.system",
    ]),
    max_size=150,
).map("".join)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A real record file (or a bad one from the corpus) with a few bytes inserted, deleted, replaced or lines moved."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["insert", "delete", "replace", "swap-lines", "duplicate-line"]))
        at = draw(st.integers(0, len(data)))
        if operation == "insert":
            data[at:at] = draw(st.sampled_from([b":", b"- ", b"\t", b"  ", b"\n", b"&a ", b"*a", b"!x ", b"'", b'"', b"[",
                                                b"{", b"#", b"\xff", b"\xef\xbb\xbf", b"9999-99-99", b"~", b"<<: "]))
        elif operation == "delete":
            del data[at:at + draw(st.integers(1, 20))]
        elif operation == "replace" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        else:
            lines = bytes(data).split(b"\n")
            if len(lines) > 1:
                first = draw(st.integers(0, len(lines) - 1))
                second = draw(st.integers(0, len(lines) - 1))
                if operation == "swap-lines":
                    lines[first], lines[second] = lines[second], lines[first]
                else:
                    lines.insert(second, lines[first])
                data = bytearray(b"\n".join(lines))
    return bytes(data)


ANY_FILE = st.one_of(st.binary(max_size=400), YAMLISH.map(lambda s: s.encode("utf-8", "surrogatepass")), mutated())
NAMES = st.sampled_from([
    "records/pcc/actions/2023/pcc-2023-03-22-6b.yaml",
    "records/pcc/actions/2023/pcc-2023-03-22-6a.yaml",  # replaces a valid record of the base repository
    "records/pcc/meetings/pcc-2023-04-19.yaml",
    "records/pcc/reports/sample/recommendations/pcc-sample-r1.yaml",
])


def check_one(rel_path: str, data: bytes) -> None:
    record, problems = parse_record(rel_path, data)
    assert (record is None) == bool(problems)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.path == rel_path and problem.message
    sources = [(path, content) for path, content in BASE_SOURCES if path != rel_path] + [(rel_path, data)]
    for problem in validate(CONFIG, build_set(sources)):
        assert isinstance(problem, Problem) and problem.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES, ANY_FILE)
def test_loader_and_validator_never_crash(rel_path: str, data: bytes) -> None:
    check_one(rel_path, data)


@pytest.mark.slow
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(NAMES, ANY_FILE)
def test_loader_and_validator_never_crash_long_run(rel_path: str, data: bytes) -> None:
    check_one(rel_path, data)
