"""The høringsnotat as Word: structure, fields, chart, robust text, and LibreOffice opens it."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader

from consult.exports.document import Memo
from consult.exports.document import MemoArea
from consult.exports.document import MemoBlock
from consult.exports.document import MemoChange
from consult.exports.document import MemoFigure
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput
from consult.exports.document import MemoParty
from consult.exports.docx import clean
from consult.exports.docx import render_docx
from tests.helpers import libreoffice_convert

WORDS = {
    "contents": "Indhold",
    "introduction": "Indledning",
    "parties": "Høringsparter",
    "parties_note": "Høringen blev sendt til disse organisationer.",
    "no_parties": "Høringen blev ikke sendt til nogen organisationer.",
    "answered": "Har svaret",
    "not_answered": "Har ikke svaret",
    "responses": "Høringssvar og bemærkninger",
    "inputs_count": "{n} input",
    "position": "Holdning",
    "count": "Antal",
    "share": "Andel",
    "chart_alt": "Søjlediagram over holdninger fordelt på respondentgrupper",
    "wording": "Forslag til formulering",
    "reply": "Bemærkning",
    "disposition": "Behandling",
    "reason": "Begrundelse",
    "no_reply": "Der er endnu ikke svaret.",
    "answers_inputs": "Bemærkningen svarer på {n} input",
    "not_shown": "{n} input er ikke vist.",
    "no_input": "Der kom ingen input.",
    "changes": "Ændringer i udkastet",
    "before": "Før",
    "after": "Efter",
    "no_changes": "Udkastet er ikke ændret.",
    "page": "Side",
}

NASTY = "Ctrl\x00nul\x07bell\x1besc <script>alert(1)</script> & \"citat\" 'x' 😀 æøå ÆØÅ"


def png(width: int = 2400, height: int = 900) -> bytes:
    """Return a PNG 16 cm wide at 150 dpi, like the memo's charts (PIL writes the pHYs chunk)."""
    buffer = BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


def make_memo(**changes) -> Memo:
    figures = [
        MemoFigure("Jeg støtter målet", 42, 0.42),
        MemoFigure("Jeg støtter ikke målet", 58, 0.58),
    ]
    first = MemoGoal(
        title="Flere skal have en tandlæge & <b>læge</b>",
        kind="Mål",
        inputs=3,
        figures=figures,
        importance="Vigtighed: 4,1 i gennemsnit, median 4 (68 svar)",
        chart_png=png(),
        blocks=[
            MemoBlock(
                inputs=[
                    MemoInput(
                        text=f"Første afsnit {NASTY}\r\n\r\nAndet afsnit\nmed linjeskift",
                        wording="Skriv »alle borgere« i stedet",
                        stance="Jeg støtter målet",
                        who="Borger",
                    )
                ],
                reply="Tak for input. Vi retter teksten.",
                disposition="Indarbejdet",
            ),
            MemoBlock(
                inputs=[
                    MemoInput("Flere senge nu!", "", "Jeg støtter ikke målet", "Borger"),
                    MemoInput("Flere senge nu!", "", "Jeg støtter ikke målet", "Borger"),
                ],
                reply="Regionen har noteret ønsket.",
                disposition="Ikke indarbejdet",
                reason="Det ligger uden for aftalen.",
                campaign="Kampagne: Flere psykiatriske senge",
            ),
            MemoBlock(
                inputs=[MemoInput("Uden svar endnu", "", "", "Patientforening: Danske Patienter")]
            ),
        ],
    )
    quiet = MemoGoal("Bedre overgange", "Indsats", 0, [], "", None)
    partly = MemoGoal("Sundhedsklynger", "Mål", 5, figures, "", None, blocks=[], not_shown=5)
    memo = Memo(
        kind="Høringsnotat",
        title="Sundhedsaftale 2027–2030",
        lang="da",
        intro=[f"Høringen løb fra 1. til 30. oktober. {NASTY}", "Der kom 62 svar."],
        parties=[
            MemoParty("Ældre Sagen", answered=False),
            MemoParty("danske Patienter", answered=True),
            MemoParty("Alzheimerforeningen", answered=True),
        ],
        areas=[
            MemoArea("Sammenhæng for borgeren", [first, quiet]),
            MemoArea("Psykiatri", [partly]),
        ],
        changes=[
            MemoChange("Mål 2", "Ændret", before="Gammel tekst", after=f"Ny tekst {NASTY}"),
            MemoChange("Mål 7", "Tilføjet", after="Helt ny"),
        ],
        words=WORDS,
        date="23. november 2026",
    )
    for name, value in changes.items():
        setattr(memo, name, value)
    return memo


def render(memo: Memo) -> bytes:
    out = BytesIO()
    render_docx(memo, out)
    return out.getvalue()


def part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return archive.read(name).decode()


def test_clean_keeps_what_xml_allows():
    assert clean("a\x00b\x07c\x1bd\x0be\ufffef\ud800g") == "abcdefg"
    assert clean("tab\tnew\nline\r\nmac\rend") == "tab\tnew\nline\nmac\nend"
    assert clean("<&>\"' 😀 æøå") == "<&>\"' 😀 æøå"


def test_headings_are_word_headings_in_order():
    document = docx.Document(BytesIO(render(make_memo())))
    headings = [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]
    assert headings == [
        ("Title", "Høringsnotat"),
        ("Title", "Sundhedsaftale 2027–2030"),
        ("Heading 1", "Indledning"),
        ("Heading 1", "Høringsparter"),
        ("Heading 1", "Høringssvar og bemærkninger"),
        ("Heading 2", "Sammenhæng for borgeren"),
        ("Heading 3", "Mål: Flere skal have en tandlæge & <b>læge</b>"),
        ("Heading 3", "Indsats: Bedre overgange"),
        ("Heading 2", "Psykiatri"),
        ("Heading 3", "Mål: Sundhedsklynger"),
        ("Heading 1", "Ændringer i udkastet"),
    ]
    assert document.core_properties.title == "Sundhedsaftale 2027–2030"
    assert document.core_properties.language == "da-DK"


def test_contents_is_a_toc_field_listing_the_headings():
    data = render(make_memo())
    body = part(data, "word/document.xml")
    assert 'TOC \\o "1-3" \\h \\z \\u' in body
    document = docx.Document(BytesIO(data))
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
    assert entries[:3] == ["Indledning", "Høringsparter", "Høringssvar og bemærkninger"]
    assert len(entries) == 9
    # The field's result sits between its separate and end: every entry is inside it.
    fld = re.findall(r'fldCharType="(\w+)"', body)
    assert fld == ["begin", "separate", "end"]
    assert body.index('fldCharType="separate"') < body.index(">Indledning<")
    assert body.index(">Ændringer i udkastet<") < body.index('fldCharType="end"')
    assert '<w:updateFields w:val="true"/>' in part(data, "word/settings.xml")


def test_document_language_follows_the_memo():
    assert 'w:lang w:val="da-DK"' in part(render(make_memo()), "word/styles.xml")
    assert 'w:lang w:val="en-GB"' in part(render(make_memo(lang="en")), "word/styles.xml")


def test_footer_numbers_every_page():
    document = docx.Document(BytesIO(render(make_memo())))
    section = document.sections[0]
    assert not section.different_first_page_header_footer
    footer = section.footer._element
    instructions = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert "Side" in "".join(t.text for t in footer.iter(qn("w:t")))


def test_chart_is_a_picture_at_most_text_wide_with_alt_text():
    document = docx.Document(BytesIO(render(make_memo())))
    (shape,) = document.inline_shapes
    assert shape.width == docx.shared.Cm(16)
    assert shape.height == docx.shared.Cm(6)
    assert shape._inline.docPr.get("descr") == WORDS["chart_alt"]


def test_a_small_chart_keeps_its_natural_size():
    memo = make_memo()
    memo.areas[0].goals[0].chart_png = png(300, 150)
    (shape,) = docx.Document(BytesIO(render(memo))).inline_shapes
    assert shape.width == docx.shared.Cm(300 / 150 * 2.54)


def test_parties_are_sorted_and_marked():
    document = docx.Document(BytesIO(render(make_memo())))
    parties = document.tables[0]
    assert [[c.text for c in row.cells] for row in parties.rows] == [
        ["Alzheimerforeningen", "Har svaret"],
        ["danske Patienter", "Har svaret"],
        ["Ældre Sagen", "Har ikke svaret"],
    ]
    figures = document.tables[1]
    assert [c.text for c in figures.rows[1].cells] == ["Jeg støtter målet", "42", "42 %"]


def test_texts_survive_and_control_characters_do_not():
    data = render(make_memo())
    body = part(data, "word/document.xml")
    assert "&lt;script&gt;" in body
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", body)
    paragraphs = [p.text for p in docx.Document(BytesIO(data)).paragraphs]
    text = "\n".join(paragraphs)
    survivor = "Ctrlnulbellesc <script>alert(1)</script> & \"citat\" 'x' 😀 æøå ÆØÅ"
    assert text.count(survivor) == 3
    for expected in (
        "Andet afsnit\nmed linjeskift",
        "Forslag til formulering: Skriv »alle borgere« i stedet",
        "Bemærkning: Tak for input. Vi retter teksten.",
        "Behandling: Ikke indarbejdet",
        "Begrundelse: Det ligger uden for aftalen.",
        "Kampagne: Flere psykiatriske senge",
        "Bemærkningen svarer på 2 input",
        "Der er endnu ikke svaret.",
        "Der kom ingen input.",
        "5 input er ikke vist.",
        "Før: Gammel tekst",
        "Patientforening: Danske Patienter",
        "Vigtighed: 4,1 i gennemsnit, median 4 (68 svar)",
    ):
        assert expected in text
    # A blank line separates paragraphs; a single newline is a line break within one.
    assert "Andet afsnit\nmed linjeskift" in paragraphs
    assert f"Jeg støtter målet\nFørste afsnit {survivor}" in paragraphs


def test_empty_sections_say_so():
    text = "\n".join(
        p.text for p in docx.Document(BytesIO(render(make_memo(parties=[], changes=[])))).paragraphs
    )
    assert WORDS["no_parties"] in text
    assert WORDS["parties_note"] not in text
    assert WORDS["no_changes"] in text


def test_a_large_memo_renders():
    inputs = [
        MemoInput(f"Input nummer {i}", "", "Jeg støtter målet", "Borger") for i in range(2000)
    ]
    blocks = [MemoBlock(inputs[i : i + 4], reply=f"Svar {i}") for i in range(0, 2000, 4)]
    goal = MemoGoal("Stort mål", "Mål", 2000, [], "", None, blocks)
    data = render(make_memo(areas=[MemoArea("Alt", [goal])]))
    text = part(data, "word/document.xml")
    assert "Input nummer 1999" in text
    assert text.count("Svar 1996") == 1


@pytest.mark.only_on("sqlite")  # LibreOffice: the file, not the SQL
def test_libreoffice_converts_it_to_pdf(tmp_path: Path):
    source = tmp_path / "memo.docx"
    source.write_bytes(render(make_memo()))
    result = libreoffice_convert(source, "pdf", tmp_path)
    pdf = tmp_path / "memo.pdf"
    assert pdf.exists(), result.stdout + result.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Sundhedsaftale" in text
    assert "Høringsparter" in text
    # The contents list the headings before Word (or LibreOffice) updates the field.
    assert text.count("Ændringer i udkastet") >= 2
