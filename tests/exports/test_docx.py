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

from consult.exports.document import AppendixGoal
from consult.exports.document import Memo
from consult.exports.document import MemoAnswer
from consult.exports.document import MemoArea
from consult.exports.document import MemoChange
from consult.exports.document import MemoComment
from consult.exports.document import MemoFigure
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput
from consult.exports.document import MemoParty
from consult.exports.document import MemoPoint
from consult.exports.document import MemoReply
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
    "responses": "Hovedpunkter og svar",
    "inputs_count": "{n} input",
    "position": "Holdning",
    "count": "Antal",
    "share": "Andel",
    "chart_alt": "Søjlediagram over holdninger fordelt på respondentgrupper",
    "wording": "Forslag til formulering",
    "main_points": "Hovedpunkter",
    "reply": "Sekretariatets svar",
    "replies": "Svar på enkelte input",
    "disposition": "Behandling",
    "reason": "Begrundelse",
    "changed": "Ændret i udkastet",
    "no_theme_reply": "Temaet er endnu ikke besvaret.",
    "no_input": "Der kom ingen input.",
    "general": "Generelle bemærkninger og høringsbreve",
    "changes": "Ændringer i udkastet",
    "before": "Før",
    "after": "Efter",
    "no_changes": "Udkastet er ikke ændret.",
    "page": "Side",
    "appendix": "Bilag: Alle input",
    "appendix_note": "Alle input, grupperet efter tema.",
    "comments_appendix": "Bilag: Generelle bemærkninger",
    "letters_appendix": "Bilag: Høringsbreve",
    "no_letters": "Ingen høringsbreve.",
    "no_comments": "Ingen generelle bemærkninger.",
    "comment_more": "(fortsættes i bilaget)",
    "approvals": "Godkendelse",
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
        points=[
            MemoPoint(
                "Tandpleje",
                2,
                "2 input: 1 person, 1 organisation",
                MemoAnswer(
                    "Tak for input. Vi retter teksten.",
                    "Indarbejdet",
                    change=f"Målet nævner nu tandpleje. {NASTY}",
                ),
            ),
            MemoPoint("Senge", 2, "2 input: 2 personer"),
        ],
        replies=[
            MemoReply(
                "Svar på 2 input (Kampagne: Flere psykiatriske senge)",
                MemoAnswer(
                    "Regionen har noteret ønsket.",
                    "Ikke indarbejdet",
                    reason="Det ligger uden for aftalen.",
                    state="Udkast",
                ),
            )
        ],
        notes=["Endnu ikke besvaret: 1 input."],
    )
    quiet = MemoGoal("Bedre overgange", "Indsats", 0, [], "", None, notes=["Der kom ingen input."])
    partly = MemoGoal("Sundhedsklynger", "Mål", 5, figures, "", None, notes=["Ingen temaer endnu."])
    appendix = [
        AppendixGoal(
            "Sammenhæng for borgeren",
            "Flere skal have en tandlæge & <b>læge</b>",
            "Mål",
            3,
            quotes=[
                (
                    "Tandpleje",
                    MemoInput(
                        text=f"Første afsnit {NASTY}\r\n\r\nAndet afsnit\nmed linjeskift",
                        wording="Skriv »alle borgere« i stedet",
                        stance="Jeg støtter målet",
                        who="Borger",
                    ),
                ),
                ("Senge", MemoInput("Flere senge nu!", "", "Jeg støtter ikke målet", "Borger")),
                ("Uden tema", MemoInput("", "", "", "Borger", "Afventer moderation.")),
            ],
        ),
        AppendixGoal("Sammenhæng for borgeren", "Bedre overgange", "Indsats", 0),
        AppendixGoal(
            "Psykiatri", "Sundhedsklynger", "Mål", 5, not_listed=5, note="5 input er ikke vist."
        ),
    ]
    memo = Memo(
        kind="Høringsnotat",
        title="Sundhedsaftale 2027–2030",
        lang="da",
        intro=[f"Høringen løb fra 1. til 30. oktober. {NASTY}", "Der kom 62 svar."],
        parties=[
            MemoParty("Ældre Sagen", answered=False),
            MemoParty(
                "danske Patienter",
                answered=True,
                summary="4 input: 3 støtter, 1 imod",
                comment="Vi bakker op om aftalen …",
                comment_cut=True,
                letter="Høringsbrev vedlagt: svar.pdf",
            ),
            MemoParty("Alzheimerforeningen", answered=True, summary="0 input"),
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
        general=["2 generelle bemærkninger citeres i bilaget."],
        letters=["Danske Patienter: svar.pdf"],
        appendix=appendix,
        comments=[MemoComment("Patientforening: Danske Patienter", "Vi bakker op om aftalen.")],
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
        ("Heading 1", "Hovedpunkter og svar"),
        ("Heading 2", "Sammenhæng for borgeren"),
        ("Heading 3", "Mål: Flere skal have en tandlæge & <b>læge</b>"),
        ("Heading 4", "Hovedpunkter"),
        ("Heading 4", "Svar på enkelte input"),
        ("Heading 3", "Indsats: Bedre overgange"),
        ("Heading 2", "Psykiatri"),
        ("Heading 3", "Mål: Sundhedsklynger"),
        ("Heading 1", "Generelle bemærkninger og høringsbreve"),
        ("Heading 1", "Ændringer i udkastet"),
        ("Heading 1", "Bilag: Alle input"),
        ("Heading 2", "Sammenhæng for borgeren"),
        ("Heading 3", "Mål: Flere skal have en tandlæge & <b>læge</b>"),
        ("Heading 4", "Tandpleje"),
        ("Heading 4", "Senge"),
        ("Heading 4", "Uden tema"),
        ("Heading 3", "Indsats: Bedre overgange"),
        ("Heading 2", "Psykiatri"),
        ("Heading 3", "Mål: Sundhedsklynger"),
        ("Heading 1", "Bilag: Generelle bemærkninger"),
        ("Heading 1", "Bilag: Høringsbreve"),
    ]
    assert document.core_properties.title == "Sundhedsaftale 2027–2030"
    assert document.core_properties.language == "da-DK"


def test_contents_is_a_toc_field_listing_the_headings():
    data = render(make_memo())
    body = part(data, "word/document.xml")
    assert 'TOC \\o "1-3" \\h \\z \\u' in body
    document = docx.Document(BytesIO(data))
    entries = [p.text for p in document.paragraphs if p.style.name.startswith("toc ")]
    assert entries[:3] == ["Indledning", "Høringsparter", "Hovedpunkter og svar"]
    # Levels 1-3, the appendix's too (its themes, level 4, are not listed).
    assert len(entries) == 18
    assert entries[-1] == "Bilag: Høringsbreve"
    # Every entry links to a bookmark that exists, once.
    anchors = re.findall(r'w:anchor="(_Toc\d+)"', body)
    names = re.findall(r'w:bookmarkStart w:id="\d+" w:name="(_Toc\d+)"', body)
    assert len(anchors) == 18 and sorted(anchors) == sorted(names)
    # The field's result sits between its separate and end: every entry is inside it.
    fld = re.findall(r'fldCharType="(\w+)"', body)
    assert fld == ["begin", "separate", "end"]
    assert body.index('fldCharType="separate"') < body.index(">Indledning<")
    assert body.index(">Bilag: Høringsbreve<") < body.index('fldCharType="end"')
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


def test_parties_follow_the_list_each_summed_up():
    data = render(make_memo())
    document = docx.Document(BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    at = next(
        i
        for i, p in enumerate(document.paragraphs)
        if p.style.name == "Heading 1" and p.text == "Høringsparter"
    )
    assert paragraphs[at + 2 : at + 7] == [
        "Ældre Sagen – Har ikke svaret",
        "danske Patienter – Har svaret. 4 input: 3 støtter, 1 imod",
        "Vi bakker op om aftalen … (fortsættes i bilaget)",
        "Høringsbrev vedlagt: svar.pdf",
        "Alzheimerforeningen – Har svaret. 0 input",
    ]
    figures = docx.Document(BytesIO(data)).tables[0]
    assert [c.text for c in figures.rows[1].cells] == ["Jeg støtter målet", "42", "42 %"]


def test_texts_survive_and_control_characters_do_not():
    data = render(make_memo())
    body = part(data, "word/document.xml")
    assert "&lt;script&gt;" in body
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", body)
    paragraphs = [p.text for p in docx.Document(BytesIO(data)).paragraphs]
    text = "\n".join(paragraphs)
    survivor = "Ctrlnulbellesc <script>alert(1)</script> & \"citat\" 'x' 😀 æøå ÆØÅ"
    assert text.count(survivor) == 4
    for expected in (
        "Andet afsnit\nmed linjeskift",
        "Forslag til formulering: Skriv »alle borgere« i stedet",
        "Tandpleje – 2 input: 1 person, 1 organisation",
        "Sekretariatets svar: Tak for input. Vi retter teksten.",
        "Behandling: Indarbejdet",
        "Ændret i udkastet: Målet nævner nu tandpleje.",
        "Senge – 2 input: 2 personer\nTemaet er endnu ikke besvaret.",
        "Svar på 2 input (Kampagne: Flere psykiatriske senge)",
        "Behandling: Ikke indarbejdet (Udkast)",
        "Begrundelse: Det ligger uden for aftalen.",
        "Endnu ikke besvaret: 1 input.",
        "Der kom ingen input.",
        "Ingen temaer endnu.",
        "5 input er ikke vist.",
        "Før: Gammel tekst",
        "Danske Patienter: svar.pdf",
        "Patientforening: Danske Patienter",
        "Afventer moderation.",
        "3 input. Vigtighed: 4,1 i gennemsnit, median 4 (68 svar)",
    ):
        assert expected in text, expected
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


def test_a_large_appendix_streams_in_order():
    def quotes():
        for i in range(20_000):
            yield (f"Tema {i // 5000}", MemoInput(f"Input nummer {i}", "", "", "Borger"))

    goal = MemoGoal("Stort mål", "Mål", 20_000, [], "", None)
    data = render(
        make_memo(
            areas=[MemoArea("Alt", [goal])],
            appendix=[AppendixGoal("Alt", "Stort mål", "Mål", 20_000, quotes=quotes())],
        )
    )
    text = part(data, "word/document.xml")
    assert text.count("Input nummer ") == 20_000
    assert text.index("Input nummer 4999<") < text.index(">Tema 1<") < text.index("nummer 5000<")
    # Still a document python-docx (and so Word) reads, with the section properties last.
    document = docx.Document(BytesIO(data))
    assert round(document.sections[0].page_width.cm) == 21
    assert [p.text for p in document.paragraphs[-4:]] == [
        "Vi bakker op om aftalen.",
        "Patientforening: Danske Patienter",
        "Bilag: Høringsbreve",
        "Danske Patienter: svar.pdf",
    ]


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
    assert "Bilag: Alle input" in text and "Flere senge nu!" in text
