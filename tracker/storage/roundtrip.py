"""Editing YAML files in place so that a change touches only its own lines.

PyYAML forgets comments, key order details and quoting when it writes; ruamel.yaml's round-trip mode keeps
them, so a clerk's hand-written comments and layout survive every update byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.model.errors import TrackerError
from tracker.storage.writer import replace


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines a clerk wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    # The loader refuses anchors and aliases, so a value used twice (one date for two events) is written twice.
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def edit_text(text: str, mutate: Callable[[Any], None]) -> str:
    """Apply mutate to the parsed document and return the new text, changed only where mutate changed it."""
    yaml = _yaml()
    document = yaml.load(text)
    mutate(document)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return keep_untouched(text, buffer.getvalue())


def _shape(data: Any) -> Any:
    """Loaded YAML as a comparable value that also tells key order and types apart (2023 from "2023")."""
    if isinstance(data, dict):
        return ("map", tuple((_shape(key), _shape(value)) for key, value in data.items()))
    if isinstance(data, list):
        return ("seq", tuple(_shape(item) for item in data))
    return (type(data).__name__, data)


def _meaning(lines: list[str]) -> Any:
    from tracker.storage.yamlio import load_text

    try:
        return _shape(load_text("".join(lines), "(edited text)"))
    except TrackerError:
        return None


def keep_untouched(before: str, after: str) -> str:
    """after, with each run of lines that it only wrote differently from before (a wrapped or folded text put on
    one line, quotes broken at other places) put back as before had it: the clerk's diff shows only what changed.

    A run is put back only when the whole document still means exactly what after means, so nothing the change
    made is lost, whatever style the scalars were written in and by whom.
    """
    import difflib

    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    target = _meaning(new)
    if target is None or old == new:
        return after
    current = list(new)
    hunks = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes() if op[0] != "equal"]
    # From the end, so the line numbers of the hunks still to do stay right.
    for _, i1, i2, j1, j2 in reversed(hunks):
        current[j1:j2] = _restore(old[i1:i2], current[j1:j2], current[:j1], current[j2:], target)
    return "".join(current)


# Beyond this many ways of splitting a run of changed lines, it is taken as changed (a rewritten text, say).
MAX_SPLITS = 400


def _restore(old: list[str], new: list[str], head: list[str], tail: list[str], target: Any) -> list[str]:
    """As many of old's lines as can stand for new's between head and tail without changing what it means."""
    if _meaning([*head, *old, *tail]) == target:
        return old
    if not old or not new or len(old) * len(new) > MAX_SPLITS:
        return new
    # The change itself sits somewhere inside: keep the old lines before it, or after it, where they mean the same.
    splits = [(m, k) for m in range(len(old), 0, -1) for k in range(len(new), 0, -1) if (m, k) != (len(old), len(new))]
    for m, k in splits:  # old[:m] stands for new[:k]
        if _meaning([*head, *old[:m], *new[k:], *tail]) == target:
            return old[:m] + _restore(old[m:], new[k:], [*head, *old[:m]], tail, target)
    for m, k in splits:  # old[-m:] stands for new[-k:]
        if _meaning([*head, *new[:-k], *old[-m:], *tail]) == target:
            return _restore(old[:-m], new[:-k], head, [*old[-m:], *tail], target) + old[-m:]
    return new


def edit_yaml_file(path: Path, mutate: Callable[[Any], None]) -> str:
    """Edit a YAML file in place, atomically; return the new text."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TrackerError(f"{path}: cannot read: {err.strerror}") from None
    new_text = edit_text(text, mutate)
    replace(path.parent, path.name, new_text)
    return new_text


def block_text(text: str, indent: int, width: int = 100) -> Any:
    """Text as a clerk would write it: `|` for several lines, `>-` folded at width for one long line."""
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if "\n" in text.strip("\n"):
        return LiteralScalarString(text)
    if len(text) + indent <= width or "  " in text or text != text.strip():
        return text
    folded = FoldedScalarString(text)
    limit = width - indent
    folds: list[int] = []
    line_start, last_space = 0, -1
    for index, char in enumerate(text + " "):
        if char != " ":
            continue
        if index - line_start > limit and last_space > line_start:
            folds.append(last_space)
            line_start = last_space + 1
        last_space = index
    folded.fold_pos = folds
    return folded


def _take_trailer(node: Any) -> str:
    """Detach the whole-line comments (and blank lines) that follow the last value under node; return them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

    if not isinstance(node, (CommentedMap, CommentedSeq)) or not node:
        return ""
    key = list(node)[-1] if isinstance(node, CommentedMap) else len(node) - 1
    value = node[key]
    if isinstance(value, (CommentedMap, CommentedSeq)) and value and not value.fa.flow_style():
        found = _take_trailer(value)
        if found:
            return found
    slot = node.ca.items.get(key)
    where = 2 if isinstance(node, CommentedMap) else 0
    if not slot or slot[where] is None:
        return ""
    token = slot[where]
    text: str = token.value
    block_value = isinstance(value, (FoldedScalarString, LiteralScalarString))
    if text.startswith("\n"):
        # The newline ends the value's own line; what follows are whole lines of their own.
        own_line, rest = "", text[1:]
    elif block_value or token.column == 0:
        # A block scalar ends with its own newline, so the token is whole lines already.
        own_line, rest = "", text
    else:
        own_line, _, rest = text.partition("\n")
    if own_line:
        token.value = own_line + "\n"
    else:
        slot[where] = None
    return rest


def _put_trailer(mapping: Any, trailer: str) -> None:
    """Attach comments after the last key of mapping (a new value written at the end of the file or list)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
    from ruamel.yaml.tokens import CommentToken

    if trailer:
        key = list(mapping)[-1]
        block_value = isinstance(mapping[key], (FoldedScalarString, LiteralScalarString))
        value = trailer if block_value else "\n" + trailer
        mapping.ca.items[key] = [None, None, CommentToken(value, CommentMark(0), None), None]


def append_item(document: Any, key: str, item: dict[str, Any]) -> None:
    """Append item to the block list document[key] (created at the end if missing; `[]` becomes a block list).

    Comments that followed the old last item stay after the new one, at the end where the clerk wrote them.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    entry.update(item)
    sequence = document.get(key)
    if sequence is None:
        trailer = _take_trailer(document)
        sequence = CommentedSeq()
        if key in document:
            document[key] = sequence
        else:
            document.insert(len(document), key, sequence)
    elif not sequence:
        trailer = _take_trailer(document)
    else:
        trailer = _take_trailer(sequence)
    sequence.fa.set_block_style()
    sequence.append(entry)
    _put_trailer(entry, trailer)


def insert_key(document: Any, key: str, value: Any, *, before: tuple[str, ...] = (), after: tuple[str, ...] = ()) -> None:
    """Set document[key]; a new key goes before the first of `before` present, else after the last of `after`."""
    if key in document:
        document[key] = value
        return
    keys = list(document)
    for name in before:
        if name in keys:
            document.insert(keys.index(name), key, value)
            return
    for name in after:
        if name in keys:
            document.insert(keys.index(name) + 1, key, value)
            return
    trailer = _take_trailer(document)
    document.insert(len(keys), key, value)
    _put_trailer(document, trailer)
