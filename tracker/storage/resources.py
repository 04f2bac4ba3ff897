"""Where the schemas and templates that travel with the package live."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # tracker/, two levels up from tracker/storage/resources.py


def data_dir(name: str) -> Path:
    """The packaged folder `schema` or `templates`: inside the installed package, or beside it in a checkout."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"tracker is installed without its {name}/ folder")


def schema_path(kind: str) -> Path:
    return data_dir("schema") / f"{kind}.schema.json"
