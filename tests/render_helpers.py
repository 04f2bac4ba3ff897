"""Reading tables back out of the Assembly's published list and out of our rendered Markdown, for comparison."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.conftest import PCC_SUMMARY_LIST, data_file

_INLINE_MARKUP = re.compile(r"</?(?:b|strong|em|i)>|\*\*")
_BLOCK_MARKUP = re.compile(r"</?(?:p|ul|ol|li|br)\b[^>]*>")


def normalise(text: str) -> str:
    """Cell text with only whitespace and HTML/Markdown markup normalised away."""
    text = _BLOCK_MARKUP.sub(" ", text)
    text = _INLINE_MARKUP.sub("", text)
    text = text.replace("\\|", "|")
    text = html.unescape(text)
    text = re.sub(r"(^|\s)•\s", r"\1", text)  # the seed's hand-drawn bullet inside an HTML list item
    return " ".join(text.split())


Tables = list[tuple[str, list[list[str]]]]


def seed_tables(path: Path = PCC_SUMMARY_LIST) -> Tables:
    """Section 3 of the Assembly's report: (heading, rows of cells) for each meeting, then the standing items."""
    lines = data_file(path).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "### 3. Summary List of Actions")
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("## 4."))
    tables: Tables = []
    for line in lines[start:end]:
        heading = re.match(r"^#+\s+(Actions Arising from the Meeting Held on .+?)\s*$", line)
        if heading:
            tables.append((heading.group(1), []))
        elif line.startswith("<b>Subject and Action Required"):
            tables.append(("Standing Items", []))
        elif "\t" in line and not line.startswith("Item No."):
            tables[-1][1].append([normalise(cell) for cell in line.split("\t")])
    return tables


def split_row(line: str) -> list[str]:
    """The cells of a Markdown pipe table row, honouring escaped pipes."""
    inner = line.strip()[1:-1]
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", inner)]


def markdown_tables(text: str) -> tuple[Tables, dict[str, list[str]]]:
    """The tables of a rendered list under their headings (normalised), and each table's header row."""
    tables: Tables = []
    headers: dict[str, list[str]] = {}
    heading = ""
    in_table = False
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            in_table = False
        elif line.startswith("|"):
            if not in_table:
                headers[heading] = split_row(line)
                tables.append((heading, []))
                in_table = True
            elif not set(line) <= set("|-: "):
                tables[-1][1].append([normalise(cell) for cell in split_row(line)])
        else:
            in_table = False
    return tables, headers
