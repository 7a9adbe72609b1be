"""Importing a høringsliste from CSV: every bad line reported by number, or nothing stored."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select

from consult.drafts.models import Consultation
from consult.extensions import db
from consult.invitations.models import Invitation
from consult.invitations.services import InvitationError
from consult.invitations.services import clean_organisation
from consult.invitations.services import invited_by_key
from consult.invitations.services import normalize_email
from consult.invitations.services import organisation_key
from consult.reference.models import RespondentType

#: The header names a CSV file may use (compared lower-cased), by the column they mean.
HEADERS = {
    "organisation": "organisation",
    "organization": "organisation",
    "email": "email",
    "e-mail": "email",
    "type": "type",
}


@dataclass
class LineError:
    """What is wrong with one line of an imported file (line 1 is the header)."""

    line: int
    code: str
    value: str = ""


@dataclass
class SkippedLine:
    """A line not imported because the organisation is on the list or earlier in the file."""

    line: int
    organisation: str
    #: "invited": already on the list; "repeated": earlier in the file (``first_line``).
    code: str
    first_line: int | None = None


class CsvImportError(Exception):
    """The file has bad lines; nothing of it was imported."""

    def __init__(self, errors: list[LineError]):
        super().__init__(f"{len(errors)} bad lines")
        self.errors = errors


@dataclass
class ImportResult:
    added: list[Invitation] = field(default_factory=list)
    skipped: list[SkippedLine] = field(default_factory=list)


# --- adding ------------------------------------------------------------------------------------


def _rows(text: str):
    """Read ``text`` with the delimiter its header line uses (";" or ",")."""
    header = text.split("\n", 1)[0]
    try:
        dialect = csv.Sniffer().sniff(header, delimiters=";,")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if header.count(";") > header.count(",") else ","
    # Strict: a stray quotation mark is reported rather than swallowing the lines after it.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _columns(header: list[str]) -> dict[str, int] | LineError:
    """Map each known column to its position; report a header without "organisation"."""
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        column = HEADERS.get(name.strip().lower())
        if column is None:
            continue  # other columns (notes, contact names) are ignored
        if column in columns:
            return LineError(1, "header_repeated", name.strip())
        columns[column] = position
    if "organisation" not in columns:
        return LineError(1, "header_missing")
    return columns


def _types() -> dict[str, int]:
    """Offered respondent types by code, lower-cased."""
    return {
        code.lower(): id_
        for id_, code in db.session.execute(
            select(RespondentType.id, RespondentType.code).where(RespondentType.is_active.is_(True))
        )
    }


def decode_csv(data: bytes) -> str:
    """Return the file's text (UTF-8, with or without a byte order mark).

    :raises CsvImportError: ``not_utf8`` when the bytes are not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvImportError([LineError(line, "not_utf8")]) from None


def import_csv(consultation: Consultation, text: str) -> ImportResult:
    """Add every organisation in ``text`` (CSV with a header row), or none if a line is bad.

    Organisations already on the list, or repeated in the file, are skipped and reported.

    :raises CsvImportError: with every bad line, its number and why; nothing is added.
    """
    if not text.strip():
        raise CsvImportError([LineError(1, "empty")])
    rows = _rows(text)
    try:
        header = next(rows)
    except csv.Error:
        header = []
    columns = _columns(header)
    if isinstance(columns, LineError):
        raise CsvImportError([columns])
    types = _types()
    invited = invited_by_key(consultation.id)
    seen: dict[str, int] = {}
    errors: list[LineError] = []
    result = ImportResult()
    pending: list[Invitation] = []

    def cell(row: list[str], column: str) -> str:
        position = columns.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    while True:
        start = rows.line_num + 1
        try:
            row = next(rows, None)
        except csv.Error:
            # Where quoting goes wrong, the lines after it cannot be told apart any more.
            errors.append(LineError(start, "unreadable"))
            break
        if row is None:
            break
        line = rows.line_num
        if not any(value.strip() for value in row):
            continue
        line_errors = []
        organisation = email = ""
        type_id = None
        try:
            organisation = clean_organisation(cell(row, "organisation"))
        except InvitationError as error:
            line_errors.append(LineError(line, error.code, error.details.get("value", "")))
        try:
            email = normalize_email(cell(row, "email"))
        except InvitationError as error:
            line_errors.append(LineError(line, error.code, error.details["value"]))
        if code := cell(row, "type"):
            type_id = types.get(code.lower())
            if type_id is None:
                line_errors.append(LineError(line, "type_unknown", code))
        if line_errors:
            errors.extend(line_errors)
            continue
        key = organisation_key(organisation)
        if key in invited:
            result.skipped.append(SkippedLine(line, organisation, "invited"))
        elif key in seen:
            result.skipped.append(SkippedLine(line, organisation, "repeated", seen[key]))
        else:
            seen[key] = line
            pending.append(
                Invitation(
                    consultation_id=consultation.id,
                    organisation=organisation,
                    email=email,
                    respondent_type_id=type_id,
                )
            )
    if errors:
        raise CsvImportError(errors)
    db.session.add_all(pending)
    db.session.flush()
    result.added = pending
    return result


# --- who answered ------------------------------------------------------------------------------
