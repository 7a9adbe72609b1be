"""The XLSX rows are written straight into the sheet's XML (``xlsx._RowWriter``): the same
bytes XlsxWriter's own ``write_row`` writes, for every kind of value a row holds."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter

from consult.exports import xlsx

#: Everything a cell can hold: blanks, numbers, XML specials, whitespace at the edges, line
#: breaks, a carriage return and other control characters, Excel's own escape written
#: literally, non-characters, text beyond Excel's cell limit, and characters outside the BMP.
ROWS = [
    (1, "", None, 0, 2.5, "plain", "  leading", "trailing ", "a\nb", "tab\there"),
    (
        2,
        "<b>&amp;</b>",
        "x\ry",
        "_x0041_ and _xABCD_",
        "\ufffe\uffff",
        "\x01\x1f",
        "é æøå",
        "",
        3,
        None,
    ),
    (3, "x" * 16_000, "😀" * 8_000, '"quoted"', "'=1+1", "=1+1", "-", "\n", " ", 1234567890123),
    (4, None, None, None, None, None, None, None, None, None),
    (5, "<r>", "\t", "a\n", "\nb", "ends\r", 0.1, -7, "", "last"),
]
#: Where XlsxWriter's ``write_row`` is wrong and the row writer is not: a text over Excel's
#: 32,767 characters ends XlsxWriter's row there (the cells after it are lost), and a text
#: that looks like its rich-string XML is written into the file as XML.
AWKWARD = [
    (6, "x" * 40_000, "after the long text", "😀" * 20_000, "and after that"),
    (7, "<r><t>ceci n'est pas</t></r>", "<r>", "</r>"),
]
COLUMNS = tuple(f"c{n}" for n in range(10))


def _sheet_xml(fast: bool, rows=ROWS) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True})
    sheet = book.add_worksheet("Inputs")
    sheet.set_column(1, 1, 60, wrap)
    sheet.set_column(3, 3, 30, wrap)
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.freeze_panes(1, 0)
    writer = xlsx._RowWriter(sheet, len(COLUMNS))
    rows = [(*row, *[None] * (len(COLUMNS) - len(row))) for row in rows]
    assert writer.fast
    for n, row in enumerate(rows, start=1):
        if fast:
            writer.write(n, row)
        else:
            sheet.write_row(n, 0, row)
    sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)
    book.close()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_rows_written_straight_are_the_bytes_xlsxwriter_writes():
    mine, theirs = _sheet_xml(fast=True), _sheet_xml(fast=False)
    assert b"_x005F_x0041_" in mine and b"&lt;b&gt;" in mine and b"_x000D_" in mine
    assert mine == theirs


def test_a_long_text_is_cut_at_excels_limit_and_the_row_goes_on_and_markup_is_text():
    xml = _sheet_xml(fast=True, rows=AWKWARD).decode("utf-8")
    assert "x" * 32_767 + "</t>" in xml and "x" * 32_768 not in xml
    assert "after the long text" in xml and "and after that" in xml
    # 20,000 emoji are 40,000 UTF-16 units: cut to 16,383 of them (32,766 units).
    assert "😀" * 16_383 + "</t>" in xml
    assert "&lt;r&gt;&lt;t&gt;ceci n'est pas&lt;/t&gt;&lt;/r&gt;" in xml
    assert "<r><t>" not in xml
