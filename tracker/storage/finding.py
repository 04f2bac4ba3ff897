"""Finding the record files, and what vouches for their bytes: git, where it can, for every file of HEAD's
records tree it compares with the work tree; each file's own stat and bytes for the rest (every file, without git)."""

from __future__ import annotations

import os
import stat as stat_module
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.storage import cache as cache_module
from tracker.storage.cache import RecordCache, StatKey, stat_key


@dataclass
class Files:
    """The record files on disk. Through git, tree names HEAD's records tree, whose blobs vouch for the bytes of
    every file of it but those checked (by their own stat and bytes) and those gone; else every file is checked."""

    checked: dict[str, StatKey]
    odd: list[str]
    tree: str = ""
    gone: list[str] = field(default_factory=list)
    scan: Any = None  # what to keep for the next look through git
    uncommitted: bool | None = None  # whether git reported record files that differ from HEAD's (None: not asked)
    blobs: dict[str, str] | None = None  # the tree's files and blob IDs, when they were listed to find the files


def files_through_git(root: Path, cache: RecordCache, read_at: int) -> Files | None:
    """The record files through git, looking only at the few it does not vouch for; None where git cannot vouch
    (no git work tree, records not committed, settings that may change bytes on checkout)."""
    from tracker.storage.gitscan import attributes_configured, git_scan

    kept = cache.value("scan")
    kept = kept if isinstance(kept, dict) else {}
    scan = git_scan(root, kept.get("folders"), kept.get("tree", ""), read_at - cache_module.SETTLE_NS)
    if scan is None:
        return None
    flags = _index_flags(root, scan.index, kept, read_at)
    if flags is None or flags[1] or os.path.exists(scan.attributes) or attributes_configured(root):
        return None
    for name in (".gitattributes", "records/.gitattributes"):
        if os.path.lexists(root / name):
            return None
    folders, extras, blobs = _place_listed(root, scan)
    if folders is None:
        return None
    found = Files({}, list(scan.odd), tree=scan.tree, blobs=blobs)
    unsettled = cache.value("unsettled")
    unsettled = [rel for rel in unsettled if isinstance(rel, str)] if isinstance(unsettled, list) else []
    # Besides what git reports: files cached while their last write was recent (git compares change times to the
    # second, so a same-size rewrite in that second with the old mtime put back can hide from it).
    for rel in sorted({rel for rel in scan.dirty if rel.endswith(".yaml")}.union(extras, flags[0], unsettled)):
        _check_on_disk(root, rel, folders, found)
    if not flags[0]:  # git does not compare flagged files: it cannot say whether they differ
        found.uncommitted = bool(scan.dirty or extras or found.odd)
    found.scan = {"tree": scan.tree, "folders": folders, "index": flags[2], "flags": [flags[0], flags[1]]}
    if found.scan != kept:
        cache.keep("scan", found.scan)
    return found


def _place_listed(root: Path, scan: Any) -> tuple[dict[str, Any] | None, list[str], dict[str, str] | None]:
    """The folder listings with, for the folders listed afresh, their files not in the tree; every file on disk
    not in the tree; and the tree's files, if they had to be listed."""
    from tracker.storage.gitscan import tree_blobs

    folders = dict(scan.folders)
    extras = list(scan.extras)
    blobs = None
    if scan.listed:
        blobs = tree_blobs(root, scan.tree)
        if blobs is None:
            return None, [], None
        for rel, names in scan.listed.items():
            outside = [name for name in names if rel + name not in blobs]
            key, settled, subfolders, _, strange = folders[rel]
            folders[rel] = (key, settled, subfolders, outside, strange)
            extras.extend(rel + name for name in outside)
    return folders, extras, blobs


def _index_flags(root: Path, index: str, kept: dict[str, Any], read_at: int) -> tuple[list[str], bool, Any] | None:
    """index_flags (see gitscan.py), kept while the index file's settled stat is unchanged, with that stat."""
    from tracker.storage.gitscan import index_flags

    try:
        found = os.stat(index)
    except OSError:
        return None
    stat = [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino]
    settled = max(stat[1], stat[2]) < read_at - cache_module.SETTLE_NS
    if settled and kept.get("index") == stat and isinstance(kept.get("flags"), list):
        flagged, attributes = kept["flags"]
        return list(flagged), bool(attributes), stat
    flags = index_flags(root)
    if flags is None:
        return None
    return flags[0], flags[1], stat if settled else None


def _check_on_disk(root: Path, rel: str, folders: dict[str, Any], found: Files) -> None:
    """A file git does not vouch for: checked by its stat when on disk as a folder listing finds it, else gone."""
    try:
        present = rel.rpartition("/")[0] + "/" in folders and not stat_module.S_ISDIR(os.lstat(root / rel).st_mode)
    except OSError:
        present = False
    if not present:
        found.gone.append(rel)
        return
    try:
        found.checked[rel] = stat_key(os.stat(root / rel))
    except OSError:
        found.odd.append(rel)





def blobs_of(root: Path, tree: str, paths: list[str]) -> dict[str, str]:
    from tracker.storage import gitscan

    found = gitscan.blobs_of(root, tree, paths)
    if found is None:
        raise OSError("git failed to list the records tree")  # the cache steps aside (see _use_cache)
    return found
