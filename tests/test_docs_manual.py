"""The project's own manual (mkdocs.yml and docs/) builds strictly, with its reference generated from the program."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click

from tests.conftest import PROJECT
from tracker.cli import main


def build(config: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def test_the_manual_builds_strictly_with_generated_reference(tmp_path: Path) -> None:
    done = build(PROJECT / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    commands = (tmp_path / "site" / "reference" / "commands.html").read_text(encoding="utf-8")
    for name in main.list_commands(click.Context(main)):
        assert f"<code>tracker {name}</code>" in commands, name
    assert "Change a record's status, adding a dated event to its history." in commands
    assert "<code>tracker new meeting</code>" in commands and "<code>tracker import summary</code>" in commands
    records = (tmp_path / "site" / "reference" / "records.html").read_text(encoding="utf-8")
    schema = json.loads((PROJECT / "schema" / "recommendation.schema.json").read_text(encoding="utf-8"))
    for field, spec in schema["properties"].items():
        assert f"<code>{field}</code>" in records and html.escape(spec["description"], quote=False) in records, field
    settings = (tmp_path / "site" / "reference" / "configuration.html").read_text(encoding="utf-8")
    assert "Chase an open item after this many days without news." in settings
    assert "<!-- tracker:" not in commands + records + settings


def test_a_new_guide_page_joins_the_navigation_without_editing_mkdocs_yml(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(PROJECT / "mkdocs.yml", copy / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs", copy / "docs")
    (copy / "docs" / "guide" / "zz-minutes.md").write_text("# Taking minutes\n\nA page nobody listed.\n", encoding="utf-8")
    (copy / "docs" / "design" / "zz-notes.md").write_text("# Design notes\n", encoding="utf-8")
    done = build(copy / "mkdocs.yml", tmp_path / "site")
    assert done.returncode == 0, done.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "guide/zz-minutes.html" in home and "design/zz-notes.html" in home


def test_the_readme_is_short_runs_what_ci_runs_and_links_to_pages_that_exist() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= 8000
    commands = re.findall(r"^```sh\n(.*?)\n```$", readme, re.MULTILINE | re.DOTALL)
    assert commands[1].endswith(".venv/bin/python -m pytest -q")
    assert commands[1] in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs/)[^)#]+)\)", readme)
    assert len(links) >= 10 and all((PROJECT / link).is_file() for link in links), links
    assert "long_description = file: README.md" in (PROJECT / "setup.cfg").read_text(encoding="utf-8")
