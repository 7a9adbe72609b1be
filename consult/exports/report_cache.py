"""The public report, built once per state of the consultation and kept under instance/reports.

A report of 10,000 inputs takes half a minute to lay out as PDF: too long for a request, and
the same for every reader. So the memo (pickled) and its PDF and DOCX are kept in files named
by a fingerprint of everything the public report shows: the draft's texts, what moderation
published, the approved replies, consent and the høringsliste. When any of it changes, the
fingerprint changes and the next reader gets a fresh build; older builds of the same report
are removed. Files are written to a temporary name and renamed, so a reader never gets half
a file, and two workers building at once just both write the same thing.
"""

from __future__ import annotations

import hashlib
import os
import pickle  # noqa: S403 - reads back only files this module wrote under instance/
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select

from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.drafts.services import Tree
from consult.exports.document import Memo
from consult.exports.memo import build_memo
from consult.extensions import db
from consult.invitations.models import Invitation
from consult.moderation.models import Contribution
from consult.moderation.models import ModerationState
from consult.reference.models import RespondentType
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response

#: Bump when the memo's shape or a renderer changes, so old builds are not served.
BUILD = 2


def fingerprint(consultation, tree: Tree, lang: str) -> str:
    """A short hash that changes whenever the public report would."""
    state = [
        db.session.execute(select(func.count(key), stamp).where(column == consultation.id))
        .one()
        ._tuple()
        for key, stamp, column in (
            (Contribution.id, func.max(Contribution.reviewed_at), Contribution.consultation_id),
            (Response.id, func.max(Response.updated_at), Response.consultation_id),
            (Reply.id, func.max(Reply.updated_at), Reply.consultation_id),
            # Renamed organisations and campaigns change the lengths (a cheap check).
            (
                Invitation.id,
                func.sum(func.length(Invitation.organisation)),
                Invitation.consultation_id,
            ),
            (
                DuplicateGroup.id,
                func.sum(func.length(DuplicateGroup.label)),
                DuplicateGroup.consultation_id,
            ),
        )
    ]
    # Renamed respondent types show in every quote: the whole (short) list is part of it.
    types = db.session.execute(
        select(RespondentType.id, RespondentType.name_da, RespondentType.name_en)
    ).all()
    # Three public reports take a contribution down without a review, and "About you" changes
    # a name after submission: neither moves a stamp above.
    published = (
        db.session.execute(
            select(func.count(), func.sum(Contribution.id)).where(
                Contribution.consultation_id == consultation.id,
                Contribution.state == ModerationState.PUBLISHED,
            )
        )
        .one()
        ._tuple()
    )
    # Who said it, and which reply answers it (a bulk re-assignment stamps the inputs).
    people = [
        db.session.scalar(
            select(func.max(stamp))
            .join(Response, join)
            .where(Response.consultation_id == consultation.id)
        )
        for stamp, join in (
            (Respondent.updated_at, Response.respondent_id == Respondent.id),
            (Input.updated_at, Response.id == Input.response_id),
        )
    ]
    texts = [
        (node.key, node.revision.title_da, node.revision.title_en, node.revision.body_da)
        for node in tree.by_key.values()
    ]
    parts = (
        BUILD,
        lang,
        consultation.updated_at,
        tree.version.id,
        state,
        published,
        people,
        types,
        texts,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _folder() -> Path:
    folder = Path(
        current_app.config.get("REPORT_DIR") or Path(current_app.instance_path, "reports")
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _cached(name: str, stem: str, write) -> Path:
    """Return ``name`` in the folder, writing it with ``write(file)`` if it is not there yet."""
    folder = _folder()
    path = folder / name
    if path.exists():
        return path
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".building-")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    suffix = path.suffix
    for old in folder.glob(f"{stem}-*{suffix}"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def _stem(consultation, lang: str) -> str:
    return f"{consultation.id}-{lang}"


def public_memo(consultation, tree: Tree, lang: str, *, mark: str | None = None) -> Memo:
    """The public report as data: from the cache, or built and cached.

    :param mark: the fingerprint, when the caller has it already.
    """
    stem = _stem(consultation, lang)
    name = f"{stem}-{mark or fingerprint(consultation, tree, lang)}.memo"

    def write(out):
        pickle.dump(build_memo(consultation, tree, public=True, lang=lang), out)

    with _cached(name, stem, write).open("rb") as source:
        return pickle.load(source)  # noqa: S301 - our own file, see the import


def public_report_file(fmt: str, consultation, tree: Tree, lang: str) -> Path:
    """The public report as PDF or DOCX: from the cache, or rendered and cached."""
    from consult.exports.files import render

    stem = _stem(consultation, lang)
    mark = fingerprint(consultation, tree, lang)

    def write(out):
        render(fmt, public_memo(consultation, tree, lang, mark=mark), out)

    return _cached(f"{stem}-{mark}.{fmt}", stem, write)
