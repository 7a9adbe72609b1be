"""The høringsnotat and the public report as a PDF, drawn with reportlab's Platypus.

As accessible as reportlab allows: the document language and title are set (and viewers show
the title, not the file name), every heading is a bookmark in the outline and a linked entry in
the table of contents, the text is real text in an embedded Unicode font, each chart follows a
table with the same numbers, and colours keep at least 7:1 contrast. Reportlab's open-source
edition writes no structure tags, so the file is not PDF/UA.

Every text from the memo goes through ``_markup`` before it reaches a ``Paragraph``: control
characters are stripped, characters the font has no glyph for become "�", and ``& < >`` are
escaped, so user text can never be read as Platypus markup.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import unicodedata
from collections.abc import Iterator
from typing import IO
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate
from reportlab.platypus import Flowable
from reportlab.platypus import Frame
from reportlab.platypus import HRFlowable
from reportlab.platypus import Image
from reportlab.platypus import PageBreak
from reportlab.platypus import PageTemplate
from reportlab.platypus import Paragraph
from reportlab.platypus import Table
from reportlab.platypus import TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from consult.analysis.charts import danish_number
from consult.analysis.charts import danish_percent
from consult.exports.document import AppendixGoal
from consult.exports.document import Memo
from consult.exports.document import MemoAnswer
from consult.exports.document import MemoArea
from consult.exports.document import MemoChange
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput

FONT = "ConsultSans"
FONT_FILES = {
    FONT: "DejaVuSans.ttf",
    f"{FONT}-Bold": "DejaVuSans-Bold.ttf",
    f"{FONT}-Oblique": "DejaVuSans-Oblique.ttf",
    f"{FONT}-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
MARGIN = 20 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
FRAME_HEIGHT = A4[1] - 2 * MARGIN
INK = colors.HexColor("#1A1A1A")
#: Secondary text and the footer: 7:1 on white.
MUTED = colors.HexColor("#595959")
RULE = colors.HexColor("#BBBBBB")
SHADE = colors.HexColor("#F0F0F0")
#: The chart PNGs are drawn at this resolution unless the file says otherwise.
CHART_DPI = 150
REPLACEMENT = "\ufffd"
#: Headings longer than this are cut short in the contents and the outline.
MAX_LABEL = 200
#: Characters without a glyph that only modify their neighbours: dropped, not replaced.
_INVISIBLE = {"Cf", "Mn", "Me", "Sk"}
#: A run of replaced characters (an emoji sequence, say) becomes a single "�".
_REPLACED_RUN = re.compile(
    "\ufffd(?:[\u200c\u200d\ufe0e\ufe0f]*\ufffd)*[\u200c\u200d\ufe0e\ufe0f]*"
)
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029]")

_lock = threading.Lock()


class _CharMap(dict):
    """A ``str.translate`` table for the registered font, filled in one character at a time."""

    def __init__(self, covered: frozenset[int]) -> None:
        super().__init__()
        self.covered = covered
        self.replacement = REPLACEMENT if ord(REPLACEMENT) in covered else "?"

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        category = unicodedata.category(char)
        if char == "\n":
            result: str | None = char
        elif char == "\t":
            result = " "
        elif category == "Cc":
            result = None
        elif code in self.covered and category not in ("Cs", "Co", "Cn"):
            result = char
        elif category in _INVISIBLE:
            result = None
        else:
            result = self.replacement
        self[code] = result
        return result


@functools.cache
def _char_map() -> _CharMap:
    """Register the DejaVu Sans family once and return what it can draw."""
    with _lock:
        # Imported here, after consult.analysis.charts has pointed MPLCONFIGDIR somewhere writable.
        import matplotlib as mpl

        folder = f"{mpl.get_data_path()}/fonts/ttf"
        covered: set[int] | None = None
        for name, file in FONT_FILES.items():
            font = TTFont(name, f"{folder}/{file}")
            pdfmetrics.registerFont(font)
            codes = set(font.face.charToGlyph)
            covered = codes if covered is None else covered & codes
        pdfmetrics.registerFontFamily(
            FONT,
            normal=FONT,
            bold=f"{FONT}-Bold",
            italic=f"{FONT}-Oblique",
            boldItalic=f"{FONT}-BoldOblique",
        )
        return _CharMap(frozenset(covered or ()))


def _plain(text: str) -> str:
    """Return the text with control characters gone and glyph-less characters as "�"."""
    text = _LINE_BREAKS.sub("\n", text)
    if not (text.isascii() and text.isprintable()):
        text = text.translate(_char_map())
        if REPLACEMENT in text:
            text = _REPLACED_RUN.sub(REPLACEMENT, text)
    return text.strip()


def _markup(text: str) -> str:
    """Return the text as safe Platypus markup, its line breaks as ``<br/>``."""
    return escape(_plain(text)).replace("\n", "<br/>")


def _labelled(label: str, text: str) -> str:
    """Return "**label** text" as markup; the label is expected to end in a colon."""
    return f"<b>{_markup(label)}</b> {_markup(text)}"


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    """Return the paragraph styles, all in the registered font."""
    _char_map()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=10, leading=14, textColor=INK, spaceAfter=5
    )

    def style(name: str, **changes: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **changes)

    def heading(name: str, size: float, before: float) -> ParagraphStyle:
        return style(
            name,
            fontName=f"{FONT}-Bold",
            fontSize=size,
            leading=size * 1.3,
            spaceBefore=before,
            spaceAfter=6,
            keepWithNext=1,
        )

    return {
        "body": body,
        "kind": style("kind", fontSize=10, textColor=MUTED, spaceAfter=8),
        "title": style("title", fontName=f"{FONT}-Bold", fontSize=24, leading=30, spaceAfter=10),
        "date": style("date", fontSize=11, textColor=MUTED, spaceAfter=24),
        "h1": heading("h1", 17, 16),
        "h2": heading("h2", 14, 14),
        "h3": heading("h3", 11.5, 12),
        "h4": heading("h4", 10, 8),
        "toc0": style("toc0", fontName=f"{FONT}-Bold", spaceBefore=4, spaceAfter=0),
        "toc1": style("toc1", leftIndent=12, spaceAfter=0),
        "toc2": style("toc2", fontSize=9, leading=12, leftIndent=24, spaceAfter=0),
        "note": style("note", fontName=f"{FONT}-Oblique"),
        "quote": style("quote", leftIndent=12, spaceAfter=6),
        "cell": style("cell", fontSize=9, leading=12, spaceAfter=0),
        "number": style("number", fontSize=9, leading=12, spaceAfter=0, alignment=TA_RIGHT),
    }


class _Heading(Paragraph):
    """A heading: a bookmark in the outline, maybe an entry in the contents."""

    #: (level, bookmark key, label, whether in the contents); None on the second part of a
    #: heading split over two pages.
    outline_entry: tuple[int, str, str, bool] | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        # Move a heading to the next page rather than split it, unless it is longer than a page.
        if self.height <= FRAME_HEIGHT:
            return []
        parts = super().split(availWidth, availHeight)
        if parts:
            parts[0].outline_entry = self.outline_entry
        return parts


class _MemoTemplate(BaseDocTemplate):
    """A4 with a page footer, feeding headings to the outline and the table of contents."""

    def __init__(self, out: IO[bytes], memo: Memo) -> None:
        super().__init__(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=_plain(memo.title),
            author="Consult",
            creator="Consult",
            subject=_plain(memo.kind),
            lang=memo.lang,
            displayDocTitle=True,
        )
        self.footer = _plain(memo.words["page"])
        frame = Frame(
            MARGIN, MARGIN, FRAME_WIDTH, FRAME_HEIGHT, leftPadding=0, rightPadding=0,
            topPadding=0, bottomPadding=0, id="text",
        )  # fmt: skip
        self.addPageTemplates([PageTemplate("page", [frame], onPageEnd=self._draw_footer)])

    def _draw_footer(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 9)
        canvas.setFillColor(MUTED)
        canvas.drawCentredString(A4[0] / 2, MARGIN / 2, f"{self.footer} {doc.page}")
        canvas.restoreState()
        canvas.showOutline()

    def afterFlowable(self, flowable: Flowable) -> None:
        entry = getattr(flowable, "outline_entry", None)
        if entry is None:
            return
        level, key, label, in_toc = entry
        # The frame's private _y is the bottom of the heading: show the page from just above it.
        top = self.frame._y + flowable.height + flowable.getSpaceAfter() + 6
        self.canv.bookmarkPage(key, fit="XYZ", left=0, top=min(top, A4[1]))
        self.canv.addOutlineEntry(label, key, level=level, closed=level > 0)
        if in_toc:
            self.notify("TOCEntry", (level, escape(label), self.page, key))


class _Story:
    """The flowables of one memo, in reading order."""

    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.words = memo.words
        self.styles = _styles()
        self.headings = 0
        self.toc = TableOfContents(dotsMinLevel=-1)
        self.toc.levelStyles = [self.styles["toc0"], self.styles["toc1"], self.styles["toc2"]]

    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(_markup(text), self.styles[style])

    def heading(self, text: str, level: int, *, style: str = "", in_toc: bool = True) -> _Heading:
        self.headings += 1
        key = f"h{self.headings}"
        # The contents and the outline show a line, not a page: a table row cannot break.
        label = " ".join(_plain(text).split())
        if len(label) > MAX_LABEL:
            label = label[: MAX_LABEL - 1].rstrip() + "…"
        if in_toc:
            # Known entries give the first pass a contents of the right length, so the pages
            # after it are final at once: two passes instead of three.
            self.toc.addEntry(level, escape(label), 0, key)
        heading = _Heading(_markup(text), self.styles[style or f"h{level + 1}"])
        heading.outline_entry = (level, key, label, in_toc)
        return heading

    def flowables(self) -> Iterator[Flowable]:
        memo, words = self.memo, self.words
        yield self.para(memo.kind.upper(), "kind")
        yield self.para(memo.title, "title")
        yield self.para(memo.date, "date")
        yield self.heading(words["contents"], 0, in_toc=False)
        yield self.toc
        yield PageBreak()
        yield self.heading(words["introduction"], 0)
        for text in memo.intro:
            yield self.para(text)
        yield from self.parties()
        yield self.heading(words["responses"], 0)
        for area in memo.areas:
            yield from self.area(area)
        yield from self.general()
        yield from self.changes()
        if self.memo.approvals:
            yield self.heading(self.words["approvals"], 0)
            for line in self.memo.approvals:
                yield self.para(line)
        yield from self.appendix()

    def general(self) -> Iterator[Flowable]:
        yield self.heading(self.words["general"], 0)
        for text in self.memo.general:
            yield self.para(text)

    def appendix(self) -> Iterator[Flowable]:
        words = self.words
        yield PageBreak()
        yield self.heading(words["appendix"], 0)
        yield self.para(words["appendix_note"], "note")
        area = None
        for goal in self.memo.appendix:
            if goal.area != area:
                area = goal.area
                yield self.heading(area, 1)
            yield from self.appendix_goal(goal)
        yield PageBreak()
        yield self.heading(words["comments_appendix"], 0)
        any_comment = False
        for comment in self.memo.comments:
            any_comment = True
            item = MemoInput(comment.text, "", "", comment.who, comment.note)
            yield Paragraph(self.quote(item), self.styles["quote"])
        if not any_comment:
            yield self.para(words["no_comments"], "note")
        if self.memo.comments_note:
            yield self.para(self.memo.comments_note, "note")
        yield self.heading(words["letters_appendix"], 0)
        any_letter = False
        for letter in self.memo.letters:
            any_letter = True
            yield self.para(letter)
        if not any_letter:
            yield self.para(words["no_letters"], "note")

    def appendix_goal(self, goal: AppendixGoal) -> Iterator[Flowable]:
        yield self.heading(f"{goal.kind}: {goal.title}", 2)
        theme = None
        for name, item in goal.quotes:
            if name != theme:
                theme = name
                yield self.heading(name, 3, style="h4", in_toc=False)
            yield Paragraph(self.quote(item), self.styles["quote"])
        if theme is None:
            yield self.para(self.words["no_input"], "note")
        if goal.note:
            yield self.para(goal.note, "note")

    def parties(self) -> Iterator[Flowable]:
        words = self.words
        yield self.heading(words["parties"], 0)
        if not self.memo.parties:
            yield self.para(words["no_parties"])
            return
        yield self.para(words["parties_note"])
        for party in self.memo.parties:
            state = words["answered"] if party.answered else words["not_answered"]
            line = f"<b>{_markup(party.name)}</b> – {_markup(state)}"
            if party.summary:
                line += f". {_markup(party.summary)}"
            yield Paragraph(line, self.styles["body"])
            if party.comment:
                more = f" {words['comment_more']}" if party.comment_cut else ""
                yield self.para(party.comment + more, "quote")
            if party.letter:
                yield self.para(party.letter, "note")

    def table(self, rows: list[list[Flowable]], widths: list[float], *, header: bool) -> Table:
        commands = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            commands += [
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 1, INK),
            ]
        return Table(
            rows,
            colWidths=[FRAME_WIDTH * share for share in widths],
            style=TableStyle(commands),
            repeatRows=1 if header else 0,
            hAlign="LEFT",
            spaceAfter=8,
        )

    def area(self, area: MemoArea) -> Iterator[Flowable]:
        yield self.heading(area.title, 1)
        for goal in area.goals:
            yield from self.goal(goal)

    def goal(self, goal: MemoGoal) -> Iterator[Flowable]:
        words = self.words
        cell, number = self.styles["cell"], self.styles["number"]
        yield self.heading(f"{goal.kind}: {goal.title}", 2)
        line = words["inputs_count"].format(n=danish_number(goal.inputs))
        if goal.importance:
            line += f". {goal.importance}"
        yield self.para(line)
        if goal.inputs and goal.figures:
            rows = [[words["position"], words["count"], words["share"]]] + [
                [figure.label, danish_number(figure.count), danish_percent(figure.share)]
                for figure in goal.figures
                if figure.count
            ]
            cells = [
                [
                    Paragraph(f"<b>{_markup(text)}</b>" if index == 0 else _markup(text), style)
                    for text, style in zip(row, [cell, number, number], strict=True)
                ]
                for index, row in enumerate(rows)
            ]
            yield self.table(cells, [0.6, 0.2, 0.2], header=True)
        if goal.chart_png:
            yield _chart(goal.chart_png)
        if goal.points:
            yield self.heading(words["main_points"], 3, style="h4", in_toc=False)
        for point in goal.points:
            yield Paragraph(
                f"<b>{_markup(point.theme)}</b> – {_markup(point.voices)}", self.styles["body"]
            )
            if point.answer is None:
                yield self.para(words["no_theme_reply"], "note")
            else:
                yield from self.answer(point.answer)
        if goal.replies:
            yield self.heading(words["replies"], 3, style="h4", in_toc=False)
        for reply in goal.replies:
            yield Paragraph(f"<b>{_markup(reply.label)}</b>", self.styles["body"])
            yield from self.answer(reply.answer)
        for note in goal.notes:
            yield self.para(note, "note")

    def answer(self, answer: MemoAnswer) -> Iterator[Flowable]:
        words = self.words
        yield Paragraph(_labelled(words["reply"] + ":", answer.text), self.styles["quote"])
        if answer.disposition:
            outcome = answer.disposition + (f" ({answer.state})" if answer.state else "")
            yield Paragraph(_labelled(words["disposition"] + ":", outcome), self.styles["quote"])
        if answer.reason:
            yield Paragraph(_labelled(words["reason"] + ":", answer.reason), self.styles["quote"])
        if answer.change:
            yield Paragraph(_labelled(words["changed"] + ":", answer.change), self.styles["quote"])
        yield HRFlowable(width="100%", thickness=0.5, color=RULE, spaceBefore=2, spaceAfter=8)

    def quote(self, item: MemoInput) -> str:
        """Return one input as the markup of a single paragraph, a line for each part."""
        lines = []
        if item.stance:
            lines.append(f"<b>{_markup(item.stance)}</b>")
        if item.note:
            lines.append(f'<i><font color="#595959">{_markup(item.note)}</font></i>')
        else:
            lines.append(_markup(item.text))
        if item.wording and not item.note:
            lines.append(f"<i>{_markup(self.words['wording'])}</i> {_markup(item.wording)}")
        if item.who:
            lines.append(f'<font color="#595959" size="9">{_markup(item.who)}</font>')
        return "<br/>".join(line for line in lines if line)

    def changes(self) -> Iterator[Flowable]:
        words = self.words
        yield self.heading(words["changes"], 0)
        if not self.memo.changes:
            yield self.para(words["no_changes"])
        for change in self.memo.changes:
            yield from self.change(change)

    def change(self, change: MemoChange) -> Iterator[Flowable]:
        words = self.words
        yield self.heading(change.title, 1, style="h3", in_toc=False)
        yield self.para(change.what, "note")
        if change.before:
            yield Paragraph(_labelled(words["before"], change.before), self.styles["quote"])
        if change.after:
            yield Paragraph(_labelled(words["after"], change.after), self.styles["quote"])
        if change.why:
            yield Paragraph(_labelled(words["why"], change.why), self.styles["body"])
        if change.voices:
            yield self.para(f"{words['voices']}: {change.voices}", "note")


def _chart(png: bytes) -> Image:
    """Return the chart at its natural size (16 cm at 150 dpi), shrunk to fit the frame."""
    with PILImage.open(io.BytesIO(png)) as image:
        pixels_x, pixels_y = image.size
        dpi = image.info.get("dpi", (CHART_DPI, CHART_DPI))[0] or CHART_DPI
    width, height = pixels_x * 72 / dpi, pixels_y * 72 / dpi
    scale = min(1.0, FRAME_WIDTH / width, FRAME_HEIGHT * 0.9 / height)
    chart = Image(io.BytesIO(png), width=width * scale, height=height * scale, hAlign="LEFT")
    chart.spaceAfter = 8
    return chart


def render_pdf(memo: Memo, out: IO[bytes]) -> None:
    """Write the memo as a PDF (A4) to ``out``."""
    story = list(_Story(memo).flowables())
    _MemoTemplate(out, memo).multiBuild(story)
