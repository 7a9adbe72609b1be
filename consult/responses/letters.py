"""Organisations' letters: a PDF checked by its content, kept in the stored files.

The file is stored under a random name (key ``letters/<random>.pdf``, see ``consult.storage``),
so nothing the sender chose ever becomes part of a key; the name they gave it is kept only to
show and to suggest when the file is downloaded. ``Letter.storage_name`` is the random part, so
rows written before the stored files (when letters lived in ``instance/letters``) keep working
once ``flask consult storage import-files`` has copied that folder in.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
from datetime import datetime
from typing import BinaryIO

from flask import abort
from flask import current_app
from sqlalchemy import select

from consult import storage
from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Letter
from consult.responses.models import Response
from consult.responses.pdftext import extract_text
from consult.responses.services import ResponseError
from consult.responses.services import ensure_open
from consult.responses.services import record_change
from consult.responses.services import statement_input
from consult.sanitize import clean_text
from consult.sanitize import strip_invisible

#: A PDF starts with this header (ISO 32000-1, 7.5.2) …
PDF_HEADER = b"%PDF-"
#: … and ends with this marker, possibly followed by a line end or a little padding.
PDF_EOF = b"%%EOF"
CHUNK = 64 * 1024


def key_of(storage_name: str) -> str:
    """The storage key of a letter's file."""
    return f"letters/{storage_name}"


def display_name(filename: str | None) -> str:
    """The name a letter is shown and downloaded under: no path, no invisible characters."""
    name = strip_invisible(os.path.basename((filename or "").replace("\\", "/")))
    name = clean_text(name, multiline=False)
    name = name.strip(". ")[:150] or "letter"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


class _Checked:
    """Read the upload through, checking its size and PDF markers and hashing it on the way."""

    def __init__(self, stream: BinaryIO, limit: int):
        self.stream = stream
        self.limit = limit
        self.digest = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.tail = b""
        #: The file as read (at most the limit), for its text once it is checked.
        self.data = io.BytesIO()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(CHUNK if size is None or size < 0 else min(size, CHUNK))
        self.size += len(chunk)
        if self.size > self.limit:
            raise ResponseError("letter_too_large", limit=self.limit)
        if len(self.head) < len(PDF_HEADER):
            self.head = (self.head + chunk)[: len(PDF_HEADER)]
        self.tail = (self.tail + chunk)[-1024:]
        self.digest.update(chunk)
        self.data.write(chunk)
        return chunk

    def check(self) -> tuple[int, str]:
        if self.size == 0:
            raise ResponseError("letter_empty")
        if self.head != PDF_HEADER or PDF_EOF not in self.tail:
            raise ResponseError("letter_not_pdf")
        return self.size, self.digest.hexdigest()


def attach_letter(
    response: Response, stream: BinaryIO, filename: str | None, now: datetime | None = None
) -> tuple[Letter, str | None]:
    """Store the organisation's letter, replacing an earlier one.

    Return the new letter and the stored name of the file it replaced, for ``remove_files``
    to delete once the change is committed.
    """
    now = now or utcnow()
    ensure_open(response.consultation, now)
    respondent_type = response.respondent.respondent_type
    if respondent_type is None or not respondent_type.is_organisation:
        raise ResponseError("letter_not_organisation")
    storage_name = f"{secrets.token_hex(16)}.pdf"
    checked = _Checked(stream, current_app.config["LETTER_MAX_BYTES"])
    try:
        storage.save(key_of(storage_name), checked)
        size, sha256 = checked.check()
    except BaseException:
        storage.delete(key_of(storage_name))
        raise
    replaced = response.letter.storage_name if response.letter is not None else None
    if response.letter is not None:
        db.session.delete(response.letter)
        db.session.flush()
    letter = Letter(
        response=response,
        filename=display_name(filename),
        size_bytes=size,
        sha256=sha256,
        storage_name=storage_name,
    )
    db.session.add(letter)
    _keep_letter_input(response, extract_text(checked.data.getvalue()))
    record_change(response, now)
    db.session.flush()
    return letter, replaced


def _keep_letter_input(response: Response, text: str | None) -> None:
    """Keep the letter's input (kind letter) in step: its text, or gone with the letter."""
    existing = statement_input(response, InputKind.LETTER)
    if text is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(Input(response_id=response.id, kind=InputKind.LETTER, text=text))
    else:
        # A new letter is new content: the work on the old one (tags, reply) stays with the
        # input, but its text is the new letter's.
        existing.text = text
    db.session.flush()
    db.session.expire(response, ["letter_input"])


def detach_letter(response: Response, now: datetime | None = None) -> str | None:
    """Remove the response's letter; return the stored file's name to delete after commit."""
    now = now or utcnow()
    ensure_open(response.consultation, now)
    letter = response.letter
    if letter is None:
        return None
    storage_name = letter.storage_name
    db.session.delete(letter)
    _keep_letter_input(response, None)
    record_change(response, now)
    db.session.flush()
    return storage_name


def read_stored_texts(*, again: bool = False) -> tuple[int, int]:
    """Read the text of stored letters into their inputs: those with no text yet (letters
    from before their text was read, or whose file was missing), or every one (``again``).

    Return (letters read, letters with text). A letter whose file is gone keeps "". Flushes.
    """
    query = (
        select(Letter, Input)
        .join(Input, (Input.response_id == Letter.response_id) & (Input.kind == InputKind.LETTER))
        .order_by(Letter.id)
    )
    if not again:
        query = query.where(Input.text == "")
    read = with_text = 0
    for letter, found in db.session.execute(query).all():
        try:
            with storage.open(key_of(letter.storage_name)) as stream:
                data = stream.read(current_app.config["LETTER_MAX_BYTES"] + 1)
        except storage.FileMissing:
            continue
        found.text = extract_text(data)
        read += 1
        with_text += bool(found.text)
    db.session.flush()
    return read, with_text


def remove_files(*storage_names: str | None) -> None:
    """Delete stored files no row points at any more; call after the commit (and it commits).

    A file is removed only once no row can point at it; should this fail, an orphan file is
    left behind, never a row without its file.
    """
    for name in storage_names:
        if name:
            storage.delete(key_of(name))
    db.session.commit()


def send_letter(letter: Letter):
    """Answer with the letter as a PDF download that no cache keeps.

    Never stored by a browser or proxy: a one-off respondent's letter on a shared computer, or
    a published letter a moderator hides later, must not outlive the page that offered it.
    The name is cleaned again on the way out, for rows stored before the rules were tight.
    A row whose file has gone (a restore without the letters folder) is a 404, not a 500.
    """
    try:
        response = storage.send(
            key_of(letter.storage_name),
            mimetype="application/pdf",
            download_name=display_name(letter.filename),
        )
    except storage.FileMissing:
        current_app.logger.error("letter %s has no file", letter.id)
        abort(404)
    response.headers["Vary"] = "Cookie"
    return response
