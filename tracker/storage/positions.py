"""Where a field sits in a record file, for messages about problems found after loading."""

from __future__ import annotations

from pathlib import Path

from tracker.model.errors import TrackerError
from tracker.storage.schemas import locate
from tracker.storage.yamlio import Marks, decode, load_text, read_bytes


def field_position(source: Path | bytes, rel_path: str, field_path: tuple[str | int, ...]) -> tuple[int, int]:
    """Where a field sits in a record file (its bytes, or the repository root to read it from), for messages
    about problems found after loading."""
    try:
        data = source if isinstance(source, bytes) else read_bytes(source / rel_path)
        marks: Marks = {}
        load_text(decode(data, rel_path), rel_path, marks)
        return locate(marks, field_path)
    except TrackerError:
        return (0, 0)
