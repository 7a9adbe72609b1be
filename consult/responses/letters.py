"""Organisations' letters: a PDF checked by its content, stored outside the web root.

The file is written under a random name in ``LETTER_DIR`` (default ``instance/letters``), so
nothing the sender chose ever becomes part of a path; the name they gave it is kept only to
show and to suggest when the file is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import abort
from flask import current_app
from flask import send_file

from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Letter
from consult.responses.models import Response
from consult.responses.services import ResponseError
from consult.responses.services import ensure_open
from consult.responses.services import record_change
from consult.sanitize import clean_text
from consult.sanitize import strip_invisible

#: A PDF starts with this header (ISO 32000-1, 7.5.2) …
PDF_HEADER = b"%PDF-"
#: … and ends with this marker, possibly followed by a line end or a little padding.
PDF_EOF = b"%%EOF"
CHUNK = 64 * 1024


def letter_dir() -> Path:
    path = Path(current_app.config.get("LETTER_DIR") or Path(current_app.instance_path, "letters"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(letter: Letter) -> Path:
    return letter_dir() / letter.storage_name


def display_name(filename: str | None) -> str:
    """The name a letter is shown and downloaded under: no path, no invisible characters."""
    name = strip_invisible(os.path.basename((filename or "").replace("\\", "/")))
    name = clean_text(name, multiline=False)
    name = name.strip(". ")[:150] or "letter"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def _read_checked(stream: BinaryIO, limit: int, target: Path) -> tuple[int, str]:
    """Copy the upload to ``target`` while checking size and PDF markers; return size, sha256."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    with target.open("xb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise ResponseError("letter_too_large", limit=limit)
            if len(head) < len(PDF_HEADER):
                head = (head + chunk)[: len(PDF_HEADER)]
            tail = (tail + chunk)[-1024:]
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise ResponseError("letter_empty")
    if head != PDF_HEADER or PDF_EOF not in tail:
        raise ResponseError("letter_not_pdf")
    return size, digest.hexdigest()


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
    target = letter_dir() / storage_name
    try:
        size, sha256 = _read_checked(stream, current_app.config["LETTER_MAX_BYTES"], target)
    except BaseException:
        target.unlink(missing_ok=True)
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
    record_change(response, now)
    db.session.flush()
    return letter, replaced


def detach_letter(response: Response, now: datetime | None = None) -> str | None:
    """Remove the response's letter; return the stored file's name to delete after commit."""
    now = now or utcnow()
    ensure_open(response.consultation, now)
    letter = response.letter
    if letter is None:
        return None
    storage_name = letter.storage_name
    db.session.delete(letter)
    record_change(response, now)
    db.session.flush()
    return storage_name


def remove_files(*storage_names: str | None) -> None:
    """Delete stored files no row points at any more (call after the commit)."""
    for name in storage_names:
        if name:
            (letter_dir() / name).unlink(missing_ok=True)


def send_letter(letter: Letter):
    """Answer with the letter as a PDF download that no cache keeps.

    Never stored by a browser or proxy: a one-off respondent's letter on a shared computer, or
    a published letter a moderator hides later, must not outlive the page that offered it.
    The name is cleaned again on the way out, for rows stored before the rules were tight.
    A row whose file has gone (a restore without the letters folder) is a 404, not a 500.
    """
    if not path_of(letter).is_file():
        current_app.logger.error("letter %s has no file", letter.id)
        abort(404)
    response = send_file(
        path_of(letter),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=display_name(letter.filename),
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Vary"] = "Cookie"
    return response
