"""Bad records and bad command lines: each gets exit status 1 (2 for usage), a message naming the file, line and
field, no traceback, and leaves every file as it was.

Each case in tests/bad/<case>/ is laid over the small valid repository in tests/bad/_base/ (same relative paths).
A few cases cannot live in git as files (a 50 MB file, symbolic links) and are made by the tests themselves.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import Run

BAD = Path(__file__).resolve().parent / "bad"
A = "records/pcc/actions/2023"
M = "records/pcc/meetings"
R = "records/pcc/reports/sample"


@dataclass(frozen=True)
class Case:
    name: str
    file: str  # relative to the repository root
    line: int  # 0 when the problem is the file as a whole
    field: str  # "" when the problem is not in one field
    fragment: str  # part of the message
    status: int = 1


CASES = [
    Case("yaml-syntax", f"{R}/recommendations/pcc-sample-r2.yaml", 7, "", "YAML syntax error"),
    Case("tab-indent", f"{A}/pcc-2023-03-22-6b.yaml", 11, "", "a tab character is used for indentation"),
    Case("duplicate-key", f"{A}/pcc-2023-03-22-6b.yaml", 10, "status", "duplicate field 'status'"),
    Case("anchor-alias", f"{A}/pcc-2023-03-22-6b.yaml", 6, "text", "aliases (*name) are not allowed"),
    Case("merge-key", f"{A}/pcc-2023-03-22-6b.yaml", 6, "", "merge keys (<<) are not allowed"),
    Case("alias-bomb", f"{A}/pcc-2023-03-22-6b.yaml", 9, "b[0]", "aliases (*name) are not allowed"),
    Case("python-tag", f"{A}/pcc-2023-03-22-6b.yaml", 8, "text", "python/object/apply:os.system is not allowed"),
    Case("python-name-tag", f"{A}/pcc-2023-03-22-6b.yaml", 7, "responsible", "python/name:os.system is not allowed"),
    Case("binary-tag", f"{A}/pcc-2023-03-22-6b.yaml", 8, "text", "binary is not allowed"),
    Case("set-tag", f"{R}/recommendations/pcc-sample-r2.yaml", 6, "to", "set is not allowed"),
    Case("custom-tag", f"{A}/pcc-2023-03-22-6b.yaml", 7, "responsible", "tag !foo is not allowed"),
    Case("wrong-type", f"{R}/recommendations/pcc-sample-r2.yaml", 4, "number", "'two' is not a recommendation number"),
    Case("wrong-type-list", f"{R}/recommendations/pcc-sample-r2.yaml", 6, "to", "should be a list"),
    Case("unknown-field", f"{A}/pcc-2023-03-22-6b.yaml", 9, "stauts", "unknown field 'stauts'"),
    Case("missing-field", f"{M}/pcc-2023-04-19.yaml", 1, "committee", "'committee' is required"),
    Case("unknown-kind", f"{M}/pcc-2023-04-19.yaml", 2, "kind", "got 'hearing'"),
    Case("not-a-mapping", f"{M}/pcc-2023-04-19.yaml", 1, "", "a record must be a mapping"),
    Case("multi-document", f"{M}/pcc-2023-04-19.yaml", 5, "", "found another document"),
    Case("non-string-key", f"{M}/pcc-2023-04-19.yaml", 5, "", "field names must be plain text"),
    Case("unknown-status", f"{A}/pcc-2023-03-22-6b.yaml", 9, "status", "unknown action status 'pending'"),
    Case("status-mismatch", f"{A}/pcc-2023-03-22-6b.yaml", 9, "status", "the last status event sets 'completed'"),
    Case("history-out-of-order", f"{A}/pcc-2023-03-22-6b.yaml", 13, "history[1].date", "keep history in date order"),
    Case("impossible-date", f"{M}/pcc-2023-02-30.yaml", 4, "date", "'2023-02-30' is not a valid date"),
    Case("impossible-date-quoted", f"{R}/responses/pcc-sample-2023-02-30-mopac.yaml", 5, "date",
         "'2023-02-30' is not a real date"),
    Case("partial-date-out-of-range", f"{A}/pcc-2023-03-22-6b.yaml", 10, "due", "'2023-13' has no month 13"),
    Case("date-with-time", f"{A}/pcc-2023-03-22-6b.yaml", 4, "meeting", "give a date without a time"),
    Case("id-file-mismatch", f"{A}/pcc-2023-03-22-6c.yaml", 1, "id", "does not match the file name"),
    Case("duplicate-id", f"{A}/pcc-2023-03-22-6a.yaml", 2, "id",
         f"ID 'pcc-2023-03-22-6a' is also used by {A}/copy/pcc-2023-03-22-6a.yaml"),
    Case("dangling-report", "records/pcc/reports/gone/recommendations/pcc-gone-r1.yaml", 3, "report",
         "no report with ID 'pcc-gone'"),
    Case("dangling-recommendation-number", f"{R}/responses/pcc-sample-2023-04-01-mps.yaml", 10,
         "recommendations[1].number", "report pcc-sample has no recommendation 7"),
    Case("dangling-response-event", f"{R}/recommendations/pcc-sample-r1.yaml", 12, "history[0].response",
         "no response record 'pcc-sample-2023-03-20-mayor'"),
    Case("unknown-committee", "records/xyz/meetings/xyz-2023-03-22.yaml", 3, "committee", "unknown committee 'xyz'"),
    Case("byte-order-mark", f"{M}/pcc-2023-04-19.yaml", 1, "", "byte-order mark"),
    Case("non-utf8", f"{A}/pcc-2023-03-22-6b.yaml", 8, "", "not UTF-8 text (byte 0xe9)"),
    Case("control-character", f"{M}/pcc-2023-04-19.yaml", 5, "", "character U+0000 is not allowed"),
    Case("empty-file", f"{M}/pcc-2023-04-19.yaml", 1, "", "file is empty"),
    Case("comment-only", f"{M}/pcc-2023-04-19.yaml", 1, "", "file holds no YAML document"),
    Case("deep-nesting", f"{M}/pcc-2023-04-19.yaml", 5, "title", "nested more than 32 levels deep"),
    Case("directory-as-file", f"{M}/pcc-2023-04-19.yaml", 0, "", "is a directory, expected a YAML file"),
    Case("conflict-markers", f"{A}/pcc-2023-03-22-6a.yaml", 10, "", "merge conflict: git left its conflict markers"),
]


def tree_digest(root: Path) -> str:
    """One hash over every path, file content and link target under root (but the disposable cache)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if ".tracker-cache" in path.relative_to(root).parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        if path.is_symlink():
            digest.update(b"link:" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def make_repo(tmp_path: Path, case: str | None = None) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BAD / "_base", root)
    if case:
        shutil.copytree(BAD / case, root, dirs_exist_ok=True)
    return root


def where(case: Case) -> str:
    return f"{case.file}:{case.line}:" if case.line else f"{case.file}: "


def assert_reported(result: Result, case: Case, stream: str) -> None:
    text = getattr(result, stream)
    assert result.exit_code == case.status, result.output
    assert "Traceback" not in result.output
    lines = [line for line in text.splitlines() if line.startswith(where(case))]
    assert lines, f"no line starting {where(case)!r} in:\n{text}"
    line = lines[0]
    if case.field:
        assert f" {case.field}: " in line, line
    assert case.fragment in line, line


def test_every_case_folder_is_in_the_table() -> None:
    folders = {p.name for p in BAD.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert folders == {case.name for case in CASES}


def test_base_repository_is_valid(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    assert run(root, "validate").exit_code == 0
    assert run(root, "list").exit_code == 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_record(case: Case, tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path, case.name)
    before = tree_digest(root)

    checked = run(root, "validate")
    assert_reported(checked, case, "stdout")
    assert run(root, "--no-cache", "validate").stdout == checked.stdout
    listed = run(root, "list")
    assert_reported(listed, case, "stderr")
    assert listed.stderr.startswith("error: the records have problems")
    assert listed.stdout == ""

    assert tree_digest(root) == before


def test_python_tag_is_not_executed(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path, "python-tag")
    monkeypatch.chdir(root)  # the payload would run `touch PWNED` in the working directory
    result = run(root, "validate")
    assert result.exit_code == 1
    assert not (root / "PWNED").exists()


def test_huge_file_is_refused_without_reading_it(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path)
    huge = root / M / "pcc-2023-04-19.yaml"
    with huge.open("wb") as handle:
        handle.write(b"id: pcc-2023-04-19\nkind: meeting\ncommittee: pcc\ndate: 2023-04-19\ntitle: ")
        handle.truncate(50 * 1024 * 1024)
    before = tree_digest(root)
    read: list[int] = []
    real_read = os.read

    def spy(fd: int, size: int) -> bytes:
        data = real_read(fd, size)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "read", spy)
    case = Case("huge-file", f"{M}/pcc-2023-04-19.yaml", 0, "", "file is 52,428,800 bytes; a record may be at most")
    assert_reported(run(root, "validate"), case, "stdout")
    assert_reported(run(root, "list"), case, "stderr")
    assert read and sum(read) < 1024 * 1024  # the other records were read, not the huge file
    monkeypatch.undo()
    assert tree_digest(root) == before


def test_symlink_to_a_file_outside_is_not_read(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: pcc-2023-04-19\nkind: meeting\ncommittee: pcc\ndate: 2023-04-19\ntitle: s3cret\n")
    (root / M / "pcc-2023-04-19.yaml").symlink_to(secret)
    before = tree_digest(root)
    case = Case("symlink-out", f"{M}/pcc-2023-04-19.yaml", 0, "", "is a link to a file outside the records repository")
    assert_reported(run(root, "validate"), case, "stdout")
    listed = run(root, "list")
    assert_reported(listed, case, "stderr")
    assert "s3cret" not in listed.output
    assert tree_digest(root) == before



@pytest.mark.parametrize("cache", [True, False], ids=["cached", "no-cache"])
def test_a_pipe_named_like_a_record_is_refused_without_waiting(tmp_path: Path, cache: bool) -> None:
    root = make_repo(tmp_path)
    os.mkfifo(root / M / "pcc-2023-04-19.yaml")  # opening it to read would wait for a writer that never comes
    command = [sys.executable, "-m", "tracker", "--root", str(root), *([] if cache else ["--no-cache"]), "validate"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    assert done.returncode == 1
    assert f"{M}/pcc-2023-04-19.yaml: is not a plain file" in done.stdout
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- bad command lines


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    status: int
    fragments: tuple[str, ...]


COMMANDS = [
    Command("unknown-id", ("show", "pcc-2023-03-22-6z"), 1,
            ("no record with ID 'pcc-2023-03-22-6z'", "hint: did you mean pcc-2023-03-22-6a")),
    Command("unknown-id-far", ("show", "nothing-like-it"), 1, ("no record with ID", "run `tracker list`")),
    Command("id-as-path", ("show", "../../../etc/passwd"), 1, ("no record with ID '../../../etc/passwd'",)),
    Command("report-slug-typo", ("new", "recommendation", "--report", "sampel", "--text", "x", "--to", "MOPAC"), 1,
            ("no report with ID 'sampel'", "did you mean pcc-sample")),
    Command("impossible-as-of", ("list", "--as-of", "2023-02-30"), 2, ("Invalid value for '--as-of': '2023-02-30' is not a real date",)),
    Command("words-as-of", ("list", "--as-of", "yesterday"), 2, ("Invalid value for '--as-of': 'yesterday' is not a date",)),
    Command("month-13-as-of", ("overdue", "--as-of", "2023-13-01"), 2, ("Invalid value for '--as-of': '2023-13-01' has no month 13",)),
    Command("impossible-due", ("new", "action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "7",
                               "--item-title", "t", "--responsible", "r", "--text", "t", "--due", "2023-00"), 2,
            ("has no month 0",)),
    Command("unknown-format", ("list", "--format", "xml"), 2, ("'xml' is not one of",)),
    Command("unknown-committee-list", ("list", "--committee", "xyz"), 1, ("unknown committee 'xyz' (tracker.yaml has pcc)",)),
    Command("unknown-committee-new", ("new", "meeting", "--committee", "xyz", "--date", "2023-05-01"), 1,
            ("unknown committee 'xyz' (tracker.yaml has pcc)",)),
    Command("committee-as-path", ("new", "meeting", "--committee", "../..", "--date", "2023-05-01"), 1,
            ("unknown committee '../..'",)),
    Command("slug-as-path", ("new", "report", "--committee", "pcc", "--title", "T", "--published", "2023-01-01",
                             "--slug", "../../evil"), 1, ("--slug '../../evil' must be lower-case letters",)),
    Command("item-as-path", ("new", "action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "../../x",
                             "--item-title", "t", "--responsible", "r", "--text", "t"), 1, ("item: '../../x'",)),
    Command("title-as-path", ("new", "action", "--standing", "--committee", "pcc", "--title", "../..",
                              "--responsible", "r", "--text", "t"), 1, ("'pcc-standing-' is not in the expected form",)),
    Command("missing-value", ("new", "meeting", "--committee", "pcc"), 2, ("missing --date",)),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_bad_command_line(command: Command, tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    before = tree_digest(tmp_path)
    result = run(root, *command.args)
    assert result.exit_code == command.status, result.output
    assert "Traceback" not in result.output
    for fragment in command.fragments:
        assert fragment in result.stderr
    assert tree_digest(tmp_path) == before


def test_output_into_a_missing_folder(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    before = tree_digest(tmp_path)
    result = run(root, "list", "-o", str(root / "missing" / "list.csv"), "--format", "csv")
    assert result.exit_code == 1
    assert "the folder" in result.stderr and "does not exist" in result.stderr
    assert tree_digest(tmp_path) == before


@pytest.mark.parametrize("escape", ["dotdot", "absolute", "linked-folder", "linked-file"])
def test_output_cannot_escape_the_repository(escape: str, tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.md").write_text("keep me\n")
    target = {
        "dotdot": root / ".." / "outside" / "list.md",
        "absolute": outside / "list.md",
        "linked-folder": root / "out" / "list.md",
        "linked-file": root / "list.md",
    }[escape]
    (root / "out").symlink_to(outside, target_is_directory=True)
    (root / "list.md").symlink_to(outside / "victim.md")
    before = tree_digest(tmp_path)
    result = run(root, "list", "-o", str(target), "--format", "markdown")
    assert result.exit_code == 1, result.output
    assert "refusing to write outside the records repository" in result.stderr
    assert tree_digest(tmp_path) == before
    assert (outside / "victim.md").read_text() == "keep me\n"


def test_output_inside_the_repository_is_written(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    (root / "exports").mkdir()
    result = run(root, "list", "-o", str(root / "exports" / "list.csv"), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "pcc-2023-03-22-6a" in (root / "exports" / "list.csv").read_text()


def test_new_record_cannot_be_written_through_a_link_out_of_the_tree(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    (root / A / "pcc-2023-03-22-6a.yaml").unlink()  # its meeting is moved out of reach below
    outside = tmp_path / "elsewhere"
    shutil.move(root / M, outside)
    (root / M).symlink_to(outside, target_is_directory=True)
    before = tree_digest(tmp_path)
    result = run(root, "new", "meeting", "--committee", "pcc", "--date", "2023-05-01")
    assert result.exit_code == 1, result.output
    assert f"{M}: is a link to a folder" in result.stderr  # never followed, so nothing is written through it
    assert tree_digest(tmp_path) == before


def test_hostile_names_are_made_into_slugs_inside_the_tree(tmp_path: Path, run: Run) -> None:
    root = make_repo(tmp_path)
    result = run(root, "new", "response", "--report", "sample", "--from", "../../../etc/passwd", "--date",
                 "2023-04-01", "--recommendations", "1", "--text", "A reply.")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "pcc-sample-2023-04-01-etc-passwd"
    assert (root / R / "responses" / "pcc-sample-2023-04-01-etc-passwd.yaml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_new_action_writes_a_date_used_twice_in_full(tmp_path: Path, run: Run) -> None:
    # The meeting date is also the first event's date; the file must not use a YAML alias for it.
    root = make_repo(tmp_path)
    result = run(root, "new", "action", "--committee", "pcc", "--meeting", "2023-03-22", "--item", "7",
                 "--item-title", "Budget", "--responsible", "MOPAC", "--text", "To write.", "--by", "Clerk")
    assert result.exit_code == 0, result.output
    text = (root / A / "pcc-2023-03-22-7a.yaml").read_text()
    assert "&" not in text and "*" not in text
    assert run(root, "validate").exit_code == 0
