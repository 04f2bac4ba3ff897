"""Shell completion of record IDs and committee slugs: file names and tracker.yaml keys only, never a full load.

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


def _complete(ctx: Any, lister: Callable[[Path, str], list[str]], incomplete: str) -> list[str]:
    try:
        root = _root(ctx)
        return lister(root, incomplete) if root else []
    except Exception:  # completion must never break the shell
        return []


def complete_ids(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _complete(ctx, record_ids, incomplete)


def complete_committees(ctx: Any, _param: Any, incomplete: str) -> list[str]:
    return _complete(ctx, committee_slugs, incomplete)
