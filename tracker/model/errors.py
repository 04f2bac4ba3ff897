"""The one exception type for user-facing problems, and the Problem a validator reports."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the records, located as precisely as we can."""

    path: str
    line: int = 0
    column: int = 0
    message: str = ""
    field: str = ""
    record_id: str = dataclass_field(default="", compare=False, repr=False)

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "column": self.column, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        field = f"{self.field}: " if self.field else ""
        return f"{where}: {field}{self.message}"


class TrackerError(Exception):
    """A problem the user can fix: bad input, a missing record, a refused change.

    The CLI prints it without a traceback and exits 1.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        self.hint = hint

    @classmethod
    def at(cls, path: Path | str, message: str, line: int = 0, column: int = 0, field: str = "") -> TrackerError:
        problem = Problem(str(path), line, column, message, field)
        return cls(str(problem), [problem])

    def __str__(self) -> str:
        return self.message
