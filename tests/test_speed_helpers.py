"""Shortcuts taken for speed give exactly what the slower standard forms give."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from tracker.storage.validate import _stem

PART = st.text(alphabet="ab.-_", min_size=1, max_size=6).filter(lambda part: part not in (".", ".."))


@given(st.lists(PART, min_size=1, max_size=4))
def test_stem_is_the_path_stem(parts: list[str]) -> None:
    path = "/".join(parts)
    assert _stem(path) == PurePosixPath(path).stem
