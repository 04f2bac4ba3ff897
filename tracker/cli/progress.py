"""A progress bar for long jobs, on stderr and only at a terminal, so piped output and logs stay clean."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """Call with the steps done (and the total, once known); a rich bar appears for jobs of `threshold` steps or more."""

    def __init__(self, description: str, total: int = 0, threshold: int = 200):
        self.description = description
        self.total = total
        self.threshold = threshold
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        if self.bar is None and self.total >= self.threshold and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task(self.description, total=self.total)
            self.bar.start()
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
