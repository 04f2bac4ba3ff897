"""After a few files change, `overdue` works out again only the items those files can touch and keeps the rest;
whatever the change, its answer is exactly the answer of reading every file."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import Run, commit_all, generated_repo, git
from tracker.storage.config import load_config
from tracker.storage.store import load_records

AS_OF = "2026-11-30"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generated_repo(tmp_path_factory, "reuse", 150, 7)
    commit_all(root)
    return root


def _ids(root: Path, kind: str) -> list[str]:
    return sorted(r.id for r in load_records(load_config(root), use_cache=False) if r.kind == kind)


def _change(root: Path, run: Run, rng: random.Random, broken: bool) -> str:
    """One change a clerk makes, through tracker or by hand, that can move items in or out of the overdue list;
    when the records are broken, putting them back."""
    choice = 7 if broken else rng.randrange(8)
    files = sorted((root / "records").rglob("*.yaml"))
    if choice == 0:
        record = rng.choice(_ids(root, rng.choice(["action", "recommendation"])))
        run(root, "followup", record, "--date", AS_OF, "--by", "Clerk")
        return f"followup {record}"
    if choice == 1:
        record = rng.choice(_ids(root, "action"))
        run(root, "update", record, "--status", rng.choice(["completed", "ongoing"]), "--date", AS_OF, "--by", "Clerk", "--reopen")
        return f"update {record}"
    if choice == 2:
        record = rng.choice(_ids(root, rng.choice(["action", "recommendation"])))
        due = f"{rng.randint(2024, 2027)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        run(root, "reschedule", record, "--due", due, "--reason", "Asked for more time.", "--date", AS_OF, "--by", "Clerk")
        return f"reschedule {record} to {due}"
    if choice == 3:  # a report's publication moves, so its recommendations' responses fall due at another time
        report = rng.choice([f for f in files if f.parent.parent.name == "reports"])
        text = report.read_text(encoding="utf-8")
        report.write_text(re.sub(r"^published: .+$", f"published: {rng.randint(2024, 2026)}-0{rng.randint(1, 9)}", text,
                                 count=1, flags=re.MULTILINE), encoding="utf-8")
        return f"published {report.name}"
    if choice == 4:  # a response is withdrawn (its references then dangle: every answer is refused alike)
        responses = [f for f in files if f.parent.name == "responses"]
        if responses:
            rng.choice(responses).unlink()
        return "deleted a response"
    if choice == 5:  # a recommendation is sent to another body as well
        recommendation = rng.choice([f for f in files if f.parent.name == "recommendations"])
        text = recommendation.read_text(encoding="utf-8")
        recommendation.write_text(text.replace("to:\n", "to:\n  - \"Home Office\"\n", 1), encoding="utf-8")
        return f"addressed {recommendation.name}"
    if choice == 6:
        action = rng.choice([f for f in files if "/actions/" in f.as_posix()])
        text = action.read_text(encoding="utf-8")
        action.write_text(re.sub(r"^due: .+$", f"due: {rng.randint(2020, 2027)}-06", text, count=1, flags=re.MULTILINE),
                          encoding="utf-8")
        return f"due {action.name}"
    git(root, "checkout", "-q", "--", "records")
    git(root, "clean", "-qfd", "records")
    return "restored"


@pytest.mark.parametrize("seed", [1, 2])
def test_an_answer_from_the_last_one_is_the_answer_from_every_file(
    generated: Path, tmp_path: Path, run: Run, seed: int,
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    rng = random.Random(seed)
    questions = [("overdue", "--as-of", AS_OF, "--format", "json"),
                 ("overdue", "--as-of", AS_OF, "--format", "csv", "--committee", sorted(load_config(root).committees)[0])]
    for args in questions:
        assert run(root, *args).exit_code == 0
    broken = False
    for step in range(30):
        what = _change(root, run, rng, broken)
        for args in questions:
            expected = run(root, "--no-cache", *args)
            for _ in range(2):  # worked out, then kept
                answer = run(root, *args)
                assert (answer.exit_code, answer.stdout) == (expected.exit_code, expected.stdout), (step, what, args)
            broken = expected.exit_code != 0 and "problems" in expected.stderr
