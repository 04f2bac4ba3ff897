"""Starting a records repository: tracker.yaml with the defaults written out, records/, schemas and git."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tracker.model.errors import TrackerError
from tracker.storage.config import CONFIG_FILE, DEFAULT_STATUSES, LOCAL_DIR, RECORDS_DIR
from tracker.storage.gitio import inside_git_repository
from tracker.storage.resources import data_dir
from tracker.storage.writer import write_new

WORKFLOW = ".github/workflows/tracker.yml"
_COMMITTEE = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)=(.+)$")


def parse_committee(spec: str) -> tuple[str, str]:
    """`pcc="Police and Crime Committee"` → ("pcc", "Police and Crime Committee")."""
    match = _COMMITTEE.match(spec.strip())
    if not match:
        raise ValueError(f'{spec!r}: write SLUG="Full name", e.g. pcc="Police and Crime Committee"')
    return match.group(1), match.group(2).strip().strip('"')


def default_config_text(committees: list[tuple[str, str]]) -> str:
    lines = [
        "# yaml-language-server: $schema=schema/tracker.schema.json",
        "# Settings of this records repository. See `tracker --help` and the README of tracker.",
        "committees:" + ("" if committees else " {}"),
    ]
    lines += [f"  {slug}: {_quote(name)}" for slug, name in committees]
    lines += ["", "# Each status has a label (as printed) and a category: open (still owed) or done.", "statuses:"]
    for kind, statuses in DEFAULT_STATUSES.items():
        lines.append(f"  {kind}:")
        lines += [f"    {slug}: {{label: {spec['label']}, category: {spec['category']}}}" for slug, spec in statuses.items()]
    lines += [
        "",
        "# Chase an open item after this many days without news.",
        "followup_days: 28",
        "# Responses to a report are due this many days after publication, unless the report says otherwise.",
        "response_days: 56",
        "# How dates are printed: '{day} {month} {year}' gives 22 March 2023.",
        "date_style: '{day} {month} {year}'",
        "# Statuses that may only be set with --evidence.",
        "evidence_required: [implemented]",
        "# Commit every change to git (a command's --no-commit overrides).",
        "commit: false",
        "",
    ]
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def init_repository(directory: Path, committees: list[tuple[str, str]]) -> list[str]:
    """Create (or add committees to) a records repository; return what was done, line by line."""
    directory.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    config_path = directory / CONFIG_FILE
    if config_path.exists():
        done += _add_committees(config_path, committees)
    else:
        write_new(directory, CONFIG_FILE, default_config_text(committees))
        done.append(f"wrote {config_path}")
    records = directory / RECORDS_DIR
    if not records.exists():
        records.mkdir()
        (records / ".gitkeep").write_text("", encoding="utf-8")
        done.append(f"made {records}/")
    schema = directory / "schema"
    if not schema.exists():
        shutil.copytree(data_dir("schema"), schema)
        done.append(f"copied the record schemas to {schema}/ (for editors)")
    workflow = directory / WORKFLOW
    if not workflow.exists():
        write_new(directory, WORKFLOW, (data_dir("templates") / "ci" / "github-workflow.yml").read_text(encoding="utf-8"))
        done.append(f"wrote {workflow} (checks pull requests, publishes the site from main)")
    ignore = directory / ".gitignore"
    ignored = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
    if f"{LOCAL_DIR}/" not in ignored:
        with ignore.open("a", encoding="utf-8") as handle:
            handle.write(f"{LOCAL_DIR}/\n")
        done.append(f"ignored {LOCAL_DIR}/ in {ignore}")
    if not inside_git_repository(directory.resolve()):
        try:
            subprocess.run(["git", "init", "-q", str(directory)], check=True, capture_output=True)
            # The workflow written above publishes from main, and `tracker changes main...HEAD` compares with it,
            # so the first branch is main whatever git's own default is (older gits start on master).
            subprocess.run(["git", "-C", str(directory), "symbolic-ref", "HEAD", "refs/heads/main"], check=True,
                           capture_output=True)
            done.append(f"started a git repository in {directory} on branch main")
        except (OSError, subprocess.CalledProcessError):
            done.append("git is not available: the records are not under version control yet")
    return done


def _add_committees(config_path: Path, committees: list[tuple[str, str]]) -> list[str]:
    from tracker.storage.config import load_config
    from tracker.storage.roundtrip import edit_yaml_file

    config = load_config(config_path.parent)
    fresh = [(slug, name) for slug, name in committees if slug not in config.committees]
    clashing = [slug for slug, name in committees if slug in config.committees and config.committees[slug].name != name]
    if clashing:
        raise TrackerError(f"committee {', '.join(clashing)} is already in {config_path} with another name; edit it there")
    if not fresh:
        return []

    def add(document: dict[str, Any]) -> None:
        if document.get("committees") is None:
            document["committees"] = {}
        for slug, name in fresh:
            document["committees"][slug] = name

    edit_yaml_file(config_path, add)
    return [f"added committee {slug} to {config_path}" for slug, _ in fresh]
