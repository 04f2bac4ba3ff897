"""Every `console` example in docs/ that runs tracker (or git) is run, and its output must be what the page shows.

Each page's examples run in order, in a fresh git repository holding the bundled records (tracker.yaml and
records/ committed as "Bundled records" by Jo Clerk), so an example sees what the ones above it on the same page
did, including the folder a `cd` moved to. A `$ ` line is a command (a line ending in a backslash goes on to the
next), run with bash with the installed `tracker` first on PATH; the lines up to the next command are its output, stdout and stderr
together as a terminal shows them. Output is compared exactly, except that an abbreviated commit hash may be any
commit hash and a date may be today's date (in the same format) in its place: both differ from one run to the next.

After a deliberate change to the program's output, refresh the pages and review the diff:

    TRACKER_REFRESH_EXAMPLES=1 python -m pytest tests/test_doc_examples.py; git diff docs/
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT
from tracker.storage.writer import CRASH_ENV

DOCS = PROJECT / "docs"
FENCE = re.compile(r"^```console\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
HASH = r"\b(?=[0-9a-f]*[0-9])[0-9a-f]{7}\b|\b[0-9a-f]{40}\b"
WORD_DATE = rf"\b\d{{1,2}} (?:{'|'.join(MONTHS)}) \d{{4}}\b"
ISO_DATE = r"\b\d{4}-\d{2}-\d{2}\b"
VARIABLE = re.compile(f"(?P<hash>{HASH})|(?P<words>{WORD_DATE})|(?P<iso>{ISO_DATE})")
# A console block is an example when one of its commands runs tracker, or git on the records.
EXAMPLE = re.compile(r"(\w+=\S+ )*(tracker|git)\b")
# The time every commit in the examples is made at, so `tracker history` shows the same commit times every run.
COMMIT_TIME = "2023-06-30T17:00:00+00:00"


@dataclass
class Step:
    command: str
    expected: str
    line: int  # where the command is in the page


@dataclass
class Block:
    steps: list[Step]
    start: int  # offset of the block's body in the page
    end: int


def blocks(text: str) -> list[Block]:
    """The page's console blocks that run tracker, each as its commands and their expected outputs."""
    found = []
    for match in FENCE.finditer(text):
        steps: list[Step] = []
        first_line = text.count("\n", 0, match.start(1)) + 1
        lines = match.group(1).splitlines()
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                if not steps:
                    break  # output with no command: an illustration, not an example
                steps[-1].expected += lines[i] + "\n"
                i += 1
                continue
            command_lines = [lines[i][2:]]
            line = first_line + i
            while command_lines[-1].endswith("\\") and i + 1 < len(lines):
                i += 1
                command_lines.append(lines[i])
            steps.append(Step("\n".join(command_lines), "", line))
            i += 1
        if steps and any(EXAMPLE.match(step.command) for step in steps):
            found.append(Block(steps, match.start(1), match.end(1)))
    return found


def pages() -> list[Path]:
    return [page for page in sorted(DOCS.rglob("*.md")) if blocks(page.read_text(encoding="utf-8"))]


def expected_pattern(expected: str, today: dt.date) -> re.Pattern[str]:
    """The expected output as a pattern: commit hashes stand for any hash, dates for themselves or today."""
    today_words = f"{today.day} {MONTHS[today.month - 1]} {today.year}"
    parts = []
    last = 0
    for match in VARIABLE.finditer(expected):
        parts.append(re.escape(expected[last:match.start()]))
        if match.group("hash"):
            parts.append(r"[0-9a-f]{7,40}")
        else:
            now = today_words if match.group("words") else today.isoformat()
            parts.append(f"(?:{re.escape(match.group())}|{re.escape(now)})")
        last = match.end()
    parts.append(re.escape(expected[last:]))
    return re.compile("".join(parts))


def records_repository(where: Path, env: dict[str, str]) -> Path:
    """The bundled records committed to a new git repository, as a clerk's records repository is."""
    root = where / "repo"
    root.mkdir()
    shutil.copy(PROJECT / "tracker.yaml", root / "tracker.yaml")
    shutil.copytree(PROJECT / "records", root / "records")
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "Jo Clerk"],
                 ["config", "user.email", "jo@example.org"], ["add", "-A"], ["commit", "-q", "-m", "Bundled records"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


def environment(home: Path) -> dict[str, str]:
    home.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("TRACKER_", "GIT_", "PYTEST_")) and key not in ("VISUAL", "EDITOR", CRASH_ENV)}
    env.update(HOME=str(home), TZ="UTC", NO_COLOR="1", LC_ALL="C.UTF-8", COLUMNS="80", LINES="24", GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_DATE=COMMIT_TIME, GIT_COMMITTER_DATE=COMMIT_TIME,
               PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))
    return env


def run_step(step: Step, cwd: Path, env: dict[str, str], where: Path) -> tuple[str, Path]:
    """What the command prints, and the folder it leaves the shell in (written to the file where)."""
    script = f'{step.command}\nstatus=$?; pwd > "$TRACKER_EXAMPLE_PWD"; exit $status'
    done = subprocess.run(["bash", "-c", script], cwd=cwd, env={**env, "TRACKER_EXAMPLE_PWD": str(where)},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                          timeout=300)
    output = done.stdout
    # A page shows output line by line, so output that does not end its last line is shown (and read) as if it did.
    if output and not output.endswith("\n"):
        output += "\n"
    return output, Path(where.read_text(encoding="utf-8").strip())


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.relative_to(DOCS).as_posix())
def test_the_examples_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    text = page.read_text(encoding="utf-8")
    env = environment(tmp_path / "home")
    root = records_repository(tmp_path, env)
    today = dt.date.today()
    refresh = os.environ.get("TRACKER_REFRESH_EXAMPLES") == "1"
    replacements: list[tuple[int, int, str]] = []
    cwd = root
    for block in blocks(text):
        body = []
        for step in block.steps:
            actual, cwd = run_step(step, cwd, env, tmp_path / "pwd")
            body.append(f"$ {step.command}\n{actual}")
            if refresh or expected_pattern(step.expected, today).fullmatch(actual):
                continue
            diff = "".join(difflib.unified_diff(step.expected.splitlines(True), actual.splitlines(True),
                                                "the page shows", "tracker printed"))
            pytest.fail(f"{page.relative_to(PROJECT)}:{step.line}: `{step.command}` printed something else:\n{diff}")
        replacements.append((block.start, block.end, "".join(body)))
    if refresh:
        for start, end, body in reversed(replacements):
            text = text[:start] + body + text[end:]
        page.write_text(text, encoding="utf-8")


def test_the_examples_are_found() -> None:
    """The finder sees the examples of the guide, so a change to the page format cannot silently test nothing."""
    found = {page.relative_to(DOCS).as_posix(): len(blocks(page.read_text(encoding="utf-8"))) for page in pages()}
    assert found.get("guide/clerks-day.md", 0) >= 3, found
    assert sum(found.values()) >= 20, found
