"""Moderation: keep contributions in step with responses, review them, take reports.

Services take the acting user and the objects, flush, and never commit. Every review is
written to the audit log; the respondent is told the outcome once nothing of theirs waits.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from consult.audit import services as audit
from consult.db import utcnow
from consult.extensions import db
from consult.moderation import pii
from consult.moderation.models import REDACTED
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionFlag
from consult.moderation.models import ContributionKind
from consult.moderation.models import HideReason
from consult.moderation.models import ModerationState
from consult.moderation.models import Report
from consult.readside import public
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Response
from consult.responses.models import ResponseState

#: Reports from this many addresses hide a contribution until a moderator has looked again.
REPORTS_TO_HIDE = 3


class ModerationError(ValueError):
    """A review that cannot be done; ``code`` says why, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- keeping contributions in step with responses ---------------------------------------------


@dataclass(frozen=True)
class Source:
    """What one contribution reviews: its texts by field, and where it comes from."""

    kind: ContributionKind
    texts: dict[str, str]
    input: Input | None = None
    letter: object | None = None

    @property
    def fingerprint(self) -> str:
        if self.letter is not None:
            return self.letter.sha256
        joined = "\x1f".join(f"{k}={v}" for k, v in sorted(self.texts.items()))
        return hashlib.sha256(joined.encode()).hexdigest()


def _sources(response: Response) -> list[Source]:
    inputs = db.session.scalars(select(Input).where(Input.response_id == response.id)).all()
    sources = []
    for i in inputs:
        if i.kind is InputKind.GOAL:
            sources.append(
                Source(ContributionKind.INPUT, {"text": i.text, "wording": i.proposed_wording}, i)
            )
        elif i.kind is InputKind.COMMENT and i.text.strip():
            sources.append(Source(ContributionKind.COMMENT, {"text": i.text}, i))
        elif i.kind is InputKind.LETTER and response.letter is not None:
            # The letter is reviewed as the file; the text read out of it is for staff only.
            sources.append(Source(ContributionKind.LETTER, {}, i, letter=response.letter))
    return sources


def _key(kind: ContributionKind, input_id: int | None, letter_id: int | None):
    return kind, input_id, letter_id


def _flag(contribution: Contribution, texts: dict[str, str]) -> None:
    contribution.flags = [
        ContributionFlag(field=name, start=f.start, end=f.end, kind=f.kind.value)
        for name, text in texts.items()
        for f in pii.find_personal_data(text)
    ]


def _requeue(contribution: Contribution, source: Source, private: bool, now: datetime) -> None:
    contribution.state = ModerationState.WITHHELD if private else ModerationState.PENDING
    contribution.fingerprint = source.fingerprint
    contribution.queued_at = now
    contribution.reviewed_at = contribution.reviewed_by_id = None
    contribution.public_text = contribution.public_wording = None
    contribution.is_redacted = False
    contribution.reason = None
    contribution.note = ""
    contribution.report_count = 0
    contribution.is_notified = False
    _flag(contribution, source.texts)


def sync_response(response: Response, now: datetime | None = None) -> None:
    """Bring the contributions of a submitted response in step with what it says now.

    New or changed texts go (back) to the queue with fresh flags; a response that may not be
    published keeps its contributions withheld; texts the respondent removed go.
    """
    if response.state is not ResponseState.SUBMITTED:
        return
    now = now or utcnow()
    private = response.consent is Consent.PRIVATE
    existing = {
        _key(c.kind, c.input_id, c.letter_id): c
        for c in db.session.scalars(
            select(Contribution).where(Contribution.response_id == response.id)
        )
    }
    sources = {
        _key(
            source.kind,
            source.input.id if source.input else None,
            source.letter.id if source.letter else None,
        ): source
        for source in _sources(response)
    }
    # Gone first: a replaced letter keeps its input, whose new contribution takes its place.
    for key in set(existing) - set(sources):
        db.session.delete(existing.pop(key))
    db.session.flush()
    for key, source in sources.items():
        contribution = existing.pop(key, None)
        if contribution is None:
            contribution = Contribution(
                consultation_id=response.consultation_id,
                response_id=response.id,
                kind=source.kind,
                input_id=key[1],
                letter_id=key[2],
                item_id=source.input.item_id if source.input else None,
            )
            db.session.add(contribution)
            _requeue(contribution, source, private, now)
        elif contribution.fingerprint != source.fingerprint:
            _requeue(contribution, source, private, now)
        elif private and contribution.state is not ModerationState.WITHHELD:
            contribution.state = ModerationState.WITHHELD
            contribution.public_text = contribution.public_wording = None
        elif not private and contribution.state is ModerationState.WITHHELD:
            contribution.state = ModerationState.PENDING
            contribution.queued_at = now
    db.session.flush()


def contributions_of(response: Response) -> dict[tuple[ContributionKind, int | None], Contribution]:
    """Return a response's contributions keyed by (kind, input id): for the respondent's page.

    The general comment and the letter are keyed with None: there is one of each at most."""
    return {
        (c.kind, c.input_id if c.kind is ContributionKind.INPUT else None): c
        for c in db.session.scalars(
            select(Contribution).where(Contribution.response_id == response.id)
        )
    }


# --- the queue ---------------------------------------------------------------------------------

#: Filters the queue understands; anything else in the URL is ignored.
FLAG_FILTERS = ("any", "flagged", "clean", *(k.value for k in pii.Kind))


@dataclass
class QueueFilter:
    consultation_id: int | None = None
    item_id: int | None = None
    flag: str = "any"
    #: Only contributions waiting at least this many days.
    older_than_days: int | None = None


def queue_query(filters: QueueFilter, now: datetime | None = None):
    """Return a select of what waits for a moderator, oldest first.

    That is everything pending, and published contributions the public has reported since.
    """
    now = now or utcnow()
    query = (
        select(Contribution)
        .join(Response, Response.id == Contribution.response_id)
        .where(
            Response.state == ResponseState.SUBMITTED,
            or_(
                Contribution.state == ModerationState.PENDING,
                Contribution.report_count > 0,
            ),
        )
        .order_by(Contribution.queued_at, Contribution.id)
    )
    if filters.consultation_id:
        query = query.where(Contribution.consultation_id == filters.consultation_id)
    if filters.item_id:
        query = query.where(Contribution.item_id == filters.item_id)
    flagged = exists().where(ContributionFlag.contribution_id == Contribution.id)
    if filters.flag == "flagged":
        query = query.where(flagged)
    elif filters.flag == "clean":
        query = query.where(~flagged)
    elif filters.flag in {k.value for k in pii.Kind}:
        query = query.where(flagged.where(ContributionFlag.kind == filters.flag))
    if filters.older_than_days:
        query = query.where(Contribution.queued_at <= now - timedelta(days=filters.older_than_days))
    return query


def queue_size(consultation_id: int | None = None) -> int:
    query = queue_query(QueueFilter(consultation_id=consultation_id))
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def is_clean(contribution: Contribution) -> bool:
    """Nothing flagged and nothing reported: safe to publish in bulk."""
    return not contribution.flags and contribution.report_count == 0


# --- reviewing -----------------------------------------------------------------------------------


def texts_of(contribution: Contribution) -> dict[str, str]:
    """Return the original texts under review, by field ("text", "wording")."""
    if contribution.kind is ContributionKind.INPUT:
        return {"text": contribution.input.text, "wording": contribution.input.proposed_wording}
    if contribution.kind is ContributionKind.COMMENT:
        return {"text": contribution.input.text}
    # A letter is reviewed as the file: the text read out of it is never made public.
    return {}


def _check_current(contribution: Contribution, fingerprint: str | None) -> None:
    """Refuse a review of a text the respondent has changed since the moderator read it."""
    if fingerprint is not None and fingerprint != contribution.fingerprint:
        raise ModerationError("changed")
    if contribution.state is ModerationState.WITHHELD:
        raise ModerationError("withheld")


def _conclude(
    contribution: Contribution,
    actor,
    action: str,
    state: ModerationState,
    *,
    public: tuple[str | None, str | None] = (None, None),
    is_redacted: bool = False,
    reason: HideReason | None = None,
    note: str = "",
    now: datetime | None = None,
    **details,
) -> None:
    """Record a review's outcome, deal with open reports and write it to the audit log."""
    contribution.state = state
    contribution.public_text, contribution.public_wording = public
    contribution.is_redacted = is_redacted
    contribution.reason = reason
    contribution.note = note
    contribution.reviewed_at = now or utcnow()
    contribution.reviewed_by_id = actor.id
    contribution.report_count = 0
    contribution.is_notified = False
    db.session.execute(
        update(Report)
        .where(Report.contribution_id == contribution.id, Report.is_resolved.is_(False))
        .values(is_resolved=True, reporter_key=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(contribution, ["reports"])
    audit.record(
        actor,
        action,
        "contribution",
        contribution.id,
        consultation_id=contribution.consultation_id,
        reason=reason.value if reason else "",
        note=note,
        **details,
    )
    db.session.flush()


def _frozen(text: str | None, wording: str | None) -> tuple[tuple[str | None, str | None], bool]:
    """The public texts as the read side freezes them (never a CPR number), and whether it
    removed anything."""
    (text, cut_text), (wording, cut_wording) = public.freeze(text), public.freeze(wording)
    return (text, wording), cut_text or cut_wording


def publish(contribution: Contribution, actor, *, fingerprint: str | None = None, now=None):
    """Publish the contribution as written (a CPR number in it is removed all the same)."""
    _check_current(contribution, fingerprint)
    texts = texts_of(contribution)
    frozen, cut = _frozen(texts.get("text"), texts.get("wording"))
    _conclude(
        contribution,
        actor,
        "moderation.publish",
        ModerationState.PUBLISHED,
        public=frozen,
        is_redacted=cut,
        reason=HideReason.PERSONAL_DATA if cut else None,
        now=now,
    )


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redacted(text: str, spans: list[tuple[int, int]]) -> str:
    """Return ``text`` with each span replaced by the REDACTED mark."""
    out, at = [], 0
    for start, end in _merge(spans):
        out += [text[at:start], REDACTED]
        at = end
    out.append(text[at:])
    return "".join(out)


def spans_of_phrases(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    """Return every place a phrase occurs in ``text``, whatever its case."""
    spans, folded = [], text.casefold()
    for phrase in filter(None, (p.strip().casefold() for p in phrases)):
        at = folded.find(phrase)
        while at != -1:
            spans.append((at, at + len(phrase)))
            at = folded.find(phrase, at + len(phrase))
    return spans


def redact(
    contribution: Contribution,
    actor,
    spans: dict[str, list[tuple[int, int]]],
    reason: HideReason,
    note: str = "",
    *,
    fingerprint: str | None = None,
    now=None,
) -> None:
    """Remove the given spans of each field, then publish; the original stays for staff."""
    _check_current(contribution, fingerprint)
    if contribution.kind is ContributionKind.LETTER:
        raise ModerationError("letter_redaction")
    texts = texts_of(contribution)
    for name, ranges in spans.items():
        if name not in texts or any(not 0 <= s < e <= len(texts[name]) for s, e in ranges):
            raise ModerationError("bad_span")
    if not any(spans.values()):
        raise ModerationError("nothing_chosen")
    wording = texts.get("wording")
    frozen, _cut = _frozen(
        redacted(texts.get("text", ""), spans.get("text", [])),
        None if wording is None else redacted(wording, spans.get("wording", [])),
    )
    _conclude(
        contribution,
        actor,
        "moderation.redact",
        ModerationState.PUBLISHED,
        public=frozen,
        is_redacted=True,
        reason=reason,
        note=note,
        now=now,
        removed={name: len(_merge(r)) for name, r in spans.items() if r},
    )


def hide(
    contribution: Contribution,
    actor,
    reason: HideReason,
    note: str = "",
    *,
    fingerprint: str | None = None,
    now=None,
) -> None:
    """Keep the contribution from the public, with a reason the respondent is told."""
    _check_current(contribution, fingerprint)
    if reason is HideReason.OTHER and not note.strip():
        raise ModerationError("note_required")
    _conclude(
        contribution,
        actor,
        "moderation.hide",
        ModerationState.HIDDEN,
        reason=reason,
        note=note,
        now=now,
    )


def bulk_publish(ids: list[int], actor, now=None) -> list[Contribution]:
    """Publish the clean, pending contributions among ``ids``; skip anything flagged."""
    chosen = db.session.scalars(
        select(Contribution)
        .join(Response, Response.id == Contribution.response_id)
        .where(
            Contribution.id.in_(ids),
            Contribution.state == ModerationState.PENDING,
            Contribution.report_count == 0,
            ~exists().where(ContributionFlag.contribution_id == Contribution.id),
            Response.state == ResponseState.SUBMITTED,
        )
    ).all()
    for contribution in chosen:
        publish(contribution, actor, now=now)
    return chosen


# --- reports by the public -------------------------------------------------------------------


def reporter_key(address: str) -> str:
    """Return a keyed hash of an address: one report per address, no address stored."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()


def report(contribution: Contribution, reason: HideReason, text: str, reporter: str) -> bool:
    """Take a report on a published contribution; return False if this address already did.

    The report puts the contribution back in the queue; enough of them hide it until reviewed.
    """
    if contribution.state is not ModerationState.PUBLISHED:
        raise ModerationError("not_published")
    try:
        with db.session.begin_nested():
            db.session.add(
                Report(
                    contribution_id=contribution.id,
                    reason=reason,
                    text=text,
                    reporter_key=reporter,
                )
            )
    except IntegrityError:
        return False
    contribution.report_count = db.session.scalar(
        select(func.count())
        .select_from(Report)
        .where(Report.contribution_id == contribution.id, Report.is_resolved.is_(False))
    )
    if contribution.report_count >= REPORTS_TO_HIDE:
        contribution.state = ModerationState.PENDING
        contribution.public_text = contribution.public_wording = None
        audit.record(
            None,
            "moderation.auto_hide",
            "contribution",
            contribution.id,
            consultation_id=contribution.consultation_id,
            reports=contribution.report_count,
        )
    db.session.flush()
    return True
