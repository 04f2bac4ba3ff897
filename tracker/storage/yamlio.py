"""Safe YAML reading: plain data out, and a clear located error for anything that could corrupt it.

Only strings, numbers, booleans, nulls, dates, mappings and lists are accepted. Duplicate keys, aliases, merge
keys, custom tags, impossible dates, byte-order marks, non-UTF-8 bytes and git conflict markers are refused,
each with the file, line and column. Dates come back as ISO strings so the data is JSON-compatible.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

import yaml

from tracker.model.errors import TrackerError
from tracker.storage import fastyaml
from tracker.storage.limits import MAX_RECORD_BYTES

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Records nest a few levels (history[2].note); anything far deeper is hostile or broken, and would exhaust the stack.
MAX_DEPTH = 32
FieldPath = tuple[str | int, ...]
Marks = dict[FieldPath, tuple[int, int]]

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
_CONFLICT = re.compile(rb"^(<{7}|={7}|>{7})(?: |$)", re.MULTILINE)
_constructor = yaml.SafeLoader("")


def conflict_line(data: bytes) -> int:
    """The 1-based line of the first git conflict marker in data, or 0."""
    match = _CONFLICT.search(data)
    return data.count(b"\n", 0, match.start()) + 1 if match else 0


def decode(data: bytes, path: Path | str) -> str:
    """Check raw bytes are a plausible record and return the text."""
    if len(data) > MAX_RECORD_BYTES:
        raise TrackerError.at(path, f"file is {len(data):,} bytes; a record may be at most {MAX_RECORD_BYTES:,}")
    if data.startswith(b"\xef\xbb\xbf"):
        raise TrackerError.at(path, "file starts with a byte-order mark; save it as UTF-8 without BOM", 1, 1)
    line = conflict_line(data)
    if line:
        raise TrackerError.at(
            path,
            "merge conflict: git left its conflict markers (<<<<<<<, =======, >>>>>>>) in this file; keep the lines "
            "you want from each side, delete the marker lines, run `tracker validate`, then `git add` the file",
            line,
            1,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise TrackerError.at(path, f"not UTF-8 text (byte 0x{data[err.start]:02x}); save the file as UTF-8", bad_line, column) from None
    if not text.strip():
        raise TrackerError.at(path, "file is empty", 1, 1)
    return text


def load_text(text: str, path: Path | str, marks: Marks | None = None) -> Any:
    """Parse one YAML document into plain data; record each field's (line, column) into marks when given."""
    if marks is None:
        # Most records are in the plain subset the fast reader handles; it defers everything else (and every
        # error, which needs positions) to the full loader below.
        value = fastyaml.parse(text)
        if value is not None:
            return value
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = err.problem or str(err)
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            message = "a tab character is used for indentation; indent with spaces"
        if "nesting depth" in message:
            # Some builds of libyaml stop deep nesting themselves; say so as the node walker would.
            field = _top_level_key(lines, mark.line if mark else 0)
            raise TrackerError.at(path, f"values are nested more than {MAX_DEPTH} levels deep", line, column, field) from None
        raise TrackerError.at(path, f"YAML syntax error: {message}", line, column) from None
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        column = err.position - (text.rfind("\n", 0, err.position) + 1) + 1
        message = f"character U+{err.character:04X} is not allowed in YAML ({err.reason})"
        raise TrackerError.at(path, message, line, column) from None
    except yaml.YAMLError as err:
        raise TrackerError.at(path, f"YAML error: {err}") from None
    if node is None:
        raise TrackerError.at(path, "file holds no YAML document", 1, 1)
    return _Builder(path, marks).build(node, ())


def _top_level_key(lines: list[str], index: int) -> str:
    """The top-level field whose value holds line index, for messages libyaml gives without one."""
    for line in reversed(lines[: index + 1]):
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if match:
            return match.group(1)
    return ""


def load_file(path: Path, marks: Marks | None = None) -> Any:
    """Read and parse one record file."""
    return load_text(decode(read_bytes(path), path), path, marks)


def read_bytes(path: Path) -> bytes:
    """Read a file, refusing directories, other things that are not plain files (a pipe would wait for ever) and
    oversized files before reading them."""
    try:
        stat = path.stat()
        if S_ISDIR(stat.st_mode):
            raise TrackerError.at(path, "is a directory, expected a YAML file")
        if not S_ISREG(stat.st_mode):
            raise TrackerError.at(path, "is not a plain file (a pipe, socket or device?), expected a YAML file")
        size = stat.st_size
        if size > MAX_RECORD_BYTES:
            raise TrackerError.at(path, f"file is {size:,} bytes; a record may be at most {MAX_RECORD_BYTES:,}")
        return path.read_bytes()
    except OSError as err:
        raise TrackerError.at(path, f"cannot read: {err.strerror}") from None


class _Builder:
    def __init__(self, path: Path | str, marks: Marks | None):
        self.path = path
        self.marks = marks
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str, field: FieldPath = ()) -> TrackerError:
        return TrackerError.at(
            self.path, message, node.start_mark.line + 1, node.start_mark.column + 1, dotted(field)
        )

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        if len(path) > MAX_DEPTH:
            raise self.fail(node, f"values are nested more than {MAX_DEPTH} levels deep", path[:1])
        if id(node) in self.seen:
            raise self.fail(node, "aliases (*name) are not allowed; write the value out in full", path)
        self.seen.add(id(node))
        if self.marks is not None:
            self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.fail(node, f"tag {node.tag} is not allowed", path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalar(node, path)

    def mapping(self, node: yaml.MappingNode, path: FieldPath) -> dict[str, Any]:
        if node.tag != _TAG + "map":
            raise self.fail(node, f"tag {node.tag} is not allowed", path)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                raise self.fail(key_node, "merge keys (<<) are not allowed", path)
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.fail(key_node, "field names must be plain text", path)
            if key in result:
                first = self.marks.get((*path, key)) if self.marks else None
                where = f" (first at line {first[0]})" if first else ""
                raise self.fail(key_node, f"duplicate field {key!r}{where}", (*path, key))
            result[key] = self.build(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(node, f"tag {node.tag} is not allowed", path)
        kind = node.tag[len(_TAG):]
        try:
            value = getattr(_constructor, f"construct_yaml_{kind}")(node)
        except (ValueError, OverflowError, yaml.YAMLError):
            raise self.fail(node, f"{node.value!r} is not a valid {'date' if kind == 'timestamp' else kind}", path) from None
        if kind == "timestamp":
            if isinstance(value, dt.datetime):
                raise self.fail(node, f"{node.value!r}: give a date without a time", path)
            return value.isoformat()
        if kind == "float" and value != value:
            raise self.fail(node, "NaN is not allowed", path)
        return value


def dotted(path: FieldPath) -> str:
    """A field path as clerks read it: `history[2].date`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
