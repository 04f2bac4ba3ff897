"""The names of every file's record (see model/dependencies.py), kept so that a search reads only a little of them.

Two sorted texts hold the names: "paths" has a line per file (its file name without .yaml, a slash and its path,
then its names), "names" a line per name and role (the name, then the numbers of the lines of "paths" of the files
that have it). A record's ID is left out of both where it is its file name, as it is for every record of a sound
repository (a file whose name is not one of its IDs is marked NO_ID instead): the lines of the files of that name in
"paths" stand for it. Each text is cut into chunks of about CHUNK
characters, kept as rows with a checksum, the first line's key and its number, so a search reads the one chunk its
key (or line) falls in and halves it down to the line. The lines of the files changed since the texts
were written stand apart (recent), in place of theirs, until there are MOST_RECENT of them; then both texts are
written again.

A name is kept with its role after it, in memory as in the texts (see token): ID, ALSO_KNOWN_AS or NEEDS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple, Protocol

ID, ALSO_KNOWN_AS, NEEDS = "i", "a", "n"
Names = dict[str, list[str]]  # each file's names, each as a token
ROLE = "\x1f"  # between a name and its role
NO_ID = ROLE + "x"  # stored for a file that holds no record


def token(name: str, role: str) -> str:
    """A name with its role: "pcc-2023-03-22-6a\x1fi"."""
    return name + ROLE + role


def name_of(found: str) -> str:
    return found[:-2]


def role_of(found: str) -> str:
    return found[-1]
CHUNK = 1 << 16
MOST_RECENT = 500


class Chunk(NamedTuple):
    """A piece of a stored text: the key of its first line ("" for the first chunk), the first key of the next
    chunk ("" for the last), the number of its first line in the text, and its lines."""

    first: str
    following: str
    line: int
    body: str


class Stored(Protocol):
    """The stored texts of one question's names; ValueError when what is asked for is damaged or missing."""

    def chunk(self, kind: str, key: str) -> tuple[str, str]:
        """The lines of the chunk of the text ("paths" or "names") that key falls in, and the next chunk's first
        key ("" after the last)."""

    def chunk_at(self, kind: str, number: int) -> tuple[int, str]:
        """The chunk holding line number, with the number of its first line."""


class NameIndex:
    """The names as kept: the stored texts (read through chunk_of) and the lines of the files changed since."""

    def __init__(self, stored: Stored, recent: str = ""):
        self._stored = stored
        self.recent: Names = dict(_file_line(line) for line in recent.split("\n") if line)
        self.folded_texts: dict[str, list[Chunk]] | None = None  # both texts written afresh, when recent is folded in
        self._lines: dict[int, list[str]] = {}  # chunks of "paths" read so far, by their first line's number

    def recent_text(self) -> str:
        return "".join(_path_line(path, names) for path, names in self.recent.items())

    def names_of(self, paths: Iterable[str]) -> Names:
        """The names of each of the files given that has any (a file the index does not know has none)."""
        found: Names = {}
        for path in paths:
            if path in self.recent:
                found[path] = self.recent[path]
                continue
            key = _path_key(path)
            line = _line_in(self._stored.chunk("paths", key)[0], key)
            if line is not None:
                found[path] = _file_line(line)[1]
        return found

    def paths_named(self, names: Iterable[str], roles: str) -> set[str]:
        """The files with any of the names given, in any of the roles given."""
        wanted = {token(name, role) for name in set(names) for role in roles}
        paths = {path for path, found in self.recent.items() if not wanted.isdisjoint(found)}
        for name in wanted:
            paths.update(path for path in self._paths_stored(name) if path not in self.recent)
        return paths

    def has(self, name: str) -> bool:
        """Whether any file has the name (a token)."""
        return any(name in found for found in self.recent.values()) or any(
            path not in self.recent for path in self._paths_stored(name))

    def _paths_stored(self, name: str) -> list[str]:
        key = _escaped_token(name)
        line = _line_in(self._stored.chunk("names", key)[0], key)
        paths = [self._path_at(int(number)) for number in line.split("\t")[1:]] if line is not None else []
        if role_of(name) == ID:  # and the files of that name whose ID is left out
            paths += [path for path, found in map(_file_line, self._named(name_of(name))) if name in found]
        return paths

    def _named(self, stem: str) -> list[str]:
        """The lines of "paths" of the files named stem.yaml."""
        prefix = _escaped(stem) + "/"
        lines: list[str] = []
        key = prefix
        while True:
            body, following = self._stored.chunk("paths", key)
            for line in body[_position(body, prefix):].split("\n")[:-1]:
                if not line.startswith(prefix):
                    return lines
                lines.append(line)
            if not following.startswith(prefix):
                return lines
            key = following

    def _path_at(self, number: int) -> str:
        """The path on line number of "paths"."""
        for first, lines in self._lines.items():
            if first <= number < first + len(lines):
                return _file_line(lines[number - first])[0]
        first, body = self._stored.chunk_at("paths", number)
        lines = self._lines[first] = body.split("\n")[:-1]
        if not first <= number < first + len(lines):
            raise ValueError("kept names are damaged")
        return _file_line(lines[number - first])[0]

    def replaced(self, names: Names, gone: Iterable[str]) -> NameIndex:
        """The index with the names of these files in place of theirs, and none for the files gone."""
        after = NameIndex(self._stored)
        after.recent = {**self.recent, **names, **{path: [] for path in gone}}
        return after

    def fold(self, everything: Callable[[], str]) -> None:
        """Once many files stand apart, make both texts afresh with them (everything() gives the stored "paths")."""
        if len(self.recent) > MOST_RECENT:
            every = dict(_file_line(line) for line in everything().split("\n") if line)
            every.update(self.recent)
            self.folded_texts = texts_of({path: found for path, found in every.items() if found})
            self.recent = {}


def texts_of(names: Names) -> dict[str, list[Chunk]]:
    """Both texts of the names, cut into chunks. (Escaped text has no character below a space, so the lines sort
    as their keys do.) Paths and names almost never hold a character that needs escaping: the texts are made
    without, checked, and made again escaped if one turns up."""
    texts, tokens = _texts(names, escape=False)
    paths = [chunk.body for chunk in texts["paths"]]
    counts = [sum(body.count(mark) for body in paths) for mark in ("\n", "\t", ROLE)]
    if counts == [len(names), tokens, tokens] and all(_printable(body) for body in paths):
        return texts  # no path or name held a tab, newline or role mark, nor anything else to escape
    return _texts(names, escape=True)[0]


def _printable(body: str) -> bool:
    return "\\" not in body and body.replace("\t", " ").replace("\n", " ").replace(ROLE, " ").isprintable()


def _texts(names: Names, *, escape: bool) -> tuple[dict[str, list[Chunk]], int]:
    """Both texts, and how many names the lines of "paths" hold."""
    rows = []
    for path, tokens in names.items():
        stem = _stem(path)
        if escape:
            rows.append((_path_key(path), [_escaped_token(found) for found in _stored_tokens(stem, tokens)]))
        else:
            rows.append((stem + "/" + path, _stored_tokens(stem, tokens)))
    rows.sort()
    path_lines = []
    by_name: dict[str, list[str]] = {}
    stored = 0
    for number, (key, tokens) in enumerate(rows):
        path_lines.append("\t".join([key, *tokens]) + "\n")
        stored += len(tokens)
        text = str(number)
        for found in tokens:
            numbers = by_name.get(found)
            if numbers is None:
                by_name[found] = [text]
            else:
                numbers.append(text)
    by_name.pop(NO_ID, None)
    names_lines = sorted(found + "\t" + "\t".join(numbers) + "\n" for found, numbers in by_name.items())
    return {"paths": _chunks(path_lines), "names": _chunks(names_lines)}, stored


def _stored_tokens(stem: str, tokens: list[str]) -> list[str]:
    """A file's names as stored: the ID that is its file name left out, else NO_ID added."""
    implicit = stem + ROLE + ID
    if tokens and tokens[0] == implicit:  # as names_of in parts.py puts it
        return tokens[1:]
    if implicit in tokens:
        return [found for found in tokens if found != implicit]
    return [*tokens, NO_ID]


def _stem(path: str) -> str:
    return path[path.rfind("/") + 1:].removesuffix(".yaml")


def _chunks(lines: list[str]) -> list[Chunk]:
    """Sorted lines cut into chunks; the first chunk (empty when there are no lines) has "" for its first key."""
    pieces: list[tuple[str, int, list[str]]] = [("", 0, [])]
    size = 0
    for number, line in enumerate(lines):
        if size >= CHUNK:
            pieces.append((_key(line), number, []))
            size = 0
        pieces[-1][2].append(line)
        size += len(line)
    firsts = [first for first, _, _ in pieces]
    return [Chunk(first, following, line, "".join(chunk))
            for (first, line, chunk), following in zip(pieces, [*firsts[1:], ""], strict=True)]


def _line_in(text: str, key: str) -> str | None:
    """The line of a sorted chunk whose key is key."""
    start = _position(text, key)
    end = text.find("\n", start)
    return text[start:end] if end != -1 and _key(text[start:end]) == key else None


def _position(text: str, key: str) -> int:
    """Where in a sorted chunk the first line whose key is not below key starts (len(text) if none), found by
    halving."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high) // 2
        start = text.rfind("\n", low, middle) + 1 or low
        end = text.index("\n", start)
        if _key(text[start:end]) < key:
            low = end + 1
        else:
            high = start
    return low


def _key(line: str) -> str:
    return line.partition("\t")[0].rstrip("\n")


def _path_key(path: str) -> str:
    return _escaped(_stem(path)) + "/" + _escaped(path)


def _path_line(path: str, names: list[str]) -> str:
    return "\t".join([_path_key(path), *map(_escaped_token, _stored_tokens(_stem(path), names))]) + "\n"


def _file_line(line: str) -> tuple[str, list[str]]:
    """A file's path and names from its line of "paths" (its ID put back where it was left out)."""
    key, *stored = line.split("\t")
    stem, _, path = key.partition("/")
    tokens = [_unescaped(found[:-2]) + found[-2:] for found in stored if found != NO_ID]
    if NO_ID not in stored:
        tokens.insert(0, _unescaped(stem) + ROLE + ID)
    return _unescaped(path), tokens


def _escaped_token(found: str) -> str:
    return _escaped(found[:-2]) + found[-2:]


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
