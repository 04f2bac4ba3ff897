"""A partial load (one committee's meetings and actions) answers exactly as a full load does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import Run, git
from tests.test_cache import rewrite
from tracker.config import load_config
from tracker.store import load_records, remember_validation
from tracker.validate import validate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.generate import generate

    root = tmp_path_factory.mktemp("partial") / "repo"
    generate(root, 300, 5)
    return root


def test_a_committee_load_is_partial_only_once_validated(generated: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(generated, root)
    config = load_config(root)
    full = load_records(config)
    committee = sorted(config.committees)[0]
    assert len(load_records(config, committee=committee)) == len(full)  # not validated yet: everything
    remember_validation(config, full, validate(config, full))
    part = load_records(config, committee=committee)
    assert 0 < len(part) < len(full)
    wanted = {path for path, record in ((r.path, r) for r in full)
              if record.kind in ("action", "meeting") and getattr(record, "committee", "") == committee}
    assert {record.path for record in part} == wanted


def test_render_actions_is_the_same_from_a_partial_load(generated: Path, tmp_path: Path, run: Run) -> None:
    root = tmp_path / "copy"
    shutil.copytree(generated, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Clerk", "-c", "user.email=clerk@example.org", "commit", "-qm", "Records")
    config = load_config(root)
    assert run(root, "validate").exit_code == 0
    for committee in sorted(config.committees):
        args = ("render", "actions", "--committee", committee, "--as-of", "2024-06-30")
        plain = run(root, "--no-cache", *args)
        assert plain.exit_code == 0, plain.output
        for _ in range(2):
            assert run(root, *args).stdout == plain.stdout
    # After an edit the state is validated afresh, and the answer follows the edit.
    action = sorted((root / "records").glob("*/actions/20*/*.yaml"))[0]
    committee = action.relative_to(root).parts[1]
    text = action.read_text(encoding="utf-8")
    text_line = next(line for line in text.splitlines() if line.startswith("text: \"") and line.endswith("\""))
    rewrite(action, text_line, text_line[:-1] + ' (amended)"')
    args = ("render", "actions", "--committee", committee, "--as-of", "2030-01-01")
    plain = run(root, "--no-cache", *args)
    assert "(amended)" in plain.stdout
    assert run(root, *args).stdout == plain.stdout
    assert run(root, *args).stdout == plain.stdout


def test_render_actions_refuses_a_broken_repository_even_when_partial(bundled: Path, run: Run) -> None:
    args = ("render", "actions", "--committee", "pcc", "--as-of", "2024-01-15")
    assert run(bundled, *args).exit_code == 0
    report = next((bundled / "records").glob("*/reports/*/*.yaml"))
    rewrite(report, "committee: ", "committee: x")
    refused = run(bundled, *args)
    assert refused.exit_code == 1
    assert "unknown committee" in refused.stderr
