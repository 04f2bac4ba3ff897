"""Table cells and page text made safe: whatever a record says, the table keeps its shape and no HTML gets through."""

from __future__ import annotations

import re

import markdown as python_markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.text import markdown


def test_bullets_become_an_html_list_inside_the_cell() -> None:
    text = "The Committee requested the following:\n\n- Details of training; and\n- Figures."
    expected = "The Committee requested the following:<ul><li>Details of training; and</li><li>Figures.</li></ul>"
    assert markdown.cell(text) == expected


def test_numbered_items_become_an_ordered_list() -> None:
    assert markdown.cell("1. one\n2. two") == "<ol><li>one</li><li>two</li></ol>"


def test_paragraphs_are_separated_and_lines_joined() -> None:
    assert markdown.cell("first line\nsame paragraph\n\nsecond") == "first line same paragraph<br><br>second"


def test_pipes_and_html_escaped_text_otherwise_unchanged() -> None:
    assert markdown.cell("Q&A | <b>bold</b> **kept** &amp;") == "Q&A \\| &lt;b&gt;bold&lt;/b&gt; **kept** &amp;amp;"


def test_backslashes_cannot_swallow_the_pipe_or_the_markup_after_them() -> None:
    assert markdown.cell("a\\|b") == "a\\\\\\|b"
    assert markdown.cell("ends in \\\n\nnext") == "ends in \\\\<br><br>next"


def test_block_text_escapes_html_and_code_fences() -> None:
    assert markdown.block("<script>x</script>\n```\n**still bold**") == "&lt;script&gt;x&lt;/script&gt;\n\\```\n**still bold**"


def rendered_rows(table: str) -> list[list[str]]:
    html = python_markdown.markdown(table, extensions=["tables"])
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_text_makes_an_html_tag(text: str) -> None:
    cell = markdown.cell(text)
    tags = set(re.findall(r"<(/?[a-zA-Z]+)", cell))
    assert tags <= {"ul", "/ul", "ol", "/ol", "li", "/li", "br"}
    assert "\n" not in cell and "\r" not in cell


def test_backticks_cannot_join_cells() -> None:
    rows = rendered_rows(markdown.table(["a", "b", "c"], [["`x", "y", "z`"]]))
    assert [len(r) for r in rows] == [3, 3]
