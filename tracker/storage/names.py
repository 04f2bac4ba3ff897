"""The names of every file's record (see model/dependencies.py), kept so that a search reads only a little of them.

Two sorted texts hold the same names: "paths" has a line per file (its path, then its names), "names" a line per
name and role (the name, then the files that have it). Each is cut into chunks of about CHUNK characters, kept as
rows with a checksum and the first line's key, so a search reads the one chunk its key falls in and halves it
down to the line. The lines of the files changed since the texts were written stand apart (recent), in place of
theirs, until there are MOST_RECENT of them; then both texts are written again.

A name is kept with its role after it: ID, ALSO_KNOWN_AS or NEEDS (in memory, the role comes first: "ipcc-…").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

ID, ALSO_KNOWN_AS, NEEDS = "i", "a", "n"
Names = dict[str, list[str]]  # each file's names, role first
# A stored text's chunks: (the key of its first line, or "" for the first chunk; the first key of the next chunk, or
# "" for the last; the lines).
Chunks = list[tuple[str, str, str]]
# Finds the chunk of a text ("paths" or "names") that a key falls in; ValueError when it is damaged or missing.
ChunkOf = Callable[[str, str], str]
CHUNK = 1 << 16
MOST_RECENT = 500


class NameIndex:
    """The names as kept: the stored texts (read through chunk_of) and the lines of the files changed since."""

    def __init__(self, chunk_of: ChunkOf, recent: str = ""):
        self._chunk_of = chunk_of
        self.recent: Names = dict(_file_line(line) for line in recent.split("\n") if line)
        self.folded_texts: dict[str, Chunks] | None = None  # both texts written afresh, when recent is folded in

    def recent_text(self) -> str:
        return "".join(_path_line(path, names) for path, names in self.recent.items())

    def names_of(self, paths: Iterable[str]) -> Names:
        """The names of each of the files given that has any (a file the index does not know has none)."""
        found: Names = {}
        for path in paths:
            if path in self.recent:
                found[path] = self.recent[path]
                continue
            line = _line_in(self._chunk_of("paths", _escaped(path)), _escaped(path))
            if line is not None:
                found[path] = _file_line(line)[1]
        return found

    def paths_named(self, names: Iterable[str], roles: str) -> set[str]:
        """The files with any of the names given, in any of the roles given."""
        wanted = {role + name for name in set(names) for role in roles}
        paths = {path for path, found in self.recent.items() if not wanted.isdisjoint(found)}
        for name in wanted:
            paths.update(path for path in self._stored(name) if path not in self.recent)
        return paths

    def has(self, name: str) -> bool:
        """Whether any file has the name (role first)."""
        return any(name in found for found in self.recent.values()) or any(
            path not in self.recent for path in self._stored(name))

    def _stored(self, name: str) -> list[str]:
        key = _escaped(name[1:]) + _ROLE + name[0]
        line = _line_in(self._chunk_of("names", key), key)
        return [_unescaped(path) for path in line.split("\t")[1:]] if line is not None else []

    def replaced(self, names: Names, gone: Iterable[str]) -> NameIndex:
        """The index with the names of these files in place of theirs, and none for the files gone."""
        after = NameIndex(self._chunk_of)
        after.recent = {**self.recent, **names, **{path: [] for path in gone}}
        return after

    def fold(self, everything: Callable[[], str]) -> None:
        """Once many files stand apart, make both texts afresh with them (everything() gives the stored "paths")."""
        if len(self.recent) > MOST_RECENT:
            every = dict(_file_line(line) for line in everything().split("\n") if line)
            every.update(self.recent)
            self.folded_texts = texts_of({path: found for path, found in every.items() if found})
            self.recent = {}


def texts_of(names: Names) -> dict[str, Chunks]:
    """Both texts of the names, cut into chunks. (Escaped text has no character below a space, so the lines sort
    as their keys do.)"""
    escaped: dict[str, str] = {}  # each name with its role after it, escaped once
    by_name: dict[str, list[str]] = {}
    path_lines = []
    for path, found in names.items():
        escaped_path = _escaped(path)
        tokens = []
        for name in found:
            token = escaped.get(name)
            if token is None:
                token = escaped[name] = _escaped(name[1:]) + _ROLE + name[0]
            tokens.append(token)
            paths = by_name.get(token)
            if paths is None:
                by_name[token] = [escaped_path]
            else:
                paths.append(escaped_path)
        path_lines.append(escaped_path + "".join("\t" + token for token in tokens) + "\n")
    path_lines.sort()
    return {"paths": _chunks(path_lines),
            "names": _chunks(sorted(token + "\t" + "\t".join(paths) + "\n" for token, paths in by_name.items()))}


def _chunks(lines: list[str]) -> Chunks:
    """Sorted lines cut into chunks; the first chunk (empty when there are no lines) has "" for its first key."""
    pieces: list[tuple[str, list[str]]] = [("", [])]
    size = 0
    for line in lines:
        if size >= CHUNK:
            pieces.append((_key(line), []))
            size = 0
        pieces[-1][1].append(line)
        size += len(line)
    firsts = [first for first, _ in pieces]
    return [(first, following, "".join(chunk))
            for (first, chunk), following in zip(pieces, [*firsts[1:], ""], strict=True)]


def _line_in(text: str, key: str) -> str | None:
    """The line of a sorted chunk whose key is key, found by halving."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind("\n", low, middle) + 1 or low
        end = text.index("\n", start)
        found = _key(text[start:end])
        if found == key:
            return text[start:end]
        if found < key:
            low = end + 1
        else:
            high = start
    return None


def _key(line: str) -> str:
    return line.partition("\t")[0].rstrip("\n")


def _path_line(path: str, names: list[str]) -> str:
    return _escaped(path) + "".join("\t" + _escaped(name[1:]) + _ROLE + name[0] for name in names) + "\n"


def _file_line(line: str) -> tuple[str, list[str]]:
    path, *tokens = line.split("\t")
    return _unescaped(path), [token[-1] + _unescaped(token[:-2]) for token in tokens]


_ROLE = "\x1f"  # between a name and its role
_SPECIAL = re.compile("[\\\\\x00-\x1f]")
_ESCAPE = re.compile("\\\\(?:\\\\|x[0-9a-f]{2})")


def _escaped(text: str) -> str:
    """Text with a backslash doubled and every character below a space written as \\xNN."""
    if _SPECIAL.search(text):
        return _SPECIAL.sub(lambda found: "\\\\" if found[0] == "\\" else f"\\x{ord(found[0]):02x}", text)
    return text


def _unescaped(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda found: "\\" if found[0] == "\\\\" else chr(int(found[0][2:], 16)), text)
