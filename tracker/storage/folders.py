"""Listing a records folder without following links: shared by the file-system and git scans."""

from __future__ import annotations

import os


def list_folder(path: str) -> tuple[list[str], list[str], list[str]]:
    """A folder's subfolders, its *.yaml files, and its folders named *.yaml (reported as problems); symbolic
    links to folders count as files, so they are never followed. Raises OSError when the folder cannot be read."""
    subfolders: list[str] = []
    files: list[str] = []
    strange: list[str] = []
    with os.scandir(path) as entries:
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                subfolders.append(name)
                if name.endswith(".yaml"):
                    strange.append(name)
            elif name.endswith(".yaml"):
                files.append(name)
    return subfolders, files, strange
