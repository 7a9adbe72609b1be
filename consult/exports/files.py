"""Make an export in any format: one function each for the CLI and the download views."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from typing import IO

from consult.drafts.services import Tree
from consult.exports import pg_copy
from consult.exports import rows as exports
from consult.exports import statements
from consult.exports.memo import build_memo
from consult.exports.tabular import csv_stream
from consult.exports.tabular import json_stream
from consult.exports.tabular import safe_cell

FORMATS = ("csv", "xlsx", "docx", "json")
#: Media types and file endings of what is sent.
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def text_chunks(
    fmt: str,
    consultation,
    tree: Tree,
    *,
    public: bool = False,
    lang: str = "da",
    delimiter: str = ";",
) -> Iterator[str]:
    """CSV (words in ``lang``) or JSON (codes) as a stream of text chunks."""
    labels = exports.labels_for(lang) if fmt == "csv" else exports.codes_for(lang)
    columns = exports.columns(public)
    safe = safe_cell if fmt == "csv" else None  # JSON carries the text as it is
    rows = exports.stream(consultation.id, tree, labels, public=public, lang=lang, safe=safe)
    if fmt == "csv":
        return csv_stream(rows, columns, delimiter)
    # The general comments and the letters: record types of their own, before the inputs.
    records = [
        (
            kind,
            statements.columns(kind, public),
            statements.stream(consultation.id, kind, labels, public=public, lang=lang),
        )
        for kind in statements.KINDS
    ]
    return json_stream(consultation, tree, rows, columns, public=public, records=records)


def statement_chunks(
    kind: str, consultation, *, public: bool = False, lang: str = "da", delimiter: str = ";"
) -> Iterator[str]:
    """The general comments (``kind`` "comments") or the letters ("letters") as a CSV of
    their own (``<slug>-comments.csv``, ``<slug>-letters.csv``), words in ``lang``."""
    labels = exports.labels_for(lang)
    rows = statements.stream(
        consultation.id, kind, labels, public=public, lang=lang, safe=safe_cell
    )
    return csv_stream(rows, statements.columns(kind, public), delimiter)


def write_binary(fmt: str, consultation, tree: Tree, out: IO[bytes], *, public=False, lang="da"):
    """XLSX, DOCX (the memo) or PDF (the public report) to a binary file."""
    if fmt == "xlsx":
        from consult.exports.xlsx import write_xlsx

        write_xlsx(consultation, tree, out, public=public, lang=lang)
        return
    render(fmt, build_memo(consultation, tree, public=public, lang=lang), out)


def render(fmt: str, memo, out: IO[bytes]) -> None:
    """Lay out a memo as DOCX or PDF (the renderers load only when needed)."""
    if fmt == "docx":
        from consult.exports.docx import render_docx

        render_docx(memo, out)
    elif fmt == "pdf":
        from consult.exports.pdf import render_pdf

        render_pdf(memo, out)
    else:
        raise ValueError(fmt)


def write_file(path: str, fmt: str, consultation, tree: Tree, **options) -> None:
    """Write any format to ``path`` (the CLI)."""
    with open(path, "wb") as out:
        write_to(out, fmt, consultation, tree, **options)


def write_to(out: IO[bytes], fmt: str, consultation, tree: Tree, **options) -> None:
    """Write any format to the binary file ``out`` (a job's temporary file)."""
    delimiter = options.pop("delimiter", ";")
    if fmt == "csv" and pg_copy.available():
        # PostgreSQL writes the rows itself (COPY), ten times faster than Python.
        public, lang = options.get("public", False), options.get("lang", "da")
        labels = exports.labels_for(lang)
        pg_copy.write_csv(
            out, consultation.id, tree, labels, public=public, lang=lang, delimiter=delimiter
        )
        return
    if fmt in ("csv", "json"):
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
        try:
            for chunk in text_chunks(fmt, consultation, tree, delimiter=delimiter, **options):
                text.write(chunk)
            text.flush()
        finally:
            text.detach()  # leave ``out`` open for the caller
        return
    write_binary(fmt, consultation, tree, out, **options)


def temporary(fmt: str, consultation, tree: Tree, **options) -> str:
    """Write a binary export to a temporary file (the caller removes it); return its path."""
    handle, path = tempfile.mkstemp(prefix="consult-export-", suffix=f".{fmt}")
    try:
        with os.fdopen(handle, "wb") as out:
            write_binary(fmt, consultation, tree, out, **options)
    except BaseException:
        os.unlink(path)
        raise
    return path
