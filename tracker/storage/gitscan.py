"""Finding what changed in the records through git, when the records repository is a git work tree.

`git status` compares every tracked file with the index and HEAD in C, with its own handling of "racily clean"
entries (a file written in the same second as the index is compared by content), so a tracked file it does not
report holds exactly the bytes of its blob in HEAD's `records` tree. Only the files it reports, and the files it
does not track (new, or ignored by .gitignore: they are records all the same), need their stat or bytes checked.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tracker.storage.config import RECORDS_DIR
from tracker.storage.folders import list_folder

# Variables that would point git at another repository, index or work tree than the one asked about.
_REDIRECTING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM")


# Settings under which git would take a file's stat on trust where it must not: without ctime, an edit that puts
# the old mtime back goes unseen; ignoreStat and fsmonitor skip the comparison altogether.
_TRUST_NOTHING = ("-c", "core.trustctime=true", "-c", "core.checkStat=default", "-c", "core.ignoreStat=false",
                  "-c", "core.fsmonitor=false")


# Each folder under records/ (its path from the root, with a trailing slash) as last listed: its stat (mtime,
# ctime, inode), whether that had settled, its subfolders, its *.yaml files not in the records tree the listing
# was made against (the tree is kept beside), and its entries named *.yaml that are not files.
Folder = tuple[tuple[int, int, int], bool, list[str], list[str], list[str]]
Folders = dict[str, Folder]


@dataclass(frozen=True)
class GitScan:
    tree: str  # the id of HEAD's records tree
    dirty: frozenset[str]  # tracked paths that differ from HEAD in the index or the work tree
    extras: list[str]  # record files on disk, not in the tree, of folders unchanged since the known listing
    listed: dict[str, list[str]]  # the folders listed afresh: their *.yaml files (names), in or out of the tree
    odd: list[str]  # entries named *.yaml that are not files (reported as problems)
    folders: Folders  # each folder's listing, to keep for the next scan (listed ones without their extras yet)
    index: str  # the index file, and the repository's own attributes file (info/attributes)
    attributes: str


def _env() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in _REDIRECTING}
    # Never take index.lock: a clerk's own `git commit` running at the same moment must not fail because of us.
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["LC_ALL"] = "C"
    return env


def git_scan(root: Path, known: Folders | None = None, known_tree: str = "", settled_before: int | None = None,
             ) -> GitScan | None:
    """What git knows about the records, or None when the repository is not the top of a git work tree with
    committed records (or git is missing or fails): the caller then checks every file's stat instead. known is
    the last scan's folders, listed against the records tree known_tree (see list_records)."""
    if not (root / ".git").exists():
        return None
    env = _env()
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--show-prefix", "--git-path", "index", "--git-path", "info/attributes",
         f"HEAD:{RECORDS_DIR}"],
        capture_output=True, stdin=subprocess.DEVNULL, env=env, check=False,
    )
    lines = head.stdout.decode("utf-8", "replace").split("\n")
    if head.returncode != 0 or len(lines) < 4 or lines[0] != "" or len(lines[3]) not in (40, 64):
        return None  # records/ is not committed yet, or root is a folder inside a larger repository
    index, attributes, tree = (str(root / lines[1]), str(root / lines[2]), lines[3])
    try:
        status = subprocess.Popen(
            ["git", "-C", str(root), *_TRUST_NOTHING, "status", "--porcelain=v2", "-z", "-uno", "--no-renames",
             "--ignore-submodules=all", "--", RECORDS_DIR],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env,
        )
    except OSError:
        return None
    try:
        # While git compares the tracked files, look for files it does not track (names only: no stat per file).
        extras, listed, odd, folders = list_records(root, known if known_tree == tree else None, settled_before)
        output, _ = status.communicate()
    except BaseException:
        status.kill()
        status.wait()
        raise
    if status.returncode != 0:
        return None
    dirty = parse_status(output)
    if dirty is None:
        return None
    return GitScan(tree, dirty, extras, listed, odd, folders, index, attributes)


def index_flags(root: Path) -> tuple[list[str], bool] | None:
    """The record files git's index marks skip-worktree or assume-unchanged (git does not compare those with the
    work tree, so their own stat and bytes must decide), and whether the index holds a .gitattributes file (which
    may make a file's bytes differ from its blob's while git calls it unchanged); None if git fails."""
    result = subprocess.run(["git", "-C", str(root), "ls-files", "-v", "-z"], capture_output=True,
                            stdin=subprocess.DEVNULL, env=_env(), check=False)
    if result.returncode != 0:
        return None
    flagged: list[str] = []
    attributes = False
    prefix = f"{RECORDS_DIR}/".encode()
    for entry in result.stdout.split(b"\0"):
        tag, _, path = entry.partition(b" ")
        if path == b".gitattributes" or path.endswith(b"/.gitattributes"):
            attributes = True
        if (tag == b"S" or tag.islower()) and path.startswith(prefix):
            flagged.append(os.fsdecode(path))
    return flagged, attributes


def attributes_configured(root: Path) -> bool:
    """Whether git's settings may change a file's bytes on checkout (line endings, filters, an attributes file
    of the user's): then git's word that a file is unchanged says nothing about its bytes. True if git fails."""
    result = subprocess.run(
        ["git", "-C", str(root), "config", "--get-regexp", r"^(core\.(attributesfile|autocrlf|eol)|filter\..*)$"],
        capture_output=True, stdin=subprocess.DEVNULL, env=_env(), check=False)
    if result.returncode not in (0, 1):
        return True
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return (result.returncode == 0 or os.path.exists(os.path.join(config_home, "git", "attributes"))
            or os.path.exists("/etc/gitattributes"))


def parse_status(output: bytes) -> frozenset[str] | None:
    """The paths named by `git status --porcelain=v2 -z` output, or None for output not understood."""
    dirty: set[str] = set()
    fields = output.split(b"\0")
    index = 0
    while index < len(fields):
        entry = fields[index]
        index += 1
        if not entry:
            continue
        kind = entry[:1]
        if kind == b"1":
            parts = entry.split(b" ", 8)
        elif kind == b"2":
            parts = entry.split(b" ", 9)
            if index < len(fields):
                dirty.add(os.fsdecode(fields[index]))  # the original path of a rename or copy
                index += 1
        elif kind == b"u":
            parts = entry.split(b" ", 10)
        elif kind in (b"?", b"!"):
            parts = entry.split(b" ", 1)
        elif kind == b"#":
            continue
        else:
            return None
        dirty.add(os.fsdecode(parts[-1]))
    return frozenset(dirty)


def blobs_of(root: Path, tree: str, paths: list[str]) -> dict[str, str] | None:
    """The blob IDs of those of paths (under records/) that are files of the records tree; None if git fails."""
    prefix = f"{RECORDS_DIR}/"
    if len(paths) > 200:
        return tree_blobs(root, tree)
    return tree_blobs(root, tree, [path[len(prefix):] for path in paths if path.startswith(prefix)]) if paths else {}


def tree_blobs(root: Path, tree: str, only: list[str] | None = None) -> dict[str, str] | None:
    """Each record file of a records tree (a path under records/) with its blob id; None if git fails.
    Symbolic links and other non-regular entries are left out: their files are checked on disk."""
    result = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "-r", "-z", "--full-name", tree, *(["--", *only] if only else [])],
        capture_output=True, stdin=subprocess.DEVNULL, env=_env(), check=False,
    )
    if result.returncode != 0:
        return None
    blobs: dict[str, str] = {}
    prefix = f"{RECORDS_DIR}/"
    for entry in result.stdout.split(b"\0"):
        if not entry:
            continue
        info, _, path = entry.partition(b"\t")
        mode, kind, blob = info.split(b" ")
        if kind == b"blob" and mode in (b"100644", b"100755") and path.endswith(b".yaml"):
            blobs[prefix + os.fsdecode(path)] = blob.decode()
    return blobs


def list_records(root: Path, known: Folders | None = None, settled_before: int | None = None,
                 ) -> tuple[list[str], dict[str, list[str]], list[str], Folders]:
    """The folders under records/ and what is in them, without stat-ing the files: the record files (paths from
    root) of folders unchanged since known that are not in the tree known was listed against, the *.yaml files of
    the folders listed afresh (by folder), the odd entries, and each folder's listing (with no extras yet for
    those listed afresh). The same entries as a stat scan finds (symbolic links to folders are not followed).

    A folder whose stat (mtime, ctime, inode) is the same as in known, and whose last change lay before
    settled_before (file system time, ns) when it was listed, is not listed again (adding, removing or renaming
    an entry changes a folder's mtime and ctime)."""
    base = f"{root}/"
    if known and _unchanged(base, known):
        return ([rel + name for rel, entry in known.items() for name in entry[3]], {},
                [rel + name for rel, entry in known.items() for name in entry[4]], known)
    extras: list[str] = []
    listed: dict[str, list[str]] = {}
    odd: list[str] = []
    folders: Folders = {}
    known = known or {}
    stack = [f"{RECORDS_DIR}/"]
    while stack:
        rel = stack.pop()
        path = base + rel
        try:
            stat = os.stat(path)
        except OSError:
            continue
        key = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        settled = settled_before is not None and max(key[0], key[1]) < settled_before
        entry = known.get(rel)
        if entry is not None and entry[1] and tuple(entry[0]) == key:
            subfolders, outside, strange = entry[2], entry[3], entry[4]
            extras.extend([rel + name for name in outside])
        else:
            try:
                subfolders, files, strange = list_folder(path)
            except OSError:
                continue
            listed[rel] = files
            outside = []
        folders[rel] = (key, settled, subfolders, outside, strange)
        odd.extend([rel + name for name in strange])
        stack.extend([f"{rel}{name}/" for name in subfolders])
    return extras, listed, odd, folders


def _unchanged(base: str, known: Folders) -> bool:
    """Whether every folder known is there with the same settled stat (the common case, checked in one loop)."""
    stat = os.stat
    try:
        for rel, (key, settled, *_) in known.items():
            if not settled:
                return False
            found = stat(base + rel)
            if (found.st_mtime_ns, found.st_ctime_ns, found.st_ino) != tuple(key):
                return False
    except OSError:
        return False
    return True


def tree_changes(root: Path, old: str, new: str) -> set[str] | None:
    """The record files (paths under records/) that differ between two records trees; None if git fails."""
    result = subprocess.run(
        ["git", "-C", str(root), "diff-tree", "-r", "-z", "--no-renames", "--name-only", old, new],
        capture_output=True, stdin=subprocess.DEVNULL, env=_env(), check=False,
    )
    if result.returncode != 0:
        return None
    return {f"{RECORDS_DIR}/{os.fsdecode(name)}" for name in result.stdout.split(b"\0") if name}
