"""Answers kept file by file: after an edit only what the edit can change is worked out again, and the answer is
exactly the answer worked out from every file, whatever the edit, with or without git, across commits and branches,
and however the kept names are damaged."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import CallSpy, Run, commit_all, generated_repo, git
from tracker.model.recordset import RecordSet
from tracker.questions.query import attention_needs
from tracker.storage import names as names_module
from tracker.storage import parts
from tracker.storage.config import load_config
from tracker.storage.names import NameIndex, name_of, role_of, texts_of, token
from tracker.storage.store import Snapshot

AS_OF = "2025-06-30"
QUESTIONS = [("validate",), ("validate", "--format", "json"), ("overdue", "--as-of", AS_OF, "--format", "json"),
             ("overdue", "--as-of", AS_OF, "--format", "csv", "--responsible", "police")]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generated_repo(tmp_path_factory, "parts", 160, 11)
    commit_all(root)
    return root


def _copy(generated: Path, tmp_path: Path, with_git: bool = True) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    if not with_git:
        shutil.rmtree(root / ".git")
    return root


# The index of names finds what a search of every name finds, for any text a path or name may hold.

class Stored:
    """Stored texts of names held in memory, found as the cache finds them."""

    def __init__(self, texts: dict[str, list[names_module.Chunk]]):
        self.texts = texts

    def chunk(self, kind: str, key: str) -> tuple[str, str]:
        found = [chunk for chunk in self.texts[kind] if chunk.first <= key][-1]
        assert not found.following or key < found.following
        return found.body, found.following

    def chunk_at(self, kind: str, number: int) -> tuple[int, str]:
        found = [chunk for chunk in self.texts[kind] if chunk.line <= number][-1]
        return found.line, found.body


@pytest.mark.parametrize("seed", range(6))
def test_the_index_of_names_finds_what_a_search_of_every_name_finds(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    alphabet = ["a", "b", "-", "/", "\t", "\n", "\\", "\\x41", "\x1f", "\x01", "é", " ", ".yaml"]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5)))

    for _ in range(40):
        monkeypatch.setattr(names_module, "CHUNK", rng.choice([1, 16, 200, 1 << 16]))
        every = {text() + ".yaml": [token(text(), rng.choice("ian")) for _ in range(rng.randint(0, 4))] for _ in range(30)}
        # Some files are named after their ID, as records are.
        for path in rng.sample(sorted(every), 10):
            every[path] = [found for found in every[path] if role_of(found) != "i"]
            every[path].insert(rng.randint(0, len(every[path])), token(path.rpartition("/")[2][:-5], "i"))
        index = NameIndex(Stored(texts_of(every)))
        for path in [*list(every)[:12], "missing.yaml"]:
            assert sorted(index.names_of([path]).get(path, [])) == sorted(every.get(path, []))
        for name in {name for found in every.values() for name in found} | {token("nobody", "i")}:
            for roles in ("i", "an", "ian"):
                expected = {path for path, found in every.items() if any(token(name_of(name), role) in found
                                                                          for role in roles)}
                assert index.paths_named([name_of(name)], roles) == expected
            assert index.has(name) == any(name in found for found in every.values())
        # Lines set apart for the files changed since stand in for theirs.
        changed = dict(rng.sample(sorted(every.items()), 5))
        changed = {path: [token(text(), rng.choice("ian"))] for path in changed}
        gone = rng.sample(sorted(every), 3)
        after = index.replaced(changed, gone)
        now = {**every, **changed, **{path: [] for path in gone}}
        for name in {name for found in now.values() for name in found}:
            expected = {path for path, found in now.items() if name in found}
            assert after.paths_named([name_of(name)], role_of(name)) == expected
            assert after.has(name)


# Through the door: only the files an edit can change are worked out again.

def _entries(records: RecordSet, only: frozenset[str] | None, asked: list[frozenset[str] | None]) -> dict[str, str]:
    """A stand-in answer with a part per item: each trackable's ID, report and the responses it has."""
    asked.append(only)
    by_report = records.responses_by_report()
    found = {}
    for record in records:
        if record.kind in ("action", "recommendation") and (only is None or record.path in only):
            report = getattr(record, "report", "")
            found[record.path] = f"{record.id} {report} {len(by_report.get(report, []))}"
    return found


def _asked(root: Path) -> tuple[dict[str, str], frozenset[str] | None]:
    snapshot = Snapshot(load_config(root))
    try:
        asked: list[frozenset[str] | None] = []
        answer = snapshot.kept_parts("entries", attention_needs, lambda records, only: _entries(records, only, asked))
    finally:
        snapshot.close()
    assert len(asked) == 1
    uncached = Snapshot(load_config(root), use_cache=False)
    assert answer.texts == uncached.kept_parts("entries", attention_needs, lambda r, o: _entries(r, o, [])).texts
    return answer.texts, asked[0]


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line, encoding="utf-8")


def test_after_an_edit_only_the_files_it_can_change_are_worked_out_again(generated: Path, tmp_path: Path) -> None:
    root = _copy(generated, tmp_path)
    assert _asked(root)[1] is None  # the first time, everything
    action = sorted(root.glob("records/*/actions/*/*.yaml"))[0]
    _append(action, "# a clerk's note\n")
    assert _asked(root)[1] == {action.relative_to(root).as_posix()}
    # A response changes what its report's recommendations are owed (and is one of the report's responses, a name
    # they share), and nothing else.
    response = sorted(root.glob("records/*/reports/*/responses/*.yaml"))[0]
    report_folder = response.parent.parent
    _append(response, "# checked\n")
    before, only = _asked(root)
    recommendations = {p.relative_to(root).as_posix() for p in report_folder.glob("recommendations/*.yaml")}
    responses = {p.relative_to(root).as_posix() for p in report_folder.glob("responses/*.yaml")}
    assert only is not None and recommendations
    assert only == recommendations | responses
    # A response withdrawn: the same, and the answer follows.
    response.unlink()
    after, only = _asked(root)
    assert only == recommendations | responses - {response.relative_to(root).as_posix()}
    for path in recommendations:
        words = before[path].split(" ")
        assert after[path] == " ".join([*words[:-1], str(int(words[-1]) - 1)])


def test_nothing_changed_and_no_answer_kept_whole_takes_the_parts_as_kept(generated: Path, tmp_path: Path) -> None:
    root = _copy(generated, tmp_path)
    first, _ = _asked(root)
    again, only = _asked(root)
    assert (again, only) == (first, frozenset())


# Through the command line, edit after edit: the same answers as from every file read afresh.

def _edit(root: Path, rng: random.Random, step: int) -> str:
    """One change of the kinds that move answers: by hand, breaking files and mending them, or through git."""
    choice = rng.randrange(12)
    if choice >= 8:
        return _through_git(root, rng, choice, step)
    path = rng.choice(sorted((root / "records").rglob("*.yaml")))
    text = path.read_text(encoding="utf-8")
    if choice == 0:  # another record's ID: two files, one ID
        other = re.search(r"^id: (.+)$", rng.choice(sorted(path.parent.glob("*.yaml"))).read_text(encoding="utf-8"),
                          re.MULTILINE)
        if other:
            text = re.sub(r"^id: .+$", f"id: {other.group(1)}", text, count=1, flags=re.MULTILINE)
    elif choice == 1:  # a copy under another name and ID: one record more
        path = path.with_name(f"x{step}-{path.name}")
        text = re.sub(r"^id: (.+)$", rf"id: x{step}-\1", text, count=1, flags=re.MULTILINE)
    elif choice == 2:  # a file deleted
        path.unlink()
        return "deleted"
    elif choice == 3:  # broken, then (some other step) put back
        text += "broken: [\n"
    else:  # a report, a number, a publication or a deadline changed
        field, value = [("report", "gone-"), ("number", str(rng.randint(1, 4))),
                        ("published", f"{rng.randint(2019, 2025)}-0{rng.randint(1, 9)}"),
                        ("due", f"{rng.randint(2020, 2027)}-06")][choice - 4]
        text = re.sub(rf"^{field}: (.+)$", lambda found: f"{field}: " + (value + found[1] if value == "gone-" else value),
                      text, count=1, flags=re.MULTILINE)
    path.write_text(text, encoding="utf-8")
    return f"edit {choice}"


def _through_git(root: Path, rng: random.Random, choice: int, step: int) -> str:
    clerk = ("-c", "user.name=Clerk", "-c", "user.email=clerk@example.org")
    if choice == 8:  # what is on disk committed
        git(root, "add", "-A")
        git(root, *clerk, "commit", "-q", "--allow-empty", "-m", f"Step {step}")
        return "committed"
    if choice == 9:  # another branch, or an earlier commit, as it was
        git(root, *clerk, "stash", "-q", "--include-untracked")
        branch = rng.choice(["main", "earlier"])
        git(root, "checkout", "-q", "-B", branch, "HEAD" if branch == "earlier" else "main")
        if rng.random() < 0.5 and len(git(root, "log", "--oneline").splitlines()) > 1:
            git(root, "checkout", "-q", "HEAD~1")
        return f"checked out {branch}"
    git(root, "checkout", "-q", "--", "records")  # everything put back as committed
    git(root, "clean", "-qfd", "records")
    return "restored"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_edit_after_edit_the_answers_are_those_from_every_file(
    generated: Path, tmp_path: Path, run: Run, seed: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _copy(generated, tmp_path)
    monkeypatch.setattr(names_module, "MOST_RECENT", 6)  # fold the recent lines in often
    updates = CallSpy(monkeypatch, parts, "update")
    in_full = CallSpy(monkeypatch, parts, "texts_of")  # an answer worked out from every file
    rng = random.Random(seed)
    for step in range(24):
        what = _edit(root, rng, step)
        for args in QUESTIONS:
            expected = run(root, "--no-cache", *args)
            for _ in range(2):  # worked out, then kept
                answer = run(root, *args)
                assert (answer.exit_code, answer.stdout) == (expected.exit_code, expected.stdout), (step, what, args)
    # Each question was worked out from every file once; every later answer not kept whole came from its parts.
    assert in_full.calls == 3
    assert updates.calls >= 5


def test_without_git_the_answers_are_those_from_every_file(
    generated: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _copy(generated, tmp_path, with_git=False)
    updates = CallSpy(monkeypatch, parts, "update")
    in_full = CallSpy(monkeypatch, parts, "texts_of")
    rng = random.Random(7)
    files = sorted((root / "records").rglob("*.yaml"))
    for step in range(8):
        path = rng.choice(files)
        if step == 5:
            path.unlink()
            files.remove(path)
        else:
            _append(path, f"# note {step}\n")
        for args in QUESTIONS:
            expected = run(root, "--no-cache", *args)
            answer = run(root, *args)
            assert (answer.exit_code, answer.stdout) == (expected.exit_code, expected.stdout), (step, args)
    assert in_full.calls == 3
    assert updates.calls >= 8


@pytest.mark.parametrize("damage", ["flip a byte", "drop a chunk", "drop the recent lines", "flip a part"])
def test_damaged_names_or_parts_are_never_trusted(
    generated: Path, tmp_path: Path, run: Run, damage: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _copy(generated, tmp_path)
    monkeypatch.setattr(names_module, "CHUNK", 4096)  # several chunks to a text
    for args in QUESTIONS:
        run(root, *args)
    database = sqlite3.connect(root / ".tracker-cache" / "records.sqlite3")
    with database:
        if damage == "flip a byte":
            database.execute("UPDATE names SET body = replace(body, 'r1', 'r7') WHERE kind = 'names'")
        elif damage == "drop a chunk":
            database.execute("DELETE FROM names WHERE kind = 'names' AND first = "
                             "(SELECT max(first) FROM names WHERE kind = 'names')")
        elif damage == "drop the recent lines":
            database.execute("DELETE FROM names WHERE kind = 'recent'")
        else:
            database.execute("UPDATE parts SET body = body || ' '")
    database.close()
    response = sorted(root.glob("records/*/reports/*/responses/*.yaml"))[0]
    response.unlink()  # recommendations answered there are owed again
    for args in QUESTIONS:
        expected = run(root, "--no-cache", *args)
        answer = run(root, *args)
        assert (answer.exit_code, answer.stdout) == (expected.exit_code, expected.stdout), args


def test_parts_another_run_brought_up_to_date_meanwhile_are_not_mixed_with_these(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = _copy(generated, tmp_path)
    _asked(root)
    _append(sorted(root.glob("records/*/actions/*/*.yaml"))[0], "# a clerk's note\n")
    response = sorted(root.glob("records/*/reports/*/responses/*.yaml"))[0]
    kept_bytes = response.read_bytes()
    real_update = parts.update

    def meanwhile(*args: object, **kwargs: object) -> object:
        """While this run works out its parts, another run sees the response withdrawn and keeps its own; then the
        response is put back, as this run saw it."""
        monkeypatch.setattr(parts, "update", real_update)
        response.unlink()
        _asked(root)
        response.write_bytes(kept_bytes)
        return real_update(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parts, "update", meanwhile)
    snapshot = Snapshot(load_config(root))
    try:
        answer = snapshot.kept_parts("entries", attention_needs, lambda records, only: _entries(records, only, []))
    finally:
        snapshot.close()
    uncached = Snapshot(load_config(root), use_cache=False)
    assert answer.texts == uncached.kept_parts("entries", attention_needs, lambda r, o: _entries(r, o, [])).texts
