import io
import re

import pytest
from pypdf import PdfReader

from consult.analysis.charts import bar_chart
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
from consult.exports.pdf import _plain
from consult.exports.pdf import render_pdf

WORDS = {
    "contents": "Indhold",
    "introduction": "Indledning",
    "parties": "Høringsparter",
    "parties_note": "Organisationer på høringslisten, og om de har svaret.",
    "no_parties": "Ingen høringsparter.",
    "answered": "Har svaret",
    "not_answered": "Har ikke svaret",
    "responses": "Høringssvar",
    "inputs_count": "{n} input",
    "position": "Holdning",
    "count": "Antal",
    "share": "Andel",
    "wording": "Formulering:",
    "main_points": "Hovedpunkter",
    "reply": "Svar",
    "replies": "Svar på enkelte input",
    "disposition": "Behandling",
    "reason": "Begrundelse",
    "changed": "Ændret",
    "no_theme_reply": "Temaet er endnu ikke besvaret.",
    "no_input": "Ingen input til dette mål.",
    "general": "Generelle bemærkninger og høringsbreve",
    "appendix": "Bilag: Alle input",
    "appendix_note": "Alle input, efter tema.",
    "comments_appendix": "Bilag: Generelle bemærkninger",
    "letters_appendix": "Bilag: Høringsbreve",
    "no_letters": "Ingen høringsbreve.",
    "no_comments": "Ingen generelle bemærkninger.",
    "comment_more": "(fortsættes i bilaget)",
    "changes": "Ændringer",
    "before": "Før:",
    "after": "Efter:",
    "no_changes": "Ingen ændringer.",
    "page": "Side",
}

#: Not in DejaVu Sans: must come out as "�" rather than break the rendering.
UNICORN = "\U0001f984"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def make_input(text, who="Borger", stance="Jeg støtter målet", wording=""):
    return MemoInput(text=text, wording=wording, stance=stance, who=who)


def make_memo(**changes):
    chart = bar_chart(
        [("Borgere", 12), ("Kommuner", 5), ("Patientforeninger", 3)],
        title="Holdning fordelt på afsender",
        fmt="png",
    )
    figures = [
        MemoFigure("Jeg støtter målet", 42, 0.42),
        MemoFigure("Jeg støtter delvist målet", 33, 0.33),
        MemoFigure("Jeg støtter ikke målet", 25, 0.25),
    ]
    mental_health = MemoGoal(
        title="Flere skal have hjælp i tide",
        kind="Mål",
        inputs=100,
        figures=figures,
        importance="Vigtighed: 4,1 i gennemsnit, median 4 (68 svar)",
        chart_png=chart,
        points=[
            MemoPoint(
                "Senge",
                2,
                "2 input: 1 person, 1 organisation",
                MemoAnswer(
                    "Tak for jeres svar. Vi har skrevet sengene ind i aftalen.",
                    "Indarbejdet",
                    change="Regionen opretter 20 senge.",
                ),
            ),
            MemoPoint("Ventetid", 1, "1 input: 1 person"),
        ],
        replies=[
            MemoReply(
                "Svar på 1 input",
                MemoAnswer(
                    "Det tager vi til efterretning.",
                    "Ikke indarbejdet",
                    reason="Det ligger uden for aftalen.",
                ),
            )
        ],
        notes=["Endnu ikke besvaret: 1 input.", "7 input er ikke vist."],
    )
    appendix = [
        AppendixGoal(
            "Psykiatri",
            "Flere skal have hjælp i tide",
            "Mål",
            3,
            quotes=[
                ("Senge", make_input("Vi ønsker flere senge.\x00 Nu!", who="Borger")),
                ("Senge", make_input("Flere senge – tak.", who="Patientforening: SIND")),
                (
                    "Uden tema",
                    make_input(
                        "<script>alert(1)</script> og a & b < c\nNy linje med <b>fed</b>",
                        stance="",
                        wording="“Regionen vil …”",
                    ),
                ),
                ("Uden tema", make_input(f"Æbler, øl og ål {UNICORN} «godt» 👍🏽", who="")),
            ],
        ),
        AppendixGoal("Ældre & kronikere", "Sammenhængende forløb", "Indsats", 0),
    ]
    empty_goal = MemoGoal(
        title="Sammenhængende forløb",
        kind="Indsats",
        inputs=0,
        figures=[],
        importance="",
        chart_png=None,
    )
    defaults = {
        "kind": "Det hørte vi – og det gjorde vi",
        "title": "Sundhedsaftale 2027–2030 for Region Midtjylland",
        "lang": "da",
        "intro": ["Høringen løb fra 1. september til 31. oktober 2026.\nDer kom 100 svar."],
        "parties": [
            MemoParty("Aarhus Kommune", answered=True, summary="3 input: 3 støtter"),
            MemoParty(
                "Danske Patienter",
                answered=True,
                comment="Vi støtter aftalen …",
                comment_cut=True,
                letter="Høringsbrev vedlagt: svar.pdf",
            ),
            MemoParty("ældre Sagen", answered=False),
        ],
        "areas": [
            MemoArea("Psykiatri", [mental_health]),
            MemoArea("Ældre & kronikere", [empty_goal]),
        ],
        "changes": [
            MemoChange(
                title="Flere senge",
                what="Ændret",
                before="Regionen vil undersøge behovet.",
                after="Regionen opretter 20 senge.",
            ),
        ],
        "words": WORDS,
        "date": "23. november 2026",
        "general": ["1 generel bemærkning citeres i bilaget."],
        "letters": ["Danske Patienter: svar.pdf"],
        "appendix": appendix,
        "comments": [MemoComment("Patientforening: Danske Patienter", "Vi støtter aftalen.")],
    }
    return Memo(**(defaults | changes))


def render(memo):
    out = io.BytesIO()
    render_pdf(memo, out)
    return out.getvalue()


def pdf_text(data):
    """Return the reader and each page's text, its white space collapsed (lines wrap)."""
    reader = PdfReader(io.BytesIO(data))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def outline_titles(outline):
    for entry in outline:
        if isinstance(entry, list):
            yield from outline_titles(entry)
        else:
            yield entry.title


@pytest.fixture(scope="module")
def rendered():
    data = render(make_memo())
    reader, pages = pdf_text(data)
    return data, reader, pages


def test_renders_a_pdf_with_its_texts(rendered):
    data, reader, pages = rendered
    assert data.startswith(b"%PDF")
    text = " ".join(pages)
    for expected in (
        "Sundhedsaftale 2027–2030 for Region Midtjylland",
        "DET HØRTE VI – OG DET GJORDE VI",
        "23. november 2026",
        "Indhold",
        "Indledning",
        "Høringsparter",
        "Psykiatri",
        "Ældre & kronikere",
        "Mål: Flere skal have hjælp i tide",
        "Indsats: Sammenhængende forløb",
        "Senge – 2 input: 1 person, 1 organisation",
        "Svar: Tak for jeres svar.",
        "Behandling: Indarbejdet",
        "Ændret: Regionen opretter 20 senge.",
        "Temaet er endnu ikke besvaret.",
        "Svar på 1 input",
        "Begrundelse: Det ligger uden for aftalen.",
        "Endnu ikke besvaret: 1 input.",
        "7 input er ikke vist.",
        "Aarhus Kommune – Har svaret. 3 input: 3 støtter",
        "Vi støtter aftalen … (fortsættes i bilaget)",
        "Høringsbrev vedlagt: svar.pdf",
        "Bilag: Alle input",
        "Bilag: Generelle bemærkninger",
        "Bilag: Høringsbreve",
        "Danske Patienter: svar.pdf",
        "Ingen input til dette mål.",
        "100 input",
        "Vigtighed: 4,1",
        "42 %",
        "Ændringer",
        "Før: Regionen vil undersøge behovet.",
        "Efter: Regionen opretter 20 senge.",
        "Formulering: “Regionen vil …”",
    ):
        assert expected in text, expected


def test_user_text_is_literal_not_markup(rendered):
    text = " ".join(rendered[2])
    assert "<script>alert(1)</script> og a & b < c" in text
    assert "Ny linje med <b>fed</b>" in text
    assert "Æbler, øl og ål" in text
    assert "«godt»" in text


def test_no_control_characters_and_missing_glyphs_replaced(rendered):
    text = " ".join(rendered[2])
    assert not CONTROL.search(text)
    assert "Vi ønsker flere senge. Nu!" in text
    assert UNICORN not in text
    assert "ål \ufffd «godt» \ufffd" in text


def test_parties_keep_the_order_of_the_list(rendered):
    text = " ".join(rendered[2])
    at = text.index("Organisationer på høringslisten")
    positions = [text.index(name, at) for name in ("Aarhus", "Danske Patienter", "ældre Sagen")]
    assert positions == sorted(positions)
    assert "ældre Sagen – Har ikke svaret" in text


def test_outline_and_contents_list_the_headings(rendered):
    _, reader, pages = rendered
    titles = list(outline_titles(reader.outline))
    assert titles[:2] == ["Indhold", "Indledning"]
    for heading in (
        "Høringsparter",
        "Høringssvar",
        "Psykiatri",
        "Mål: Flere skal have hjælp i tide",
        "Ældre & kronikere",
        "Ændringer",
        "Flere senge",
    ):
        assert heading in titles
    # The table of contents on the first page names the headings with their pages.
    assert "Mål: Flere skal have hjælp i tide" in pages[0]
    assert "Ældre & kronikere" in pages[0]


def test_pages_metadata_and_footer(rendered):
    _, reader, pages = rendered
    assert len(pages) >= 2
    assert "Side 1" in pages[0]
    assert "Side 2" in pages[1]
    assert reader.metadata.title == "Sundhedsaftale 2027–2030 for Region Midtjylland"
    assert reader.metadata.author == "Consult"
    assert reader.metadata.subject == "Det hørte vi – og det gjorde vi"
    assert reader.trailer["/Root"]["/Lang"] == "da"


def test_without_parties_and_changes():
    memo = make_memo(parties=[], changes=[], areas=[], intro=[])
    text = " ".join(pdf_text(render(memo))[1])
    assert "Ingen høringsparter." in text
    assert "Ingen ændringer." in text


def test_heading_with_markup_characters_in_contents():
    goal = MemoGoal(
        title="<i>Bedre</i> & hurtigere", kind="Mål", inputs=0, figures=[], importance="",
        chart_png=None,
    )  # fmt: skip
    memo = make_memo(areas=[MemoArea("A < B", [goal])])
    reader, pages = pdf_text(render(memo))
    assert "Mål: <i>Bedre</i> & hurtigere" in pages[0]
    assert "A < B" in list(outline_titles(reader.outline))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\x00b\x1fc\x7f", "abc"),
        ("linje\r\nlinje\rlinje\u2028x", "linje\nlinje\nlinje\nx"),
        ("tab\there", "tab here"),
        (f"{UNICORN}\u200d{UNICORN}\ufe0f!", "\ufffd!"),
        ("højre\u200etil", "højre\u200etil"),
        ("\ud800", "\ufffd"),
    ],
)
def test_plain_text(text, expected):
    assert _plain(text) == expected


def test_chart_is_embedded_as_an_image(rendered):
    _, reader, _ = rendered
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 1
    # 16 cm at 150 dpi, drawn at its natural size: the frame (17 cm) is wide enough.
    assert images[0].image.width == pytest.approx(16 / 2.54 * 150, abs=2)


def test_long_texts_flow_over_pages():
    long_input = make_input("Meget lang tekst. " * 2000 + "x" * 3000)
    goal = MemoGoal(
        title="Langt mål " * 30,
        kind="Mål",
        inputs=1,
        figures=[],
        importance="",
        chart_png=None,
        replies=[MemoReply("Svar på 1 input", MemoAnswer("Kort svar."))],
    )
    memo = make_memo(
        intro=["Indledning. " * 600],
        areas=[MemoArea("Område", [goal])],
        appendix=[AppendixGoal("Område", "Langt mål", "Mål", 1, quotes=[("Tema", long_input)])],
        comments=[],
    )
    reader, pages = pdf_text(render(memo))
    assert len(pages) > 5
    assert "Svar: Kort svar." in " ".join(pages)
    assert "xxxxxxxx" in pages[-2] + pages[-1]
    assert f"Side {len(pages)}" in pages[-1]
    assert "Mål: Langt mål" in " ".join(outline_titles(reader.outline))


def test_heading_longer_than_a_page_is_split_and_keeps_its_bookmark():
    area = MemoArea("Område " * 2500 + "slut", [])
    reader, pages = pdf_text(render(make_memo(areas=[area])))
    assert "slut" in " ".join(pages)
    assert any(title.startswith("Område Område") for title in outline_titles(reader.outline))
