"""The public report, built by a job once per state of the consultation, kept in the stored files.

A report of 10,000 inputs takes half a minute or more to gather and lay out: far too long for
a request, and the same for every reader. So a job (``consult/exports/report_jobs.py``) builds
the memo (pickled) and its PDF and DOCX, per language, and stores them under keys named by a
fingerprint of everything the public report shows (``reports/<consultation id>-<lang>-
<fingerprint>.memo|pdf|docx``): the draft's texts, what moderation published, the approved
replies, consent and the høringsliste. When any of it changes the fingerprint changes, and the
page serves the last build while a new one is made; older builds are removed once a new one is
stored. A build whose fingerprint is already stored does nothing, so it is safe to run twice.
"""

from __future__ import annotations

import hashlib
import os
import pickle  # noqa: S403 - reads back only files this module stored, under keys it chose
import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select

from consult import storage
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.db import write_lock
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
BUILD = 4
#: The files of one build: the memo (for the page) and the two downloads.
PARTS = ("memo", "pdf", "docx")


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
            # Themes: the main points and the appendix's groups (renamed: the lengths).
            (Tag.id, func.sum(func.length(Tag.name)), Tag.consultation_id),
        )
    ]
    # Tagging inputs moves no stamp either: count the consultation's input tags.
    tagged = (
        db.session.execute(
            select(func.count(), func.sum(input_tags.c.input_id))
            .select_from(input_tags)
            .join(Tag, Tag.id == input_tags.c.tag_id)
            .where(Tag.consultation_id == consultation.id)
        )
        .one()
        ._tuple()
    )
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
        tagged,
        published,
        people,
        types,
        texts,
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _prefix(consultation_id: int, lang: str) -> str:
    return f"reports/{consultation_id}-{lang}-"


def key(consultation_id: int, lang: str, mark: str, part: str) -> str:
    """The storage key of one file of one build."""
    return f"{_prefix(consultation_id, lang)}{mark}.{part}"


def _marks(consultation_id: int, lang: str) -> dict[str, set[str]]:
    """The stored builds of a report: fingerprint -> the parts stored."""
    found: dict[str, set[str]] = {}
    for stored in storage.keys(_prefix(consultation_id, lang)):
        mark, _, part = stored.removeprefix(_prefix(consultation_id, lang)).partition(".")
        found.setdefault(mark, set()).add(part)
    return found


@dataclass(frozen=True)
class Built:
    """A stored build of the report, and whether it shows the consultation as it is now."""

    consultation_id: int
    lang: str
    mark: str
    is_current: bool

    def key(self, part: str) -> str:
        return key(self.consultation_id, self.lang, self.mark, part)

    def memo(self) -> Memo:
        with storage.open(self.key("memo")) as source:
            return pickle.load(source)  # noqa: S301 - our own file, see the import


def lookup(consultation, tree: Tree, lang: str, part: str = "memo") -> Built | None:
    """The build to serve: the current one if it is stored, else the last whole one, else None."""
    mark = fingerprint(consultation, tree, lang)
    stored = _marks(consultation.id, lang)
    if part in stored.get(mark, ()):
        return Built(consultation.id, lang, mark, True)
    # Only one older build is kept (the newer replaces it when whole); prefer a whole one.
    others = sorted((set(PARTS) <= parts, m) for m, parts in stored.items() if part in parts)
    if not others:
        return None
    return Built(consultation.id, lang, others[-1][1], False)


def build(
    consultation, tree: Tree, lang: str, on_step: Callable[[str], None] | None = None
) -> bool:
    """Build and store the report as it is now, unless that build is stored; remove older ones.

    Return whether anything was built. The slow parts (gathering, laying out) read only; the
    files are stored together at the end (on SQLite under the write lock), and then the
    older builds go: a reader sees the old build or the new one, whole.
    """
    mark = fingerprint(consultation, tree, lang)
    if set(PARTS) <= _marks(consultation.id, lang).get(mark, set()):
        return False
    from consult.exports.files import render

    step = on_step or (lambda _name: None)
    memo = build_memo(consultation, tree, public=True, lang=lang)
    step("memo")
    made: dict[str, str] = {}
    try:
        for part in PARTS:
            handle, made[part] = tempfile.mkstemp(prefix="consult-report-", suffix=f".{part}")
            with os.fdopen(handle, "wb") as out:
                if part == "memo":
                    pickle.dump(memo, out)
                else:
                    render(part, memo, out)
            if part != "memo":
                step(part)
        db.session.commit()  # end the reading transaction before taking the write lock
        with write_lock():
            for part, path in made.items():
                with open(path, "rb") as source:
                    storage.save(key(consultation.id, lang, mark, part), source)
            for older in _marks(consultation.id, lang).keys() - {mark}:
                for part in PARTS:
                    storage.delete(key(consultation.id, lang, older, part))
            db.session.commit()
    finally:
        for path in made.values():
            os.unlink(path)
    return True


def remove_builds(consultation_id: int) -> None:
    """Remove every stored build of the report, in both languages (the caller commits)."""
    for stored in storage.keys(f"reports/{consultation_id}-"):
        storage.delete(stored)
