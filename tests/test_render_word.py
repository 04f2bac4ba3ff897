"""The committee pack in Word: the Summary List and a report's recommendations as .docx, read back with python-docx."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import PROJECT
from tracker.publish.render import ACTION_COLUMNS, STANDING_COLUMNS

GOLDEN = PROJECT / "tests" / "golden" / "pcc-actions-2023-05-24.md"
SUMMARY = ("render", "actions", "--committee", "pcc", "--as-of", "2023-05-24", "--since", "2023-03-22")
PROBATION = ("render", "recommendations", "--report", "probation-services-in-london", "--as-of", "2023-05-24")


def _render(run, root: Path, *args: str, name: str = "pack.docx") -> docx.document.Document:
    target = root / name
    done = run(root, *args, "--format", "docx", "-o", str(target))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == ""
    return docx.Document(str(target))


def _golden_rows() -> list[list[str]]:
    """The Markdown golden file's table rows, as cell texts without markup."""
    rows = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith(("| Item No.", "| Subject", "| ---")):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows.append([" ".join(re.sub(r"<[^>]+>|\*\*", " ", c).split()) for c in cells])
    return rows


def _text(cell) -> str:
    return " ".join(" ".join(p.text for p in cell.paragraphs).split())


def test_the_summary_list_in_word(bundled, run):
    doc = _render(run, bundled, *SUMMARY)
    heads = [(p.style.name, p.text) for p in doc.paragraphs]
    assert heads[:4] == [("Normal", "London Assembly"), ("Title", "Summary List of Actions"),
                         ("Normal", "Report to: Police and Crime Committee"), ("Normal", "Date: 24 May 2023")]
    assert heads[4][1].endswith("the actions completed or closed since 22 March 2023.")
    assert heads[-1] == ("Normal", "Generated from uncommitted records as of 24 May 2023.")
    meetings = [text for style, text in heads if style == "Heading 2"]
    assert meetings[0] == "Actions Arising from the Meeting Held on 22 March 2023"
    assert meetings[-1] == "Standing Items"
    assert len(doc.tables) == len(meetings)
    *action_tables, standing = doc.tables
    for table in action_tables:
        assert [c.text for c in table.rows[0].cells] == list(ACTION_COLUMNS)
    assert [c.text for c in standing.rows[0].cells] == list(STANDING_COLUMNS)
    action_rows = [row for table in action_tables for row in table.rows[1:]]
    assert len(action_rows) == 19 and len(standing.rows) - 1 == 2
    # Cell for cell what the Markdown render shows.
    words = [[_text(c) for c in row.cells] for row in [*action_rows, *standing.rows[1:]]]
    assert words == _golden_rows()
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_closing_line_names_the_commit(git_repo, run):
    doc = _render(run, git_repo, *SUMMARY)
    assert re.fullmatch(r"Generated from records at commit [0-9a-f]{7,} as of 24 May 2023\.", doc.paragraphs[-1].text)


def test_a_list_inside_a_cell_stays_a_list_and_bold_stays_bold(bundled, run):
    doc = _render(run, bundled, *SUMMARY)
    rows = [row for table in doc.tables[:-1] for row in table.rows[1:]]
    deputy = next(row for row in rows if row.cells[2].text == "Deputy Commissioner, MPS")
    paragraphs = deputy.cells[3].paragraphs
    assert [p.style.name for p in paragraphs] == ["Normal", "List Bullet", "List Bullet", "List Bullet"]
    assert paragraphs[0].text == "The Committee requested the following:"
    assert paragraphs[1].text == "Details of the training package being developed for Sergeants."
    status = deputy.cells[4].paragraphs[0]
    assert [(r.text, bool(r.bold)) for r in status.runs] == [("Completed. Attached at ", False), ("Appendix 1", True),
                                                            (" .", False)]
    subject = doc.tables[-1].rows[1].cells[0].paragraphs[0]
    assert subject.runs and all(r.bold for r in subject.runs)
    header = doc.tables[0].rows[0]
    assert all(r.bold for c in header.cells for r in c.paragraphs[0].runs)
    assert header._tr.trPr.xpath("w:tblHeader") and doc.tables[0].rows[1]._tr.trPr.xpath("w:cantSplit")


def test_numbered_lists_restart_in_each_cell(bundled, run):
    for name in ("pcc-2023-03-22-6a", "pcc-2023-03-22-6b"):
        path = next(bundled.glob(f"records/**/{name}.yaml"))
        text = path.read_text(encoding="utf-8")
        start, end = text.index("text: >-"), text.index("status: ")
        path.write_text(text[:start] + 'text: "Asked for:\\n\\n1. the survey\\n2. the **figures**"\n' + text[end:],
                        encoding="utf-8")
    doc = _render(run, bundled, *SUMMARY)
    cells = [row.cells[3] for row in doc.tables[0].rows[1:]]
    numbers = []
    for cell in cells:
        styles = [p.style.name for p in cell.paragraphs]
        assert styles == ["Normal", "List Number", "List Number"]
        assert [(r.text, bool(r.bold)) for r in cell.paragraphs[2].runs] == [("the ", False), ("figures", True)]
        numbers.append(cell.paragraphs[1]._p.pPr.numPr.numId.val)
    assert numbers[0] != numbers[1]


def test_recommendations_in_word(bundled, run):
    doc = _render(run, bundled, *PROBATION)
    heads = [p.text for p in doc.paragraphs]
    assert heads[:5] == ["London Assembly", "Probation Services in London", "Committee: Police and Crime Committee",
                         "Published: 20 January 2023", "Date: 24 May 2023"]
    assert heads[5].startswith("13 recommendations: 13 open")
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)  # A4 landscape
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells][:3] == ["No.", "Recommendation", "Addressed to"]
    assert [row.cells[0].text for row in table.rows[1:]] == [str(n) for n in range(1, 14)]
    first = table.rows[1].cells
    assert first[4].text == "In progress (overdue by 54 days)"
    answer = first[5].paragraphs[0]
    assert answer.text.startswith("Response from HM Prison & Probation Service, 17 March 2023 (noted), at Appendix 1")
    assert all(r.bold for r in answer.runs)


def test_a_reference_document_restyles_the_pack(bundled, run):
    reference = _render(run, bundled, *SUMMARY, name="reference.docx")
    reference.styles["Title"].font.size = Pt(30)
    section = reference.sections[0]
    section.page_width, section.page_height = section.page_height, section.page_width  # landscape
    reference.add_paragraph("Text of the reference that must not be carried over")
    given = bundled / "house-style.docx"
    reference.save(str(given))
    doc = _render(run, bundled, *SUMMARY, "--reference-docx", str(given))
    assert doc.styles["Title"].font.size == Pt(30)
    assert round(doc.sections[0].page_width.mm) == 297
    assert "Text of the reference that must not be carried over" not in [p.text for p in doc.paragraphs]
    assert [p.text for p in doc.paragraphs].count("Summary List of Actions") == 1
    # The repository's own templates/reference.docx is used without being named.
    (bundled / "templates").mkdir()
    given.rename(bundled / "templates" / "reference.docx")
    assert _render(run, bundled, *PROBATION).styles["Title"].font.size == Pt(30)


def test_a_reference_without_a_needed_style_is_a_clear_error(bundled, run):
    reference = docx.Document()
    reference.styles["List Bullet"].delete()
    given = bundled / "plain.docx"
    reference.save(str(given))
    done = run(bundled, *SUMMARY, "--format", "docx", "--reference-docx", str(given), "-o", str(bundled / "x.docx"))
    assert done.exit_code == 1
    assert done.stderr.startswith(f"error: {given}: the reference document has no 'List Bullet' style")
    assert "hint: restyle a document tracker wrote" in done.stderr
    assert not (bundled / "x.docx").exists()
    (bundled / "notes.docx").write_text("not a Word document", encoding="utf-8")
    done = run(bundled, *SUMMARY, "--format", "docx", "--reference-docx", str(bundled / "notes.docx"), "-o",
               str(bundled / "x.docx"))
    assert done.exit_code == 1 and "cannot read as a Word document" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [SUMMARY, PROBATION])
def test_word_is_never_printed(bundled, run, args):
    for extra in ((), ("-o", "-")):
        done = run(bundled, *args, "--format", "docx", *extra)
        assert done.exit_code == 2
        assert "give -o FILE.docx" in done.stderr and done.stdout == ""


def test_a_markdown_template_with_word_is_refused(bundled, run):
    done = run(bundled, *PROBATION, "--template", "lewisham", "--format", "docx", "-o", str(bundled / "x.docx"))
    assert done.exit_code == 2 and "--reference-docx" in done.stderr


def test_text_xml_cannot_hold_is_left_out(bundled, run):
    path = next(bundled.glob("records/**/pcc-2023-03-22-6a.yaml"))
    text = path.read_text(encoding="utf-8")
    start, end = text.index("text: >-"), text.index("status: ")
    path.write_text(text[:start] + 'text: "A bell\\a and <b>tags</b> & more"\n' + text[end:], encoding="utf-8")
    assert "U+0007" in run(bundled, "validate").stdout  # validation refuses it; a record built without it:
    doc = _pack("A bell\a and <b>tags</b> & more", "Title")
    assert doc.tables[0].rows[1].cells[3].text == "A bell and <b>tags</b> & more"


def _pack(text: str, title: str) -> docx.document.Document:
    from tracker.publish import word
    from tracker.publish.render import action_cells, standing_cells, table

    row = {"item": "6", "item_title": title, "responsible": "MPS", "text": text, "status_text": "Ongoing.",
           "title": title, "standing_status": text, "deadline": "N/A"}
    context = {"committee": {"name": "Police and Crime Committee", "body": ""}, "title": "Summary List of Actions",
               "intro": "", "as_of": "24 May 2023", "as_of_iso": "2023-05-24", "source": "uncommitted records",
               "meetings": [{"heading": "Actions Arising from the Meeting Held on 22 March 2023",
                             "table": table(ACTION_COLUMNS, [action_cells(row)])}],
               "standing": [row], "standing_table": table(STANDING_COLUMNS, [standing_cells(row)])}
    return docx.Document(io.BytesIO(word.summary_list(context)))


@settings(max_examples=40, deadline=None)
@given(st.text(), st.text())
def test_any_record_text_makes_a_document_that_reads_back(text, title):
    doc = _pack(text, title)
    assert len(doc.tables) == 2 and len(doc.tables[0].rows) == 2 and len(doc.tables[1].rows) == 2


# Text without Markdown's marks (bullets, "1." numbering, emphasis, escapes) comes out word for word.
PLAIN = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="*_\\-+•.)"), min_size=1)


@settings(max_examples=40, deadline=None)
@given(PLAIN)
def test_plain_text_comes_out_word_for_word(text):
    shown = _pack(text, "Subject").tables[0].rows[1].cells[3]
    assert " ".join(" ".join(p.text for p in shown.paragraphs).split()) == " ".join(text.split())
