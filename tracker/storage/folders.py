"""Listing a records folder without following links: shared by the file-system and git scans."""

from __future__ import annotations

import os


def list_folder(path: str) -> tuple[list[str], list[str], list[str]]:
    """A folder's subfolders, its *.yaml files, and the entries reported as problems: its folders named *.yaml and
    its links to folders (never followed: records a link brings in would vanish without a word the day it breaks).
    Raises OSError when the folder cannot be read."""
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
            elif entry.is_symlink() and os.path.isdir(entry.path):
                strange.append(name)
    return subfolders, files, strange
