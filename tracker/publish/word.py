"""The committee's papers as Word documents, for the agenda pack: A4 (a report's recommendations landscape), the
paper's heading block, one table per meeting with the Assembly's columns, lists inside cells kept as Word list
paragraphs and bold kept as bold.

The tables are the very cells the Markdown render shows (see the table model in tracker/publish/render.py); this module only
lays them out. A clerk restyles the result by giving a reference document: its styles (Title, Heading 2, Table Grid,
List Bullet, List Number, ...) and page setup are used, and its content is not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from tracker.model.errors import TrackerError
from tracker.text.markdown import Block, blocks

REFERENCE_DOCX = "reference.docx"  # a file of this name in the repository's templates/ restyles every document
# Column widths in millimetres, within A4's 170 mm between margins of 20 mm.
ACTION_WIDTHS = (16, 36, 32, 52, 34)
STANDING_WIDTHS = (66, 40, 34, 30)
# A report's recommendations have six columns, so they go on A4 landscape: 257 mm between the margins.
RECOMMENDATION_WIDTHS = (12, 75, 32, 26, 30, 82)
LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
CELL_SPACING_PT = 3  # points after each paragraph in a cell: a page's spacing would pad every row
_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|__(?P<bold2>.+?)__|(?<![\w*])\*(?P<italic>[^\s*](?:.*?[^\s*])?)\*(?![\w*])")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])")
# Characters XML 1.0 cannot hold; record text may contain them, a .docx may not.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HINT = ("restyle a document tracker wrote (render with --format docx) in Word and save it as "
        f"templates/{REFERENCE_DOCX}, or give it with --reference-docx")


def reference_document(root: Path, given: str | None) -> Path | None:
    """The reference document: the one given, else templates/reference.docx in the repository, else none."""
    if given:
        return Path(given)
    own = root / "templates" / REFERENCE_DOCX
    return own if own.is_file() else None


def summary_list(context: dict[str, Any], reference: Path | None = None) -> bytes:
    """The Summary List of Actions (render.actions_context) as a .docx file's bytes."""
    doc = _document(reference)
    committee = context["committee"]
    _heading_block(doc, reference, committee["body"], context["title"],
                   [("Report to:", committee["name"]), ("Date:", context["as_of"])], context["intro"])
    for meeting in context["meetings"]:
        _paragraph(doc, reference, "Heading 2", meeting["heading"])
        _table(doc, reference, meeting["table"], ACTION_WIDTHS)
    if context["standing"]:
        _paragraph(doc, reference, "Heading 2", "Standing Items")
        _table(doc, reference, context["standing_table"], STANDING_WIDTHS)
    if not context["meetings"] and not context["standing"]:
        _paragraph(doc, reference, "Normal", "There are no actions to report.")
    _paragraph(doc, reference, "Normal", f"Generated from {context['source']} as of {context['as_of']}.")
    return _save(doc, f"{context['title']}: {committee['name']}", context["as_of_iso"])


def recommendations(context: dict[str, Any], source: str, reference: Path | None = None) -> bytes:
    """A report's recommendations with responses, status and latest update (render.recommendations_context), as a
    .docx file's bytes: one table, a row per recommendation."""
    doc = _document(reference, landscape=True)
    report = context["report"]
    lines = [("Committee:", report["committee"]), ("Published:", report["published"]), ("Date:", context["as_of"])]
    if report["url"]:
        lines.append(("Report:", report["url"]))
    _heading_block(doc, reference, report["body"], report["title"], lines, context["summary"])
    # A recommendation with its responses can run longer than a page, so its row may break across pages.
    _table(doc, reference, context["table"], RECOMMENDATION_WIDTHS, whole_rows=False)
    _paragraph(doc, reference, "Normal", f"Generated from {source} as of {context['as_of']}.")
    return _save(doc, report["title"], context["as_of_iso"])


# ---------------------------------------------------------------- the document


def _document(reference: Path | None, landscape: bool = False) -> Any:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    if reference is None:
        doc = docx.Document()
        for section in doc.sections:
            section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
            section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
            section.left_margin = section.right_margin = Mm(20)
            section.top_margin = section.bottom_margin = Mm(20)
        return doc
    try:
        doc = docx.Document(str(reference))
    except Exception as err:  # noqa: BLE001 -- python-docx raises several kinds for a file that is not a Word document
        raise TrackerError(f"{reference}: cannot read as a Word document ({err.__class__.__name__}: {err})",
                           hint=HINT) from None
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # keep the page setup, drop the content
            body.remove(child)
    return doc


def _style(doc: Any, reference: Path | None, name: str) -> Any:
    try:
        return doc.styles[name]
    except KeyError:
        raise TrackerError(f"{reference}: the reference document has no {name!r} style", hint=HINT) from None


def _heading_block(doc: Any, reference: Path | None, body: str, title: str, lines: list[tuple[str, str]],
                   intro: str) -> None:
    if body:
        _runs(_paragraph(doc, reference, "Normal"), body, strong=True)
    _paragraph(doc, reference, "Title", title)
    for label, value in lines:
        paragraph = _paragraph(doc, reference, "Normal")
        _runs(paragraph, label, strong=True)
        paragraph.add_run(" " + _xml_safe(value))
    if intro:
        _paragraph(doc, reference, "Normal", intro)


def _paragraph(doc: Any, reference: Path | None, style: str, text: str = "") -> Any:
    paragraph = doc.add_paragraph(style=_style(doc, reference, style))
    if text:
        paragraph.add_run(_xml_safe(text))
    return paragraph


def _table(doc: Any, reference: Path | None, model: dict[str, Any], widths: tuple[int, ...],
           whole_rows: bool = True) -> None:
    from docx.shared import Mm, Pt

    columns = model["columns"]
    table = doc.add_table(rows=1, cols=len(columns))
    with contextlib.suppress(KeyError):  # a reference without it keeps Word's plain table
        table.style = doc.styles["Table Grid"]
    table.autofit = False
    header = table.rows[0]
    _keep_row_whole(header, repeat=True)
    for cell, name in zip(header.cells, columns, strict=True):
        _runs(cell.paragraphs[0], name, strong=True)
        cell.paragraphs[0].paragraph_format.space_after = Pt(CELL_SPACING_PT)
    for cells in model["rows"]:
        row = table.add_row()
        if whole_rows:
            _keep_row_whole(row)
        for cell, parts in zip(row.cells, cells, strict=True):
            _fill(doc, reference, cell, parts)
    # Word reads each cell's width, LibreOffice the table's grid: both are set.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def _keep_row_whole(row: Any, repeat: bool = False) -> None:
    """A row never splits across pages; the header row repeats at the top of each page."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if repeat:
        properties.append(OxmlElement("w:tblHeader"))


def _fill(doc: Any, reference: Path | None, cell: Any, parts: list[dict[str, Any]]) -> None:
    """A cell's parts as paragraphs and list paragraphs (List Bullet, List Number), bold where the text is."""
    from docx.shared import Pt

    first = True
    for part in parts:
        for block in blocks(part["text"]) or [Block("p", ("",))]:
            style = LIST_STYLES.get(block.kind, "Normal")
            pieces = [" ".join(block.lines)] if block.kind == "p" else list(block.lines)
            for number, text in enumerate(pieces):
                paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                paragraph.style = _style(doc, reference, style)
                paragraph.paragraph_format.space_after = Pt(CELL_SPACING_PT)
                if style == "List Number" and number == 0:
                    _restart_numbering(doc, paragraph)
                _runs(paragraph, text, strong=part["strong"])


def _restart_numbering(doc: Any, paragraph: Any) -> None:
    """Number this list from 1, not on from the last numbered list in the document."""
    num_pr = paragraph.style.element.pPr.numPr if paragraph.style.element.pPr is not None else None
    if num_pr is None or num_pr.numId is None:
        return
    numbering = doc.part.numbering_part.element
    current = numbering.num_having_numId(num_pr.numId.val)
    fresh = numbering.add_num(current.abstractNumId.val)
    fresh.add_lvlOverride(ilvl=0).add_startOverride(1)
    own = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    own.get_or_add_ilvl().val = 0
    own.get_or_add_numId().val = fresh.numId


def _runs(paragraph: Any, text: str, strong: bool = False) -> None:
    """Markdown's **bold** and *italic* as runs of a paragraph; escaped characters as themselves."""
    at = 0
    for match in _INLINE.finditer(text):
        if match.start() > at:
            _run(paragraph, text[at:match.start()], strong, False)
        bold = match.group("bold") or match.group("bold2")
        _run(paragraph, bold if bold is not None else match.group("italic"), True if bold is not None else strong,
             bold is None)
        at = match.end()
    if at < len(text):
        _run(paragraph, text[at:], strong, False)


def _run(paragraph: Any, text: str, bold: bool, italic: bool) -> None:
    run = paragraph.add_run(_xml_safe(_ESCAPED.sub(r"\1", text)))
    if bold:
        run.bold = True
    if italic:
        run.italic = True


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def _save(doc: Any, title: str, as_of_iso: str) -> bytes:
    """The document's bytes, its properties naming the paper and dated as of the day it describes."""
    when = dt.datetime.combine(dt.date.fromisoformat(as_of_iso), dt.time())
    properties = doc.core_properties
    # Word's core properties hold at most 255 characters (python-docx refuses more); the page shows the title whole.
    short = _xml_safe(title)
    properties.title = short if len(short) <= 255 else short[:254] + "\u2026"
    properties.author = properties.last_modified_by = "tracker"
    properties.created = properties.modified = when
    properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
