"""Reading record files: the one guarded reader, the parse from bytes to a typed record, and finding the files."""

from __future__ import annotations

import json
import os
import stat as stat_module
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.model.errors import Problem, TrackerError
from tracker.model.records import FieldError, Record, build_record
from tracker.model.recordset import RecordSet
from tracker.storage.cache import StatKey, stat_key
from tracker.storage.config import RECORDS_DIR
from tracker.storage.folders import list_folder
from tracker.storage.limits import MAX_RECORD_BYTES

if TYPE_CHECKING:
    from tracker.storage.yamlio import Marks

Parsed = tuple[dict[str, Any] | None, Record | None, list[Problem]]  # the mapping, its record, or the problems
ProgressCallback = Callable[[int, int], None]  # (files parsed, files to parse)

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)  # never wait on a pipe
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def parse_file(rel_path: str, data: bytes) -> Parsed:
    """One file's bytes to its mapping and typed record, or the problems that stop it being one.

    Each problem of a file that is not a record names the record the file was meant to hold (its `id`, else its
    file name, which is its ID), so the checks across records do not blame others for its absence."""
    mapping, problems = parse_mapping(rel_path, data)
    if mapping is None:
        return None, None, problems
    try:
        return mapping, build_record(mapping, rel_path), []
    except FieldError as err:
        from tracker.storage.yamlio import decode

        problem = _located(decode(data, rel_path), rel_path, err.field, str(err))
        return None, None, _naming_the_record(rel_path, [problem], mapping.get("id"))


def _naming_the_record(rel_path: str, problems: list[Problem], record_id: object = None) -> list[Problem]:
    meant = record_id if isinstance(record_id, str) else rel_path.rpartition("/")[2].removesuffix(".yaml")
    return [p if p.record_id else replace(p, record_id=meant) for p in problems]


def _located(text: str, rel_path: str, field_path: tuple[str | int, ...], message: str) -> Problem:
    # Positions are only worked out for the rare file that has a problem.
    from tracker.storage.schemas import locate
    from tracker.storage.yamlio import dotted, load_text

    marks: Marks = {}
    load_text(text, rel_path, marks)
    line, column = locate(marks, field_path)
    return Problem(rel_path, line, column, message, dotted(field_path))


def parse_mapping(rel_path: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One file's bytes to a mapping valid against its kind's schema, or the problems that stop it being one (each
    naming the record the file was meant to hold, see parse_file)."""
    mapping, problems = _parse_mapping(rel_path, data)
    return mapping, _naming_the_record(rel_path, problems) if problems else problems


def _parse_mapping(rel_path: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    # Imported here, where files are parsed: a command that finds nothing changed never needs YAML or the schemas.
    from tracker.storage.schemas import KINDS, schema_problems
    from tracker.storage.yamlio import decode, load_text

    try:
        text = decode(data, rel_path)
        mapping = load_text(text, rel_path)
    except TrackerError as err:
        return None, err.problems or [Problem(rel_path, message=err.message)]
    if not isinstance(mapping, dict):
        return None, [_located(text, rel_path, (), "a record must be a mapping of fields (field: value)")]
    kind = mapping.get("kind")
    if kind not in KINDS:
        return None, [_located(text, rel_path, ("kind",), f"kind must be one of {', '.join(KINDS)}; got {kind!r}")]
    if not schema_problems(kind, mapping, rel_path):
        return mapping, []
    marks: Marks = {}
    load_text(text, rel_path, marks)
    located = schema_problems(kind, mapping, rel_path, marks)
    if isinstance(mapping.get("id"), str):
        located = [replace(p, record_id=mapping["id"]) for p in located]
    return None, located


def parse_record(rel_path: str, data: bytes) -> tuple[Record | None, list[Problem]]:
    """One file's bytes to a typed record, or the problems that stop it being one (see parse_file)."""
    _mapping, record, problems = parse_file(rel_path, data)
    return record, problems


class Reader:
    """The one way a record file is read, with or without the cache: plain files only, no bigger than a record may
    be, never through a link that leads out of the repository, never waiting on a pipe."""

    def __init__(self, root: Path):
        self.root = str(root)
        self.real_root = os.path.realpath(root)
        self._inside: dict[str, bool] = {}  # whether each folder, links resolved, is inside the repository

    def read(self, rel: str) -> tuple[StatKey, bytes]:
        """A record file's stat (taken before reading) and bytes; a TrackerError naming rel when it is refused."""
        folder = rel.rpartition("/")[0]
        if folder not in self._inside:
            self._inside[folder] = _within(os.path.realpath(os.path.join(self.root, folder)), self.real_root)
        path = os.path.join(self.root, rel)
        try:
            fd = os.open(path, _FLAGS | (_NOFOLLOW if self._inside[folder] else 0))
        except OSError as err:
            if not os.path.islink(path) and self._inside[folder]:
                raise TrackerError.at(rel, _cannot(err)) from None
            fd = self._open_link(rel, path)
        try:
            return self._read_open(rel, fd)
        finally:
            os.close(fd)

    def _open_link(self, rel: str, path: str) -> int:
        """A link (to its file or through its folder) is followed only within the repository, and not to a folder."""
        target = os.path.realpath(path)
        if os.path.isdir(target):
            raise TrackerError.at(rel, "is a link to a folder; move the folder here instead of linking to it")
        if not _within(target, self.real_root):
            raise TrackerError.at(rel, "is a link to a file outside the records repository; refusing to read it")
        try:
            return os.open(target, _FLAGS)
        except OSError as err:
            raise TrackerError.at(rel, _cannot(err)) from None

    @staticmethod
    def _read_open(rel: str, fd: int) -> tuple[StatKey, bytes]:
        try:
            found = os.fstat(fd)
            if stat_module.S_ISDIR(found.st_mode):
                raise TrackerError.at(rel, "is a directory, expected a YAML file")
            if not stat_module.S_ISREG(found.st_mode):
                raise TrackerError.at(rel, "is not a plain file (a pipe, socket or device?), expected a YAML file")
            if found.st_size > MAX_RECORD_BYTES:
                raise TrackerError.at(rel, f"file is {found.st_size:,} bytes; a record may be at most {MAX_RECORD_BYTES:,}")
            chunks = []
            left = MAX_RECORD_BYTES + 1
            while left > 0:
                chunk = os.read(fd, min(max(found.st_size, 1 << 16), left))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            data = b"".join(chunks)
        except OSError as err:
            raise TrackerError.at(rel, _cannot(err)) from None
        if len(data) > MAX_RECORD_BYTES:
            raise TrackerError.at(rel, f"file is over {MAX_RECORD_BYTES:,} bytes, the most a record may be")
        return stat_key(found), data


def _within(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _cannot(err: OSError) -> str:
    return f"cannot read: {err.strerror}"


def read_record_bytes(root: Path, rel: str) -> bytes:
    """A record file's bytes, read by the guarded Reader; a TrackerError naming rel when it is refused."""
    return Reader(root).read(rel)[1]


def record_files(root: Path) -> list[Path]:
    """Every record file of the repository, in a stable order."""
    files, _odd = scan_records(root)
    return [root / rel for rel in sorted(files, key=lambda rel: rel.split("/"))]


def read_sources(root: Path, paths: Iterable[Path]) -> Iterator[tuple[str, bytes | Problem]]:
    """Each file's bytes, or the Problem that stops it being read."""
    reader = Reader(root)
    for path in paths:
        rel = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        try:
            yield rel, reader.read(rel)[1]
        except TrackerError as err:
            yield rel, err.problems[0]


def build_set(sources: Iterable[tuple[str, bytes | Problem]]) -> RecordSet:
    """A RecordSet from (relative path, bytes) pairs; unreadable or invalid files become problems."""
    records = RecordSet()
    for rel, data in sources:
        if isinstance(data, Problem):
            records.problems.append(data)
            continue
        record, problems = parse_record(rel, data)
        records.problems.extend(problems)
        records.sources[rel] = data  # for locating problems found later, of failed files too
        if record is not None:
            records.add(record)
    return records


def scan_records(root: Path) -> tuple[dict[str, StatKey], list[str]]:
    """Every record file under records/ with its stat, and the odd entries (a folder named x.yaml, a link to a
    folder) that are reported as problems."""
    from concurrent.futures import ThreadPoolExecutor

    base = root / RECORDS_DIR
    files: dict[str, StatKey] = {}
    odd: list[str] = []
    try:
        top, _names, _strange = list_folder(str(base))
    except OSError:
        return files, odd
    prefix = f"{RECORDS_DIR}/"
    _scan_folder(base, prefix, files, odd, recurse=False)
    # Stat calls release the GIL, so a couple of threads overlap their waits.
    with ThreadPoolExecutor(max_workers=min(4, max(1, len(top)))) as pool:
        parts = list(pool.map(lambda name: _scan_tree(base / name, f"{prefix}{name}/"), sorted(top)))
    for found, strange in parts:
        files.update(found)
        odd.extend(strange)
    return files, odd


def _scan_tree(folder: Path, prefix: str) -> tuple[dict[str, StatKey], list[str]]:
    files: dict[str, StatKey] = {}
    odd: list[str] = []
    _scan_folder(folder, prefix, files, odd, recurse=True)
    return files, odd


def _scan_folder(folder: Path, prefix: str, files: dict[str, StatKey], odd: list[str], *, recurse: bool) -> None:
    stack = [(str(folder), prefix)]
    while stack:
        path, rel = stack.pop()
        try:
            subfolders, names, strange = list_folder(path)
        except OSError:
            continue
        odd.extend(rel + name for name in strange)
        if recurse:
            stack.extend((os.path.join(path, name), f"{rel}{name}/") for name in subfolders)
        for name in names:
            try:
                files[rel + name] = stat_key(os.stat(os.path.join(path, name)))
            except OSError:
                odd.append(rel + name)


class Fresh(NamedTuple):
    """One file read and parsed now: its stat and bytes' hash (None when it could not be read), and its parse
    result as JSON text: {"m": the validated mapping} or {"p": the problems that stop it being a record}. (A
    tuple of text: tens of thousands cross from the parsing processes on a first read.)"""

    path: str
    stat: StatKey | None
    digest: str | None
    body: str


def problem_json(problem: Problem) -> dict[str, Any]:
    return {**problem.to_json(), "record_id": problem.record_id}


def problem_from(data: dict[str, Any]) -> Problem:
    return Problem(str(data["path"]), int(data["line"]), int(data["column"]), str(data["message"]), str(data["field"]),
                   str(data["record_id"]))


def parse_files(root: str, rels: list[str], build: bool = False, known: dict[str, str] | None = None) -> list[Fresh]:
    """Read each file with the guarded Reader and parse it (in a worker process when there are many). The record
    is built only with build: otherwise whoever receives the result builds it (see result_of). A file whose bytes
    hash to what known holds for it is not parsed: its body is "" (the kept result stands)."""
    from tracker.storage.cache import digest

    reader = Reader(Path(root))
    results = []
    for rel in rels:
        try:
            stat, data = reader.read(rel)
        except TrackerError as err:
            results.append(Fresh(rel, None, None, _body(None, _naming_the_record(rel, err.problems))))
            continue
        hashed = digest(data)
        if known and known.get(rel) == hashed:
            results.append(Fresh(rel, stat, hashed, ""))
            continue
        if build:
            mapping, _record, problems = parse_file(rel, data)
        else:
            mapping, problems = parse_mapping(rel, data)
        results.append(Fresh(rel, stat, hashed, _body(mapping, problems)))
    return results


def _body(mapping: dict[str, Any] | None, problems: list[Problem]) -> str:
    kept = {"m": mapping} if mapping is not None else {"p": [problem_json(p) for p in problems]}
    return json.dumps(kept, ensure_ascii=False, separators=(",", ":"))


def result_of(rel: str, body: str) -> tuple[Record | None, list[Problem]] | None:
    """The record or problems from a parse result's text; None when it cannot be one (kept text that is damaged,
    or a mapping that fails to build: the file is then read and parsed again, with build)."""
    try:
        kept = json.loads(body)
        if "m" in kept:
            return build_record(kept["m"], rel), []
        return None, [problem_from(item) for item in kept["p"]]
    except Exception:  # noqa: BLE001 (whatever the text holds, it is only ever a reason to read the file again)
        return None


PARALLEL_FROM = 300


def parse_many(root: Path, rels: list[str], progress: ProgressCallback | None = None,
               known: dict[str, str] | None = None) -> Iterator[list[Fresh]]:
    """parse_files, across all cores when there are many, part by part as each is done, reporting (done, total)."""
    workers = _cores()
    chunk = max(50, len(rels) // (max(workers, 1) * 8))
    chunks = [rels[start:start + chunk] for start in range(0, len(rels), chunk)]
    knowns = [{rel: known[rel] for rel in part if rel in known} if known else None for part in chunks]
    done = 0
    given = 0  # chunks handed on so far
    if len(rels) >= PARALLEL_FROM and workers >= 2:
        from concurrent.futures import ProcessPoolExecutor

        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(parse_files, [str(root)] * len(chunks), chunks, [False] * len(chunks), knowns):
                    given += 1
                    done += len(result)
                    if progress is not None:
                        progress(done, len(rels))
                    yield result
        except (OSError, ImportError, RuntimeError):
            pass  # no process pool here (a sandbox without semaphores, say): the rest is parsed in this process
    for names, part_known in zip(chunks[given:], knowns[given:], strict=True):
        result = parse_files(str(root), names, False, part_known)
        done += len(result)
        if progress is not None:
            progress(done, len(rels))
        yield result


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
