"""Writing record files as transactions: build the text, check it, then put it in place atomically."""

from __future__ import annotations

import errno
import glob
import os
import posixpath
import signal
from pathlib import Path
from typing import Any, NoReturn

import yaml

from tracker.model.errors import TrackerError

TEMP_SUFFIX = ".tmp"

# Testing hook, not a setting: TRACKER_CRASH_AT names a step of every atomic write at which the process kills
# itself outright, so tests can prove that a crash at exactly that point leaves each file wholly old or wholly new.
#   before-write   the temporary file exists beside the target, empty
#   mid-write:N    the first N bytes of the new text are in the temporary file (flushed, not fsynced)
#   after-fsync    the temporary file is complete and on disk; the target is untouched
#   after-rename   the target holds the new text (a new file's temporary link is not yet removed)
CRASH_ENV = "TRACKER_CRASH_AT"
CRASH_STEPS = ("before-write", "mid-write", "after-fsync", "after-rename")
# Windows has no SIGKILL; there the hook ends the process with this status instead (128 + 9, as shells report it).
CRASH_EXIT_STATUS = 137


def crash_point() -> tuple[str, int] | None:
    """The step (and byte count, for mid-write) named by TRACKER_CRASH_AT, or None when it is unset."""
    value = os.environ.get(CRASH_ENV, "").strip()
    if not value:
        return None
    step, _, count = value.partition(":")
    if step not in CRASH_STEPS or (step == "mid-write") != count.isdigit():
        raise TrackerError(f"{CRASH_ENV}={value!r}: expected one of before-write, mid-write:N, after-fsync, after-rename")
    return step, int(count or 0)


def _crash_here(step: str, point: tuple[str, int] | None) -> None:
    if point is not None and point[0] == step:
        _die()


def _die() -> NoReturn:
    """End the process at once, as a power cut or `kill -9` would: no cleanup, no buffers flushed, no exit handlers."""
    sigkill = getattr(signal, "SIGKILL", None)
    if sigkill is not None:
        os.kill(os.getpid(), sigkill)
    os._exit(CRASH_EXIT_STATUS)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # The loader refuses anchors and aliases, so a value used twice (one date object as `meeting` and as the
        # first event's date) must be written out twice.
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key, as people write YAML by hand.
        super().increase_indent(flow, False)


# Characters a YAML reader turns into a plain line feed (or drops) unless they are escaped in double quotes.
_NEEDS_ESCAPE = frozenset("\r\x85\u2028\u2029\ufeff")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if not _NEEDS_ESCAPE.isdisjoint(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def schema_comment(rel_path: str, kind: str) -> str:
    """The first line of every record file, so editors validate and complete as a clerk types."""
    depth = rel_path.count("/")
    schema = posixpath.join(*([".."] * depth), "schema", f"{kind}.schema.json")
    return f"# yaml-language-server: $schema={schema}\n"


def dump_record(mapping: dict[str, Any], rel_path: str) -> str:
    """A new record file's text: the schema line, then the fields in the order given."""
    body = yaml.dump(mapping, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return schema_comment(rel_path, mapping["kind"]) + body


def safe_target(root: Path, rel_path: str) -> Path:
    """The absolute path for rel_path, refusing anything that would land outside the repository."""
    target = (root / rel_path).resolve()
    root_resolved = root.resolve()
    if target != root_resolved and root_resolved not in target.parents:
        raise TrackerError(f"{rel_path}: refusing to write outside the records repository {root}")
    return target


# What an output (-o, --output-dir, OUTDIR) may never replace or write into: git's own files, the settings, the
# schemas, the records and the cache. Compared case-insensitively, as on macOS and Windows file systems.
_PROTECTED_FOLDERS = {".git": "git's own files", "records": "the records", "schema": "the schemas",
                      ".tracker-cache": "the cache"}
_PROTECTED_FILES = {"tracker.yaml": "the repository's settings"}


def output_target(root: Path, value: str | Path, option: str, *, folder: bool = False) -> Path:
    """Where an output path given by a user lands (resolved: `..` and symlinks followed), refused when it would be
    outside the repository root, inside .git, records/, schema/ or the cache, or over tracker.yaml."""
    root = root.resolve()
    target = Path(value).expanduser().absolute()
    must_exist = target if folder else target.parent
    if not must_exist.is_dir():
        raise TrackerError(f"{option} {value}: the folder {must_exist} does not exist", hint="create it first")
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        raise TrackerError(f"{option} {value}: refusing to write outside the records repository {root}",
                           hint=f"give {option} a path inside the repository")
    _refuse_protected(root, resolved, f"{option} {value}", option)
    return resolved


def _refuse_protected(root: Path, target: Path, what: str, option: str) -> None:
    parts = [part.casefold() for part in target.relative_to(root).parts]
    hint = f"give {option} another place" if option else "write it somewhere else"
    for part in parts:
        if part == ".git":
            raise TrackerError(f"{what}: refusing to write into .git (git's own files)", hint=hint)
    if parts and parts[0] in _PROTECTED_FOLDERS:
        raise TrackerError(f"{what}: refusing to write into {parts[0]}/ ({_PROTECTED_FOLDERS[parts[0]]})", hint=hint)
    if len(parts) == 1 and parts[0] in _PROTECTED_FILES:
        raise TrackerError(f"{what}: refusing to replace {parts[0]} ({_PROTECTED_FILES[parts[0]]})", hint=hint)


def check_output_file(root: Path, target: Path, *, force: bool, option: str = "") -> None:
    """check_output_files for one file."""
    check_output_files(root, [target], force=force, option=option)


def check_output_files(root: Path, targets: list[Path], *, force: bool, option: str = "") -> None:
    """Refuse to write any of targets (absolute paths inside root) over the repository's own files, or over a file
    git tracks unless force is given; git is asked once for them all."""
    root = root.resolve()
    existing = []
    for given in targets:
        target = given.parent.resolve() / given.name
        if target != root and root not in target.parents:
            raise TrackerError(f"{target}: refusing to write outside the records repository {root}")
        rel = target.relative_to(root).as_posix()
        _refuse_protected(root, target, rel, option)
        if target.exists() or target.is_symlink():
            existing.append(rel)
    if force or not existing:
        return
    from tracker.storage.gitio import tracked_by_git

    tracked = tracked_by_git(root, existing)
    if tracked:
        first = min(tracked)
        raise TrackerError(f"{first} already exists and git tracks it; nothing was written",
                           hint="add --force to replace it (git keeps the committed version)")


def cannot_write(where: Path | str, err: OSError) -> TrackerError:
    """A write the file system refused (read-only checkout, no permission, disk full), as a clear error."""
    reason = os.strerror(err.errno) if err.errno else str(err)
    hint = ""
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        hint = "is the checkout read-only? run the command where you can write, or ask for write access"
    return TrackerError(f"{where}: cannot write: {reason}", hint=hint)


def _temp_beside(target: Path, content: str | bytes, rel_path: str, crash: tuple[str, int] | None) -> Path:
    """The content in a new temporary file `.NAME.*.tmp` beside target, flushed to disk.

    A crash can leave one behind; it never holds the only copy of anything (target is untouched until the
    rename), the loader ignores it (it does not end in .yaml), and `apply` removes stale ones.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = _create_temp(target)
    except OSError as err:
        raise cannot_write(rel_path, err) from None
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(fd, "wb") as handle:
            _crash_here("before-write", crash)
            if crash is not None and crash[0] == "mid-write":
                handle.write(data[: crash[1]])
                handle.flush()
                _die()
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _crash_here("after-fsync", crash)
    except BaseException as err:
        os.unlink(temp)
        if isinstance(err, OSError):
            raise cannot_write(rel_path, err) from None
        raise
    return Path(temp)


def _create_temp(target: Path) -> tuple[int, str]:
    """A new, empty temporary file beside target, opened for writing, with the mode the umask gives a new file.

    tempfile.mkstemp would make it 0600 whatever the umask, and the rename would then leave a record or a page no
    colleague and no web server can read; os.open with 0666 lets the process's umask decide, as for any new file.
    """
    import secrets

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


def stale_temp_files(target: Path, older_than: float) -> list[Path]:
    """Temporary files a killed writer left beside target, last modified more than older_than seconds ago."""
    import time

    cutoff = time.time() - older_than
    found = []
    for path in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                found.append(path)
        except OSError:
            continue
    return found


def write_new(root: Path, rel_path: str, text: str) -> Path:
    """Create a file that must not exist yet; never overwrites, even against a racing writer."""
    target = safe_target(root, rel_path)
    crash = crash_point()
    temp = _temp_beside(target, text, rel_path, crash)
    try:
        os.link(temp, target)
        _crash_here("after-rename", crash)
    except FileExistsError:
        raise TrackerError(f"{rel_path} already exists; nothing was written") from None
    except OSError as err:
        raise cannot_write(rel_path, err) from None
    finally:
        os.unlink(temp)
    return target


def replace(root: Path, rel_path: str, text: str | bytes) -> Path:
    """Replace a file's contents atomically: readers see the old file or the new one, never a mix."""
    target = safe_target(root, rel_path)
    crash = crash_point()
    temp = _temp_beside(target, text, rel_path, crash)
    try:
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
        _crash_here("after-rename", crash)
    except BaseException as err:
        if temp.exists():
            os.unlink(temp)
        if isinstance(err, OSError):
            raise cannot_write(rel_path, err) from None
        raise
    return target
