"""The høringsnotat as a Word document, laid out as Lovkvalitetsvejledningen describes one.

Title, a table of contents, the introduction, the høringsliste party by party, the main points
per area and goal (figures, chart, the themes and the secretariat's answers), general comments
and letters, the changes to the draft and the sign-off; then the appendix (Bilag) with every
input quoted, grouped by theme. Headings are Word's own Heading 1-4, so the navigation pane and
the table of contents work.

python-docx is used for the package, styles, settings, footer and pictures; the body is built
with lxml directly. python-docx's ``add_paragraph`` scans the whole body for its end on every
call (40,000 paragraphs take minutes) and ``Run.text`` walks text a character at a time, so
``_Writer`` appends in front of the section properties and resolves styles once instead.

The body before the appendix is small (it sums up) and is built in memory. The appendix is
not: ``word/document.xml`` is written as a stream (``lxml.etree.xmlfile`` straight into the
zip entry), the body's first part, then the appendix paragraph by paragraph as its quotes come
off a streaming cursor, each element written and dropped, so memory stays flat at any size.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC
from datetime import datetime
from io import BytesIO
from typing import IO

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import nsmap
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.table import CT_Tbl
from docx.shared import Cm
from docx.shared import Length
from docx.shared import Pt
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from consult.exports.document import AppendixGoal
from consult.exports.document import Memo
from consult.exports.document import MemoAnswer
from consult.exports.document import MemoChange
from consult.exports.document import MemoGoal
from consult.exports.document import MemoInput

#: Everything XML 1.0 allows (tab, newline, carriage return and the planes minus surrogates
#: and U+FFFE/U+FFFF); lxml refuses the rest, so python-docx raises ValueError on them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_BREAKS = re.compile(r"([\n\t])")

LANGUAGES = {"da": "da-DK", "en": "en-GB"}
#: A4 with 2.5 cm margins leaves 16 cm of text width: the width the PNG charts are drawn for.
TEXT_WIDTH = Cm(16)
TOC_INSTRUCTION = r' TOC \o "1-3" \h \z \u '
#: Settings that come after ``w:updateFields`` in the schema's fixed order (CT_Settings).
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults w:footnotePr w:endnotePr w:compat w:docVars w:rsids m:mathPr "
    "w:attachedSchema w:themeFontLang w:clrSchemeMapping w:doNotIncludeSubdocsInStats "
    "w:doNotAutoCompressPictures w:forceUpgrade w:captions w:readModeInkLockDown "
    "w:smartTagType sl:schemaLibrary w:shapeDefaults w:doNotEmbedSmartTags w:decimalSymbol "
    "w:listSeparator"
).split()

# Clark names, worked out once: qn() parses its argument on every call.
W_P, W_PPR, W_PSTYLE, W_R, W_RPR, W_RSTYLE = map(
    qn, "w:p w:pPr w:pStyle w:r w:rPr w:rStyle".split()
)
W_B, W_T, W_BR, W_TAB, W_VAL = map(qn, "w:b w:t w:br w:tab w:val".split())
_NS = {"w": nsmap["w"]}
W_FLDCHAR, XML_SPACE = qn("w:fldChar"), qn("xml:space")


def clean(text: str) -> str:
    """Return ``text`` without characters XML 1.0 forbids, with every line ending as ``\\n``."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _chunks(text: str) -> list[str]:
    """Split cleaned text into paragraphs at blank lines; single newlines stay line breaks."""
    return [chunk for chunk in _BLANK_LINES.split(clean(text).strip()) if chunk.strip()]


def render_docx(memo: Memo, out: IO[bytes]) -> None:
    """Write the memo as .docx to ``out`` (a file or BytesIO)."""
    _Writer(memo).write(out)


def _element(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    """Append a child element; attributes are named ``w_val`` for ``w:val``."""
    return etree.SubElement(
        parent, tag, {qn(k.replace("_", ":", 1)): v for k, v in attributes.items()}
    )


class _Writer:
    """One document being written; headings are collected for the table of contents."""

    def __init__(self, memo: Memo) -> None:
        self.memo = memo
        self.words = memo.words
        self.doc = docx.Document()
        self.body = self.doc._body
        # Everything goes in front of the section properties, the body's last child.
        self.end = self.doc.element.body.sectPr
        #: (level, text, bookmark) of every heading, in order.
        self.headings: list[tuple[int, str, str]] = []
        self.pictures = 0
        self._setup()
        #: Where new elements go: None in front of the section properties (the body before the
        #: appendix); a list while the appendix streams (see ``_emit``).
        self.stream: list[etree._Element] | None = None
        #: Bookmarks of the appendix's headings, given out before it is written (the contents).
        self.reserved: list[str] = []
        names = ["Title", "Subtitle", "TOC Heading", "Table Grid", "Memo Quote", "Memo Note"]
        names += ["Memo Muted", "Heading 1", "Heading 2", "Heading 3", "Heading 4"]
        names += ["toc 1", "toc 2", "toc 3"]
        self.style = {name: self.doc.styles[name].style_id for name in names}

    # Set-up -------------------------------------------------------------------------------

    def _setup(self) -> None:
        """Set page, language, properties, fields on open and the memo's own styles."""
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin = section.bottom_margin = Cm(2.5)

        lang = LANGUAGES.get(self.memo.lang, LANGUAGES["da"])
        for element in self.doc.styles.element.iterfind("w:docDefaults//w:lang", _NS):
            element.set(W_VAL, lang)
        settings = self.doc.settings.element
        for element in settings.iterfind("w:themeFontLang", _NS):
            element.set(W_VAL, lang)
        # Word refreshes the table of contents (with page numbers) when the file is opened.
        update = settings.makeelement(qn("w:updateFields"), {W_VAL: "true"})
        settings.insert_element_before(update, *_AFTER_UPDATE_FIELDS)

        props = self.doc.core_properties
        props.title = clean(self.memo.title)
        props.subject = clean(self.memo.kind)
        props.language = lang
        props.author = props.comments = props.last_modified_by = ""
        # The template's own dates are from 2013.
        props.created = props.modified = datetime.now(UTC).replace(microsecond=0)
        # The template's preview picture shows an empty page; without one, viewers draw their own.
        package_rels = self.doc.part.package.rels
        for rel_id, rel in list(package_rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package_rels[rel_id]

        add = self.doc.styles.add_style
        normal = self.doc.styles["Normal"]
        for level in (1, 2, 3):
            # Word's built-in names, so an update of the field keeps these entries' look.
            toc = add(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = toc.next_paragraph_style = normal
            toc.paragraph_format.left_indent = Cm(0.4 * (level - 1))
            toc.paragraph_format.space_after = Pt(3)
            toc.priority, toc.unhide_when_used = 39, True
        quote = add("Memo Quote", WD_STYLE_TYPE.PARAGRAPH)
        quote.base_style = normal
        # A grey rule on the left marks quoted input (the border first: pPr's order is fixed).
        border = _element(quote.element.get_or_add_pPr(), qn("w:pBdr"))
        _element(border, qn("w:left"), w_val="single", w_sz="12", w_space="8", w_color="BFBFBF")
        quote.paragraph_format.left_indent = Cm(0.6)
        quote.paragraph_format.space_after = Pt(4)
        note = add("Memo Note", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = normal
        note.font.italic = True
        muted = add("Memo Muted", WD_STYLE_TYPE.CHARACTER)
        # #595959 on white is 7:1, readable when printed in grey.
        muted.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
        muted.font.size = Pt(9)

    # Building blocks ----------------------------------------------------------------------

    def _emit(self, element: etree._Element) -> None:
        """Put a finished or still growing element at the end of the body."""
        if self.stream is None:
            self.end.addprevious(element)
        else:
            self.stream.append(element)

    def paragraph(self, style: str | None = None, text: str = "") -> etree._Element:
        """Add a paragraph at the end of the body in a style named above, with ``text``."""
        # A paragraph of the stream declares the w: prefix itself (one in the body inherits it).
        p = self.end.makeelement(W_P, nsmap=None if self.stream is None else _NS)
        if style:
            _element(_element(p, W_PPR), W_PSTYLE, w_val=self.style[style])
        self._emit(p)
        if text:
            self.run(p, text)
        return p

    def run(
        self, p: etree._Element, text: str, *, bold: bool = False, muted: bool = False
    ) -> etree._Element:
        """Add cleaned text to a paragraph; newlines become line breaks, tabs tabs."""
        r = _element(p, W_R)
        if bold or muted:
            properties = _element(r, W_RPR)
            if muted:
                _element(properties, W_RSTYLE, w_val=self.style["Memo Muted"])
            if bold:
                _element(properties, W_B)
        for piece in _BREAKS.split(clean(text)):
            if piece == "\n":
                _element(r, W_BR)
            elif piece == "\t":
                _element(r, W_TAB)
            elif piece:
                t = _element(r, W_T)
                t.text = piece
                t.set(XML_SPACE, "preserve")
        return r

    def text(self, text: str, style: str | None = None, label: str = "") -> None:
        """Add a text as paragraphs (split at blank lines), the first led by a bold label."""
        chunks = _chunks(text) or ([""] if label else [])
        for i, chunk in enumerate(chunks):
            p = self.paragraph(style)
            if i == 0 and label:
                self.run(p, f"{label}: ", bold=True)
            self.run(p, chunk)

    def reserve(self, level: int, text: str) -> None:
        """Give a heading of the appendix its place in the contents before it is written."""
        text = " ".join(clean(text).split())
        bookmark = f"_Toc{len(self.headings) + 1:0>9}"
        self.headings.append((level, text, bookmark))
        self.reserved.append(bookmark)

    def heading(self, level: int, text: str, *, in_toc: bool = True) -> etree._Element:
        """Add a heading with a bookmark the table of contents links to."""
        text = " ".join(clean(text).split())
        p = self.paragraph(f"Heading {level}")
        if not in_toc:
            self.run(p, text)
            return p
        if self.reserved:
            bookmark = self.reserved.pop(0)
        else:
            bookmark = f"_Toc{len(self.headings) + 1:0>9}"
            self.headings.append((level, text, bookmark))
        number = str(int(bookmark.removeprefix("_Toc")))
        _element(p, qn("w:bookmarkStart"), w_id=number, w_name=bookmark)
        self.run(p, text)
        _element(p, qn("w:bookmarkEnd"), w_id=number)
        return p

    def table(
        self, widths: list[Length], rows: list[list[str]], *, header: bool, numeric: int = 0
    ) -> None:
        """Add a table of texts, right-aligned from column ``numeric`` on; headers repeat."""
        tbl = CT_Tbl.new_tbl(len(rows), len(widths), TEXT_WIDTH)
        tbl.tblStyle_val = self.style["Table Grid"]
        self._emit(tbl)
        for grid_col, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = width
        for r, (tr, row) in enumerate(zip(tbl.tr_lst, rows, strict=True)):
            if header and r == 0:
                _element(tr.get_or_add_trPr(), qn("w:tblHeader"))
            for c, (tc, value) in enumerate(zip(tr.tc_lst, row, strict=True)):
                tc.width = widths[c]
                p = tc.p_lst[0]
                if numeric and c >= numeric:
                    p.get_or_add_pPr().jc_val = WD_ALIGN_PARAGRAPH.RIGHT
                self.run(p, value, bold=header and r == 0)

    def spacing(self, p: etree._Element, before: int) -> None:
        """Leave ``before`` points of space above a paragraph."""
        Paragraph(p, self.body).paragraph_format.space_before = Pt(before)

    @staticmethod
    def field_start(p: etree._Element, instruction: str) -> None:
        """Open a complex field: begin, the instruction, separate; its result follows."""
        _element(_element(p, W_R), W_FLDCHAR, w_fldCharType="begin")
        instr = _element(_element(p, W_R), qn("w:instrText"))
        instr.text = instruction
        instr.set(XML_SPACE, "preserve")
        _element(_element(p, W_R), W_FLDCHAR, w_fldCharType="separate")

    @staticmethod
    def field_end(p: etree._Element) -> None:
        """Close the complex field opened last."""
        _element(_element(p, W_R), W_FLDCHAR, w_fldCharType="end")

    # The document -------------------------------------------------------------------------

    def write(self, out: IO[bytes]) -> None:
        """Lay out the whole memo and save it to ``out``."""
        memo, words = self.memo, self.words
        self.paragraph("Title", memo.kind)
        self.paragraph("Title", memo.title)
        self.paragraph("Subtitle", memo.date)
        self.paragraph("TOC Heading", words["contents"])
        # The entries follow once every heading is known.
        contents = self.paragraph()

        introduction = self.heading(1, words["introduction"])
        Paragraph(introduction, self.body).paragraph_format.page_break_before = True
        for text in memo.intro:
            self.text(text)
        self._parties()
        self.heading(1, words["responses"])
        for area in memo.areas:
            self.heading(2, area.title)
            for goal in area.goals:
                self._goal(goal)
        self._general()
        self._changes(memo.changes)
        self._approvals(memo.approvals)

        # The appendix's headings are known without reading its quotes.
        self.reserve(1, words["appendix"])
        area = None
        for goal in memo.appendix:
            if goal.area != area:
                area = goal.area
                self.reserve(2, area)
            self.reserve(3, f"{goal.kind}: {goal.title}")
        self.reserve(1, words["comments_appendix"])
        self.reserve(1, words["letters_appendix"])
        self._contents(contents)
        self._footer()
        self._save(out)

    def _save(self, out: IO[bytes]) -> None:
        """Save the package, with ``word/document.xml`` written as a stream: the body so far,
        then the appendix as it is read, then the section properties."""
        skeleton = BytesIO()
        body = self.doc.element.body
        body.remove(self.end)
        self.doc.save(skeleton)
        document = self.doc.part.partname.lstrip("/")
        with (
            zipfile.ZipFile(skeleton) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for info in source.infolist():
                if info.filename != document:
                    target.writestr(info, source.read(info.filename))
                    continue
                with target.open(document, "w") as raw, etree.xmlfile(raw, encoding="UTF-8") as xf:
                    xf.write_declaration(standalone=True)
                    root = self.doc.element
                    with xf.element(root.tag, dict(root.attrib), nsmap=root.nsmap):
                        with xf.element(body.tag, dict(body.attrib)):
                            for child in list(body):
                                # Detached, an element declares only the namespaces it uses.
                                body.remove(child)
                                xf.write(child)
                            self.stream = []
                            for _done in self._appendix():
                                for element in self.stream[:-1]:
                                    xf.write(element)
                                del self.stream[:-1]
                            for element in self.stream:
                                xf.write(element)
                            self.stream = None
                            xf.write(self.end)

    def _appendix(self):
        """Lay out the appendix, yielding after each input so the caller can write what is
        done (the last element may still grow, so it stays until the next round)."""
        memo, words = self.memo, self.words
        p = self.heading(1, words["appendix"])
        _element(p.find(W_PPR), qn("w:pageBreakBefore"))
        self.paragraph("Memo Note", words["appendix_note"])
        area = None
        for goal in memo.appendix:
            if goal.area != area:
                area = goal.area
                self.heading(2, area)
            yield from self._appendix_goal(goal)
        p = self.heading(1, words["comments_appendix"])
        _element(p.find(W_PPR), qn("w:pageBreakBefore"))
        any_comment = False
        for comment in memo.comments:
            any_comment = True
            self._input(MemoInput(comment.text, "", "", comment.who, comment.note))
            yield
        if not any_comment:
            self.paragraph("Memo Note", words["no_comments"])
        if memo.comments_note:
            self.paragraph("Memo Note", memo.comments_note)
        yield
        self.heading(1, words["letters_appendix"])
        any_letter = False
        for letter in memo.letters:
            any_letter = True
            self.paragraph(None, letter)
            yield
        if not any_letter:
            self.paragraph("Memo Note", words["no_letters"])
        yield

    def _appendix_goal(self, goal: AppendixGoal):
        """A goal's inputs, theme by theme."""
        words = self.words
        self.heading(3, f"{goal.kind}: {goal.title}")
        theme = None
        for name, memo_input in goal.quotes:
            if name != theme:
                theme = name
                self.heading(4, name, in_toc=False)
            self._input(memo_input)
            yield
        if theme is None:
            self.paragraph("Memo Note", words["no_input"])
        if goal.note:
            self.paragraph("Memo Note", goal.note)
        yield

    def _contents(self, placeholder: etree._Element) -> None:
        """Put a TOC field at ``placeholder``, its current result a paragraph per heading."""
        entries = []
        for level, text, bookmark in self.headings:
            entry = placeholder.makeelement(W_P)
            _element(_element(entry, W_PPR), W_PSTYLE, w_val=self.style[f"toc {level}"])
            link = _element(entry, qn("w:hyperlink"), w_anchor=bookmark, w_history="1")
            self.run(link, text)
            placeholder.addprevious(entry)
            entries.append(entry)
        if entries:
            placeholder.getparent().remove(placeholder)
        else:
            entries = [placeholder]
        # As Word writes it: the field begins in the first entry and ends in the last.
        start = placeholder.makeelement(W_P)
        self.field_start(start, TOC_INSTRUCTION)
        first = entries[0]
        at = 1 if first.find(W_PPR) is not None else 0
        first[at:at] = list(start)
        self.field_end(entries[-1])

    def _footer(self) -> None:
        """Number every page: "Side N" with a PAGE field, centred in the footer."""
        footer = self.doc.sections[0].footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = paragraph._p
        self.run(p, f"{self.words['page']} ")
        self.field_start(p, " PAGE ")
        self.run(p, "1")
        self.field_end(p)

    def _parties(self) -> None:
        """The høringsliste in its order, each party with what it answered."""
        words = self.words
        self.heading(1, words["parties"])
        if not self.memo.parties:
            self.paragraph("Memo Note", words["no_parties"])
            return
        self.text(words["parties_note"])
        for party in self.memo.parties:
            p = self.paragraph()
            self.spacing(p, 6)
            self.run(p, party.name, bold=True)
            answered = words["answered"] if party.answered else words["not_answered"]
            self.run(p, f" – {answered}")
            if party.summary:
                self.run(p, f". {party.summary}")
            if party.comment:
                comment = party.comment
                if party.comment_cut:
                    comment += f" {words['comment_more']}"
                self.text(comment, "Memo Quote")
            if party.letter:
                self.paragraph("Memo Note", party.letter)

    def _goal(self, goal: MemoGoal) -> None:
        """Add a goal: its count, importance, figures, chart, main points and answers."""
        words = self.words
        self.heading(3, f"{goal.kind}: {goal.title}")
        line = words["inputs_count"].format(n=self._number(goal.inputs))
        if goal.importance:
            line += f". {goal.importance}"
        self.paragraph(None, line)
        if goal.inputs and goal.figures:
            rows = [[words["position"], words["count"], words["share"]]]
            rows += [
                [figure.label, self._number(figure.count), self._percent(figure.share)]
                for figure in goal.figures
                if figure.count
            ]
            self.table([Cm(10), Cm(3), Cm(3)], rows, header=True, numeric=1)
        if goal.chart_png:
            self._chart(goal.chart_png)
        if goal.points:
            self.heading(4, words["main_points"], in_toc=False)
        for point in goal.points:
            p = self.paragraph()
            self.spacing(p, 6)
            self.run(p, point.theme, bold=True)
            self.run(p, f" – {point.voices}")
            if point.answer is None:
                self.paragraph("Memo Note", words["no_theme_reply"])
            else:
                self._answer(point.answer)
        if goal.replies:
            self.heading(4, words["replies"], in_toc=False)
        for reply in goal.replies:
            p = self.paragraph()
            self.spacing(p, 6)
            self.run(p, reply.label, bold=True)
            self._answer(reply.answer)
        for note in goal.notes:
            self.paragraph("Memo Note", note)

    def _answer(self, answer: MemoAnswer) -> None:
        """The secretariat's answer, its outcome, why, and what changed."""
        words = self.words
        self.text(answer.text, label=words["reply"])
        if answer.disposition:
            outcome = answer.disposition
            if answer.state:
                outcome += f" ({answer.state})"
            self.text(outcome, label=words["disposition"])
        if answer.reason:
            self.text(answer.reason, label=words["reason"])
        if answer.change:
            self.text(answer.change, label=words["changed"])

    def _general(self) -> None:
        """General comments and letters: how many, and the letters by name."""
        words = self.words
        self.heading(1, words["general"])
        for text in self.memo.general:
            self.text(text)

    def _chart(self, png: bytes) -> None:
        """Add the chart at its natural size (from its dpi), but no wider than the text."""
        p = self.paragraph()
        self.spacing(p, 6)
        # As StoryPart.new_pic_inline, but numbering pictures here: its next_id reads every id
        # in the document, once per picture.
        rel_id, image = self.doc.part.get_or_add_image(BytesIO(png))
        width = min(image.width, TEXT_WIDTH)
        cx, cy = image.scaled_dimensions(width, None)
        self.pictures += 1
        inline = CT_Inline.new_pic_inline(self.pictures, rel_id, image.filename, cx, cy)
        inline.docPr.set("descr", clean(self.words["chart_alt"]))
        _element(_element(p, W_R), qn("w:drawing")).append(inline)

    def _input(self, memo_input: MemoInput) -> None:
        """Quote one input: the stance in bold, the text, the wording, and who sent it.

        An input that is not quoted (not moderated yet, hidden …) shows why instead."""
        chunks = _chunks(memo_input.text) if not memo_input.note else []
        first = self.paragraph("Memo Quote")
        stance = clean(memo_input.stance).strip()
        if stance:
            self.run(first, stance, bold=True)
            if chunks:
                _element(first[-1], W_BR)
        for i, chunk in enumerate(chunks):
            self.run(first if i == 0 else self.paragraph("Memo Quote"), chunk)
        if memo_input.note:
            if stance:
                _element(first[-1], W_BR)
            self.run(first, memo_input.note, muted=True)
        elif memo_input.wording.strip():
            self.text(memo_input.wording, "Memo Quote", label=self.words["wording"])
        if memo_input.who.strip():
            self.run(self.paragraph("Memo Quote"), memo_input.who, muted=True)

    def _changes(self, changes: list[MemoChange]) -> None:
        """List the changes to the draft, with the text before and after."""
        words = self.words
        self.heading(1, words["changes"])
        if not changes:
            self.paragraph("Memo Note", words["no_changes"])
        for change in changes:
            p = self.paragraph()
            self.spacing(p, 12)
            self.run(p, change.title, bold=True)
            if change.what:
                self.run(p, f" – {change.what}")
            if change.before.strip():
                self.text(change.before, "Memo Quote", label=words["before"])
            if change.after.strip():
                self.text(change.after, "Memo Quote", label=words["after"])
            if change.why.strip():
                self.text(change.why, label=words["why"])
            if change.voices:
                self.text(change.voices, "Memo Note", label=words["voices"])

    def _approvals(self, lines: list[str]) -> None:
        """The sign-off: who approved the document for each party, and when."""
        if lines:
            self.heading(1, self.words["approvals"])
            for line in lines:
                self.paragraph(None, line)

    def _number(self, n: int) -> str:
        """Format a count with the language's thousands separator."""
        grouped = f"{n:,}"
        return grouped.replace(",", ".") if self.memo.lang == "da" else grouped

    def _percent(self, share: float) -> str:
        """Format a share between 0 and 1 as a whole percentage: "42 %" (Danish), "42%"."""
        return f"{round(share * 100)} %" if self.memo.lang == "da" else f"{round(share * 100)}%"
