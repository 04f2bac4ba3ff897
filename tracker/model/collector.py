"""Holding off Python's cycle collector while many small objects that will all live on are built."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cycle collector while many small objects that will all live on are built: it would only walk
    them again and again (nothing built here is cyclic; reference counting frees it all)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
