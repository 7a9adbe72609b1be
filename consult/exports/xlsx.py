"""The input as an Excel workbook: a summary with every goal's figures and a chart, the
rankings, the general comments and the letters, then one sheet per focus area with its
inputs. Written by XlsxWriter in constant-memory mode (each sheet's rows go to a temporary
file as they are written), so memory stays flat at any size.

Formula-safe twice over: XlsxWriter is told never to read a string as a formula, a number
or a link, and every text cell goes through ``safe_cell`` as in the CSV.
"""

from __future__ import annotations

import re
from typing import IO

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from xlsxwriter.utility import _utf16_len
from xlsxwriter.utility import _utf16_truncate
from xlsxwriter.utility import xl_col_to_name

from consult.analysis import figures
from consult.drafts.models import ItemKind
from consult.drafts.services import Tree
from consult.exports import rankings
from consult.exports import rows as exports
from consult.exports import statements
from consult.exports.tabular import safe_cell
from consult.extensions import db
from consult.i18n import localized
from consult.readside.labels import NOT_GIVEN
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import Stance

#: Characters Excel refuses in a sheet name, and its length limit.
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31
#: Data rows per sheet under Excel's limit of 1,048,576 rows (one is the header).
SHEET_ROWS_MAX = 1_048_575
WIDTHS = {"text": 60, "proposed_wording": 40, "reply": 50, "goal": 40, "reply_reason": 30}


def _sheet_name(title: str, taken: set[str]) -> str:
    name = SHEET_NAME_BAD.sub(" ", title).strip()[: SHEET_NAME_MAX - 3] or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate, n = f"{name} {n}", n + 1
    taken.add(candidate.lower())
    return candidate


#: XlsxWriter's escapes for text in cell XML (``xmlwriter._escape_control_characters``):
#: a literal "_x0041_" keeps its underscore escaped, control characters become "_xHHHH_".
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f\ufffe\uffff])")
#: Anything in a text that needs one of the escapes (almost no text does: one test a cell).
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def _control(match) -> str:
    return f"_x{ord(match.group(1)):04X}_"


def _escaped(value: str) -> str:
    """A text with XlsxWriter's escapes for cell XML: its own, control characters, XML."""
    value = _LITERAL_ESCAPE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(_control, value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _RowWriter:
    """Rows of plain values (str, int, float; "" and None stay empty) written straight into
    a constant-memory worksheet as the XML XlsxWriter would write for ``write_row``, without
    its per-cell dispatch, checks and cell objects: five to ten times faster. A test compares
    the sheet XML with XlsxWriter's own, byte for byte. It uses XlsxWriter's row-flushing
    internals; where they are missing (another version), rows go through ``write_row``."""

    def __init__(self, sheet, width: int):
        self.sheet = sheet
        self.width = width
        self.fast = bool(sheet.constant_memory) and all(
            hasattr(sheet, name)
            for name in ("fh", "previous_row", "_write_single_row", "_check_dimensions", "col_info")
        )
        # Each column's number, the start of its cells ('<c r="B'), and what follows the row
        # number for a text and for a number, with the column's style (its format, as
        # XlsxWriter gives a cell without a format of its own).
        self.columns = []
        for c in range(width):
            info = sheet.col_info.get(c) if self.fast else None
            style = getattr(info, "column_format", None)
            s = f' s="{style._get_xf_index()}"' if style is not None else ""
            self.columns.append(
                (c, f'<c r="{xl_col_to_name(c)}', f'"{s} t="inlineStr"><is><t', f'"{s}><v>')
            )

    def write(self, row: int, values) -> None:
        sheet = self.sheet
        if not self.fast:
            sheet.write_row(row, 0, values)
            return
        if row > sheet.previous_row:
            sheet._write_single_row(row)  # the rows XlsxWriter still holds (the header)
        r = str(row + 1)
        xml = [f'<row r="{r}">']
        add = xml.append
        special, utf16_len = _SPECIAL.search, _utf16_len
        first = last = -1
        # The innermost loop of a million-row workbook: _text_xml inlined.
        for (c, start, text, number), value in zip(self.columns, values, strict=True):
            if value.__class__ is str:
                if not value:
                    continue
                if len(value) > 16_383 and utf16_len(value) > 32_767:
                    value = _utf16_truncate(value, 32_767)
                if special(value) is not None:
                    value = _escaped(value)
                if value[0].isspace() or value[-1].isspace():
                    add(f'{start}{r}{text} xml:space="preserve">{value}</t></is></c>')
                else:
                    add(f"{start}{r}{text}>{value}</t></is></c>")
            elif value is None:
                continue
            else:
                add(f"{start}{r}{number}{value:.16G}</v></c>")
            if first < 0:
                first = c
            last = c
        if last < 0:
            return
        sheet._check_dimensions(row, first)
        sheet._check_dimensions(row, last)
        add("</row>")
        sheet.fh.write("".join(xml))


def _area_sheets(workbook, title: str, taken: set[str], columns, rows, bold, wrap) -> None:
    """A focus area's inputs, on as many sheets as Excel's row limit needs (usually one)."""

    def new_sheet():
        sheet = workbook.add_worksheet(_sheet_name(title, taken))
        for c, column in enumerate(columns):
            sheet.set_column(c, c, WIDTHS.get(column, 16), wrap if column in WIDTHS else None)
        sheet.write_row(0, 0, columns, bold)
        sheet.freeze_panes(1, 0)
        return sheet, _RowWriter(sheet, len(columns))

    (sheet, writer), last = new_sheet(), 0
    for row in rows:
        if last == SHEET_ROWS_MAX:
            sheet.autofilter(0, 0, last, len(columns) - 1)
            (sheet, writer), last = new_sheet(), 0
        last += 1
        writer.write(last, row)
    sheet.autofilter(0, 0, max(last, 1), len(columns) - 1)


def _importance(consultation_id: int) -> dict[int, float]:
    return {
        item_id: float(mean)
        for item_id, mean in db.session.execute(
            select(Input.item_id, func.avg(Input.importance))
            .join(Response, Response.id == Input.response_id)
            .where(figures.submitted(consultation_id))
            .group_by(Input.item_id)
        )
        if mean is not None
    }


def write_xlsx(consultation, tree: Tree, out: IO[bytes] | str, *, public=False, lang="da"):
    """Write the workbook to ``out`` (a path or a binary file)."""
    labels = exports.labels_for(lang)
    columns = exports.PUBLIC if public else exports.FULL
    workbook = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "yyyy-mm-dd hh:mm",
        },
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "text_wrap": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    decimal = workbook.add_format({"num_format": "0.0"})
    with force_locale(lang):
        workbook.set_properties(
            {"title": localized(consultation, "title")[0], "author": "Consult", "comments": ""}
        )
        _summary(workbook, consultation, tree, labels, bold, decimal)
        _rankings(workbook, consultation, tree, bold, public=public, lang=lang)
        taken = {"summary", _("Summary").lower(), "rankings", _("Rankings").lower()}
        # The general comments and the letters: a sheet each, after the rankings.
        for kind, title in (("comments", _("General comments")), ("letters", _("Letters"))):
            rows = statements.stream(
                consultation.id, kind, labels, public=public, lang=lang, safe=safe_cell
            )
            kind_columns = statements.columns(kind, public)
            _area_sheets(workbook, title, taken, kind_columns, rows, bold, wrap)
        for area in tree.focus_areas:
            items = [n.item.id for n in area.children if n.kind.takes_input]
            rows = exports.stream(
                consultation.id,
                tree,
                labels,
                public=public,
                lang=lang,
                item_ids=items,
                safe=safe_cell,
            )
            title = localized(area.revision, "title")[0]
            _area_sheets(workbook, title, taken, columns, rows, bold, wrap)
    workbook.close()


def _summary(workbook, consultation, tree: Tree, labels, bold, decimal) -> None:
    """The first sheet: one row per goal, its positions and mean importance, and a chart."""
    sheet = workbook.add_worksheet(_("Summary"))
    stances = [s.value for s in Stance]
    header = [
        _("Goal or initiative"),
        *(labels.stance[s] for s in stances),
        str(NOT_GIVEN),
        _("Inputs"),
        _("Mean importance"),
    ]
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, len(header) - 1, 14)
    sheet.write(
        0,
        0,
        localized(consultation, "title")[0],
        workbook.add_format({"bold": True, "font_size": 14}),
    )
    sheet.write_row(2, 0, header, bold)
    sheet.freeze_panes(3, 1)
    overview = figures.goals_overview(consultation).stances
    importance = _importance(consultation.id)
    row = 3
    for area in tree.focus_areas:
        for node in area.children:
            if node.kind not in (ItemKind.GOAL, ItemKind.INITIATIVE):
                continue
            counts = overview.get(node.item.id, {})
            values = [counts.get(s, 0) for s in stances] + [counts.get(None, 0)]
            sheet.write_string(row, 0, safe_cell(localized(node.revision, "title")[0]))
            sheet.write_row(row, 1, [*values, sum(values)])
            if node.item.id in importance:
                sheet.write_number(row, len(header) - 1, importance[node.item.id], decimal)
            row += 1
    sheet.autofilter(2, 0, max(row - 1, 3), len(header) - 1)
    if row > 3:
        chart = workbook.add_chart({"type": "bar", "subtype": "percent_stacked"})
        for c in range(1, len(stances) + 2):
            chart.add_series(
                {
                    "name": [sheet.name, 2, c],
                    "categories": [sheet.name, 3, 0, row - 1, 0],
                    "values": [sheet.name, 3, c, row - 1, c],
                }
            )
        chart.set_title({"name": _("Positions on each goal and initiative")})
        chart.set_size({"width": 900, "height": 60 + 28 * (row - 3)})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(row + 2, 0, chart)


def _rankings(workbook, consultation, tree: Tree, bold, *, public: bool, lang: str) -> None:
    """The second sheet: what respondents ranked (``exports.rankings``), for everyone, each
    respondent group and each cluster; aggregates only."""
    sheet = workbook.add_worksheet(_("Rankings"))
    header = rankings.headings(lang)
    widths = [12, 30, 14, 40, 16, 24, 12, 10, 10, 10, 8, 12]
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    two = workbook.add_format({"num_format": "0.00"})
    percent = workbook.add_format({"num_format": "0.0%"})
    formats = {8: two, 11: percent}
    row = 0
    for row, values in enumerate(
        rankings.table(consultation, tree, public=public, lang=lang), start=1
    ):
        for c, value in enumerate(values):
            if value.__class__ is str:
                if value:
                    sheet.write_string(row, c, safe_cell(value))
            else:
                sheet.write_number(row, c, value, formats.get(c))
    sheet.autofilter(0, 0, max(row, 1), len(header) - 1)
