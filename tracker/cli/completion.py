"""Shell completion of record IDs, committees, reports, statuses and bodies: file and folder names and
tracker.yaml only, never a full load.

Completion runs on every Tab press, so it reads no YAML record and never raises: on any trouble it offers nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

_COMMITTEE_KEY = re.compile(r"^  ([a-z0-9]+(?:-[a-z0-9]+)*)\s*:")


def _root(ctx: Any) -> Path | None:
    obj = getattr(ctx.find_root(), "obj", None) or {}
    given = obj.get("root") if isinstance(obj, dict) else None
    given = given or os.environ.get("TRACKER_ROOT")
    if given:
        return Path(given).expanduser()
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "tracker.yaml").is_file():
            return folder
    return None


def record_ids(root: Path, prefix: str = "") -> list[str]:
    """The IDs of every record file under records/, i.e. the file names without .yaml."""
    found: list[str] = []
    for _folder, _dirs, files in os.walk(root / "records"):
        found.extend(name[:-5] for name in files if name.endswith(".yaml") and name.startswith(prefix))
    return sorted(found)


def trackable_ids(root: Path, prefix: str = "") -> list[str]:
    """The IDs of the records that have a status and a history: the files in actions/ and recommendations/ folders."""
    found: list[str] = []
    for folder, _dirs, files in os.walk(root / "records"):
        if {"actions", "recommendations"} & set(Path(folder).relative_to(root).parts):
            found.extend(name[:-5] for name in files if name.endswith(".yaml") and name.startswith(prefix))
    return sorted(found)


def report_slugs(root: Path, prefix: str = "") -> list[str]:
    """The reports' slugs: the folder names under records/<committee>/reports/."""
    found: list[str] = []
    for committee in (root / "records").iterdir():
        reports = committee / "reports"
        if reports.is_dir():
            found.extend(p.name for p in reports.iterdir() if p.is_dir() and p.name.startswith(prefix))
    return sorted(found)


def committee_slugs(root: Path, prefix: str = "") -> list[str]:
    """The committee slugs in tracker.yaml, read line by line (the committees mapping is indented by two)."""
    slugs = []
    inside = False
    for line in (root / "tracker.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("committees:"):
            inside = True
            continue
        if inside and line and not line.startswith((" ", "#")):
            break
        match = _COMMITTEE_KEY.match(line) if inside else None
        if match and match.group(1).startswith(prefix):
            slugs.append(match.group(1))
    return slugs


def _settings(root: Path) -> dict[str, Any]:
    """tracker.yaml's mapping, without the schema check (a broken file offers nothing)."""
    from tracker.storage.config import CONFIG_FILE
    from tracker.storage.yamlio import load_file

    data = load_file(root / CONFIG_FILE)
    return data if isinstance(data, dict) else {}


def status_slugs(*kinds: str) -> Callable[[Path, str], list[str]]:
    """A lister of the status slugs tracker.yaml gives those kinds of record (actions, recommendations)."""

    def lister(root: Path, prefix: str = "") -> list[str]:
        from tracker.storage.config import config_from_mapping

        statuses = config_from_mapping(root, _settings(root)).statuses
        found: list[str] = []
        for kind in kinds:
            found.extend(slug for slug in statuses.get(kind, {}) if slug.startswith(prefix) and slug not in found)
        return found

    return lister


def body_names(root: Path, prefix: str = "") -> list[str]:
    """The bodies named in tracker.yaml and their aliases, as written there, matched without regard to case."""
    wanted = prefix.casefold()
    names: list[str] = []
    for name, spec in (_settings(root).get("bodies") or {}).items():
        for candidate in (name, *((spec or {}).get("aliases") or [])):
            if str(candidate).casefold().startswith(wanted) and candidate not in names:
                names.append(str(candidate))
    return sorted(names, key=str.casefold)


Completer = Callable[[Any, Any, str], list[str]]


def _completer(lister: Callable[[Path, str], list[str]]) -> Completer:
    """A click completer offering what lister finds in the records repository, and nothing on any trouble."""

    def complete(ctx: Any, _param: Any, incomplete: str) -> list[str]:
        try:
            root = _root(ctx)
            return lister(root, incomplete) if root else []
        except Exception:  # noqa: BLE001 -- completion must never break the shell
            return []

    return complete


complete_ids = _completer(record_ids)
complete_committees = _completer(committee_slugs)
complete_trackable_ids = _completer(trackable_ids)
complete_reports = _completer(report_slugs)
complete_bodies = _completer(body_names)


def complete_statuses(*kinds: str) -> Completer:
    """A completer of the status slugs of those kinds of record (both kinds when none is given)."""
    return _completer(status_slugs(*(kinds or ("action", "recommendation"))))
