"""Whatever a change does, the problems found through the cache are exactly those a validation of every file
read afresh finds."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import commit_all, generated_repo, git
from tracker.storage.config import Config, load_config
from tracker.storage.store import Snapshot, load_records
from tracker.storage.validate import validate


def cached_problems(config: Config) -> list[object]:
    snapshot = Snapshot(config)
    try:
        return list(snapshot.problems())
    finally:
        snapshot.close()


def _edits(root: Path, rng: random.Random) -> str:
    """One random edit of the kind that changes problems across records; returns what it did."""
    files = sorted(p for p in (root / "records").rglob("*.yaml"))
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8")
    other = rng.choice(files)
    other_text = other.read_text(encoding="utf-8") if other.exists() else ""
    other_id = re.search(r"^id: (.+)$", other_text, re.MULTILINE)
    choice = rng.randrange(9)
    if choice == 0 and other_id:  # take another record's ID
        path.write_text(re.sub(r"^id: .+$", f"id: {other_id.group(1)}", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    elif choice == 1 and "report: " in text:  # point at a report that is not there
        path.write_text(text.replace("report: ", "report: gone-", 1), encoding="utf-8")
    elif choice == 2:  # delete a file (often a report, so its recommendations dangle)
        reports = [f for f in files if f.parent.name not in ("recommendations", "responses") and "/reports/" in f.as_posix()]
        rng.choice(reports or files).unlink()
        return "deleted"
    elif choice == 3 and re.search(r"^number: \d+$", text, re.MULTILINE):  # take a number that may be in use
        path.write_text(re.sub(r"^number: \d+$", f"number: {rng.randint(1, 4)}", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    elif choice == 4:  # break the file
        path.write_text(text + "broken: [\n", encoding="utf-8")
    elif choice == 5 and "response: " in text:  # name a response that is not there
        path.write_text(text.replace("response: ", "response: missing-", 1), encoding="utf-8")
    elif choice == 6:  # a copy under another name: two files, one ID
        shutil.copy(path, path.with_name("copy-" + path.name))
    elif choice == 7 and re.search(r"^status: \w", text, re.MULTILINE):
        path.write_text(re.sub(r"^status: (\S+)", r"status: x\1", text, count=1, flags=re.MULTILINE), encoding="utf-8")
    else:  # put everything back as committed
        git(root, "checkout", "-q", "--", "records")
        git(root, "clean", "-qfd", "records")
        return "restored"
    return f"edit {choice}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generated_repo(tmp_path_factory, "incremental", 120, 3)
    commit_all(root)
    return root


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_validating_through_the_cache_finds_what_a_full_validation_finds(
    generated: Path, tmp_path: Path, seed: int,
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    config = load_config(root)
    assert cached_problems(config) == []
    rng = random.Random(seed)
    seen_problems = 0
    for step in range(25):
        what = _edits(root, rng)
        expected = validate(config, load_records(config, use_cache=False))
        assert cached_problems(config) == expected, (step, what)
        assert cached_problems(config) == expected, (step, what)  # as kept
        seen_problems += bool(expected)
    assert seen_problems >= 10  # the edits really did break things


def test_a_change_of_tracker_yaml_validates_everything_again(bundled: Path) -> None:
    config = load_config(bundled)
    assert cached_problems(config) == []
    text = (bundled / "tracker.yaml").read_text(encoding="utf-8")
    (bundled / "tracker.yaml").write_text(text.replace("  pcc:", "  pcc-renamed:", 1), encoding="utf-8")
    config = load_config(bundled)
    found = cached_problems(config)
    assert found and found == validate(config, load_records(config, use_cache=False))


def test_a_first_read_of_a_broken_repository_finds_every_problem(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(generated, root)
    rng = random.Random(5)
    for _ in range(4):
        _edits(root, rng)
    shutil.rmtree(root / ".git")
    commit_all(root)  # the broken state is the committed one: a first read through git
    config = load_config(root)
    expected = validate(config, load_records(config, use_cache=False))
    assert expected
    assert cached_problems(config) == expected
