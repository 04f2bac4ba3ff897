"""Editing YAML files in place so that a change touches only its own lines.

PyYAML forgets comments, key order details and quoting when it writes; ruamel.yaml's round-trip mode keeps
them, so a clerk's hand-written comments and layout survive every update byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.writer import replace


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines a clerk wrote
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edit_text(text: str, mutate: Callable[[Any], None]) -> str:
    """Apply mutate to the parsed document and return the new text, changed only where mutate changed it."""
    yaml = _yaml()
    document = yaml.load(text)
    mutate(document)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue()


def edit_yaml_file(path: Path, mutate: Callable[[Any], None]) -> str:
    """Edit a YAML file in place, atomically; return the new text."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise TrackerError(f"{path}: cannot read: {err.strerror}") from None
    new_text = edit_text(text, mutate)
    replace(path.parent, path.name, new_text)
    return new_text
