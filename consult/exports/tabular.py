"""CSV and JSON of the input, written as streams: a row at a time, memory flat at any size.

CSV is UTF-8 with a BOM (so Danish Excel reads æøå), with ``;`` (Danish Excel) or ``,``.
Every text cell is made safe for spreadsheets: a cell that starts with = + - @, a tab or a
carriage return is prefixed with an apostrophe, so no formula ever runs from an export.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from collections.abc import Iterator

from consult.db import utcnow
from consult.drafts.services import Tree
from consult.exports import rankings
from consult.i18n import localized

#: What a spreadsheet would read as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters no spreadsheet or XML file should receive (tab and newline are kept).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
JSON_SCHEMA = "consult-export/1"


def safe_cell(value):
    """Return a value a spreadsheet shows as text: no formula, no control characters."""
    if value.__class__ is not str:
        return value
    # A printable text holds no control character (isprintable is far cheaper than the pattern).
    if not value.isprintable() and CONTROL.search(value) is not None:
        value = CONTROL.sub("", value)
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_stream(
    rows: Iterable[tuple], columns: tuple[str, ...], delimiter: str = ";"
) -> Iterator[str]:
    """Yield the CSV text in chunks: a BOM and the header first, then the rows (tuples in the
    order of ``columns``, made safe for spreadsheets by ``rows.stream(safe=safe_cell)``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(columns)
    writerow = writer.writerow
    for n, row in enumerate(rows, start=1):
        writerow(row)
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def rankings_csv(consultation, tree: Tree, *, public: bool, lang: str, delimiter: str = ";") -> str:
    """What respondents ranked, as a CSV of its own (``<slug>-rankings.csv``): headings and
    numbers in ``lang`` (a decimal comma in Danish), one row per item and group."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(rankings.headings(lang))
    for row in rankings.csv_rows(consultation, tree, public=public, lang=lang):
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def _texts(obj, field: str) -> dict[str, str]:
    return {"da": getattr(obj, f"{field}_da"), "en": getattr(obj, f"{field}_en") or None}


def structure(consultation, tree: Tree) -> dict:
    """The consultation and its draft (the current version) as plain JSON data."""
    items = []
    for node in tree.by_key.values():
        revision = node.revision
        items.append(
            {
                "key": node.key,
                "kind": node.kind.value,
                "parent": node.parent.key if node.parent else None,
                "position": node.item.position,
                "title": _texts(revision, "title"),
                "body": _texts(revision, "body"),
                "alternatives": [
                    {"letter": a.letter, "text": _texts(a, "text")} for a in revision.alternatives
                ],
                "political_goals": [{"text": _texts(g, "text")} for g in revision.political_goals],
                "funds_dkk": revision.funds_dkk,
            }
        )
    return {
        "consultation": {
            "slug": consultation.slug,
            "title": _texts(consultation, "title"),
            "summary": _texts(consultation, "summary"),
            "status": consultation.status.value,
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
        },
        "version": {
            "number": tree.version.number,
            "label": localized(tree.version, "label")[0],
        },
        "items": items,
    }


def _decisions(consultation, tree: Tree, *, public: bool) -> dict:
    """The decision trail of the exported version (what changed, why, the input behind it) and
    who approved it: in the JSON head, beside the draft's structure."""
    from consult.approvals.services import approval_record
    from consult.drafts import trail as decisions

    return {
        "trail": decisions.trail(consultation, tree.version, public=public).as_dict(),
        "approvals": [
            {
                "party": {"da": r.party_da, "en": r.party_en},
                "version": r.version_number,
                "decided_at": r.decided_at.isoformat(timespec="seconds"),
                **({} if public else {"approver": r.approver_name or r.approver_email}),
            }
            for r in approval_record(consultation)
        ],
    }


def json_stream(
    consultation,
    tree: Tree,
    rows: Iterable[tuple],
    columns: tuple[str, ...],
    *,
    public: bool,
    records: Iterable[tuple[str, tuple[str, ...], Iterable[tuple]]] = (),
) -> Iterator[str]:
    """Return a JSON document (schema ``consult-export/1``) as chunks, the inputs last.

    ``records``: (name, columns, rows) of further record types (the general comments and the
    letters), each streamed as an array of its own before the inputs, its columns in the
    head's ``record_columns``. The head is made now, while ``consultation`` and ``tree`` are
    in their session."""
    records = list(records)
    head = {
        "schema": JSON_SCHEMA,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "public": public,
        "columns": list(columns),
        "record_columns": {name: list(cols) for name, cols, _rows in records},
        **structure(consultation, tree),
        **_decisions(consultation, tree, public=public),
        # What respondents ranked: aggregates only, a record type of its own.
        "rankings": rankings.json_records(consultation, tree, public=public),
    }
    # The head is complete JSON but for its last brace: the record arrays (the inputs last)
    # are streamed after it.
    return _json_document(
        json.dumps(head, ensure_ascii=False)[:-1], [*records, ("inputs", columns, rows)]
    )


def _json_document(head: str, arrays) -> Iterator[str]:
    yield head
    for name, columns, rows in arrays:
        yield f', "{name}": ['
        yield from _json_array(rows, columns)
    yield "}"


def _json_array(rows: Iterable[tuple], columns: tuple[str, ...]) -> Iterator[str]:
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    separator = ""  # none before the first record, a comma before every chunk after it
    chunk: list[str] = []
    for row in rows:
        chunk.append(dumps(dict(zip(columns, row, strict=True))))
        if len(chunk) >= 1000:
            yield separator + ",".join(chunk)
            separator, chunk = ",", []
    yield (separator if chunk else "") + ",".join(chunk) + "]"
