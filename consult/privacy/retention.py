"""Retention: data is kept only for the periods configured (``RETENTION_*``), then removed.

``purge(dry_run=True)`` counts what each rule would remove; ``purge()`` removes it. Every rule
is safe to run twice and side by side (it removes what is old enough, whatever ran before),
so the daily job (``privacy.purge``) may run in every worker and ``flask consult purge`` at
any time.

Each rule, what goes, and the setting that says after how long:

- outbox: the text of sent mail (and of mail that gave up); who and when stay.
  RETENTION_OUTBOX_DAYS
- login_sessions: ended or expired sign-ins. RETENTION_LOGIN_SESSION_DAYS
- respondent_links: used or stale respond links; ended or expired devices.
  RETENTION_RESPONDENT_LINK_DAYS
- idle_respondents: one-off respondents who asked for a link and never saved anything.
  RETENTION_RESPONDENT_LINK_DAYS
- jobs: finished job rows (done or failed). RETENTION_JOB_DAYS
- audit_notes: the note and details of an audit event; the action, who and when stay.
  RETENTION_AUDIT_PERSONAL_DAYS
- respondent_emails: one-off respondents' addresses, once every consultation they answered
  has had its memo published that long. RETENTION_RESPONDENT_EMAIL_MONTHS
- letters: organisations' letters (file and row), after the memo. RETENTION_LETTER_MONTHS
- parked_posts: forms kept across a staff sign-in that ran out (``accounts.timeout``), after
  their two hours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from consult.accounts.models import LoginSession
from consult.audit.models import AuditEvent
from consult.audit.services import record
from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.extensions import db
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.mail.models import OutboxMessage
from consult.moderation.models import Contribution
from consult.privacy.models import MemoPublication
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import RespondentLink
from consult.responses.models import RespondentSession
from consult.responses.models import Response

#: A month, for retention: 30 days, so "6 months" is the same length every time.
MONTH = timedelta(days=30)


@dataclass
class Outcome:
    rule: str
    #: What goes, in words for the command line.
    what: str
    count: int


@dataclass(frozen=True)
class Rule:
    name: str
    what: str
    #: ``count(now) -> int``: how many rows the rule would change now.
    count: Callable[[datetime], int]
    #: ``apply(now) -> list[str]``: change them; return stored files to remove after commit.
    apply: Callable[[datetime], list[str]]


def _days(name: str) -> timedelta:
    return timedelta(days=int(current_app.config[f"RETENTION_{name}_DAYS"]))


def _months(name: str) -> timedelta:
    return MONTH * int(current_app.config[f"RETENTION_{name}_MONTHS"])


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


# --- outbox ----------------------------------------------------------------------------------


def _outbox(now: datetime):
    cutoff = now - _days("OUTBOX")
    gave_up = OutboxMessage.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    return select(OutboxMessage.id).where(
        OutboxMessage.body_text != "",
        OutboxMessage.created_at < cutoff,
        or_(OutboxMessage.sent_at.is_not(None), gave_up),
    )


def _apply_outbox(now: datetime) -> list[str]:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(_outbox(now)))
        .values(body_text="")
        .execution_options(synchronize_session=False)
    )
    return []


# --- sign-ins, links, devices -------------------------------------------------------------------


def _login_sessions(now: datetime):
    cutoff = now - _days("LOGIN_SESSION")
    # Ended, or unused for longer than any sign-in may last (the longest limit is a respondent's).
    dead = now - timedelta(hours=current_app.config["RESPONDENT_ABSOLUTE_HOURS"])
    return select(LoginSession.id).where(
        or_(LoginSession.ended_at < cutoff, LoginSession.created_at < min(cutoff, dead))
    )


def _apply_login_sessions(now: datetime) -> list[str]:
    db.session.execute(
        delete(LoginSession)
        .where(LoginSession.id.in_(_login_sessions(now)))
        .execution_options(synchronize_session=False)
    )
    return []


def _device_cutoffs(now: datetime) -> tuple[datetime, datetime]:
    cutoff = now - _days("RESPONDENT_LINK")
    lifetime = timedelta(hours=current_app.config["RESPONDENT_ABSOLUTE_HOURS"])
    return cutoff, cutoff - lifetime


def _links(now: datetime):
    cutoff, _ = _device_cutoffs(now)
    return select(RespondentLink.id).where(RespondentLink.created_at < cutoff)


def _devices(now: datetime):
    cutoff, expired = _device_cutoffs(now)
    return select(RespondentSession.id).where(
        or_(RespondentSession.ended_at < cutoff, RespondentSession.created_at < expired)
    )


def _count_links(now: datetime) -> int:
    return _count(_links(now)) + _count(_devices(now))


def _apply_links(now: datetime) -> list[str]:
    for model, stmt in ((RespondentLink, _links(now)), (RespondentSession, _devices(now))):
        db.session.execute(
            delete(model).where(model.id.in_(stmt)).execution_options(synchronize_session=False)
        )
    return []


def _idle_respondents(now: datetime):
    """One-off respondents with no response, no account and no link young enough to use."""
    cutoff, _ = _device_cutoffs(now)
    return select(Respondent.id).where(
        Respondent.user_id.is_(None),
        Respondent.created_at < cutoff,
        ~exists().where(Response.respondent_id == Respondent.id),
        ~exists().where(
            RespondentLink.respondent_id == Respondent.id, RespondentLink.created_at >= cutoff
        ),
    )


def _apply_idle_respondents(now: datetime) -> list[str]:
    ids = list(db.session.scalars(_idle_respondents(now)))
    for respondent_id in ids:
        for model in (RespondentLink, RespondentSession):
            rows = db.session.scalars(select(model).where(model.respondent_id == respondent_id))
            for row in rows:
                db.session.delete(row)
        db.session.flush()
        db.session.delete(db.session.get(Respondent, respondent_id))
    return []


# --- jobs and the audit log -------------------------------------------------------------------


def _jobs(now: datetime):
    cutoff = now - _days("JOB")
    return select(Job.id).where(
        Job.state.in_([JobState.DONE, JobState.FAILED]), Job.finished_at < cutoff
    )


def _apply_jobs(now: datetime) -> list[str]:
    db.session.execute(
        delete(Job).where(Job.id.in_(_jobs(now))).execution_options(synchronize_session=False)
    )
    return []


def _audit(now: datetime):
    cutoff = now - _days("AUDIT_PERSONAL")
    return select(AuditEvent.id).where(
        AuditEvent.at < cutoff, or_(AuditEvent.note != "", AuditEvent.details != "{}")
    )


def _apply_audit(now: datetime) -> list[str]:
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.id.in_(_audit(now)))
        .values(note="", details="{}")
        .execution_options(synchronize_session=False)
    )
    return []


# --- after the memo: addresses and letters ------------------------------------------------------


def note_publications(now: datetime) -> int:
    """Start the clock for published consultations that have none yet (published before the
    clock existed, or by a bulk update): from the first purge that sees them."""
    missing = db.session.scalars(
        select(Consultation.id).where(
            Consultation.status == Status.PUBLISHED,
            ~exists().where(MemoPublication.consultation_id == Consultation.id),
        )
    ).all()
    for consultation_id in missing:
        db.session.add(MemoPublication(consultation_id=consultation_id, published_at=now))
    return len(missing)


def _published_before(cutoff: datetime):
    """Consultation ids whose memo was published before ``cutoff``."""
    return select(MemoPublication.consultation_id).where(MemoPublication.published_at < cutoff)


def _respondent_emails(now: datetime):
    done = _published_before(now - _months("RESPONDENT_EMAIL"))
    return select(Respondent.id).where(
        Respondent.email.is_not(None),
        Respondent.user_id.is_(None),
        exists().where(Response.respondent_id == Respondent.id),
        ~exists().where(
            and_(Response.respondent_id == Respondent.id, Response.consultation_id.not_in(done))
        ),
    )


def _apply_respondent_emails(now: datetime) -> list[str]:
    for respondent in db.session.scalars(
        select(Respondent).where(Respondent.id.in_(_respondent_emails(now)))
    ):
        respondent.email = None
        for row in db.session.scalars(
            select(RespondentLink).where(RespondentLink.respondent_id == respondent.id)
        ):
            db.session.delete(row)
    return []


def _letters(now: datetime):
    done = _published_before(now - _months("LETTER"))
    return (
        select(Letter.id)
        .join(Response, Response.id == Letter.response_id)
        .where(Response.consultation_id.in_(done))
    )


def _apply_letters(now: datetime) -> list[str]:
    files = []
    for letter in db.session.scalars(select(Letter).where(Letter.id.in_(_letters(now)))):
        for contribution in db.session.scalars(
            select(Contribution).where(Contribution.letter_id == letter.id)
        ):
            db.session.delete(contribution)
        db.session.flush()
        files.append(letter.storage_name)
        db.session.delete(letter)
    return files


def _parked(now: datetime):
    from consult.accounts.models import ParkedPost
    from consult.accounts.timeout import PARKED_POST_HOURS

    since = now - timedelta(hours=PARKED_POST_HOURS)
    return select(ParkedPost.id).where(ParkedPost.created_at <= since)


def _apply_parked(now: datetime) -> list[str]:
    from consult.accounts.timeout import purge_parked

    purge_parked(now)
    return []


def _counter(query: Callable[[datetime], object]) -> Callable[[datetime], int]:
    return lambda now: _count(query(now))


RULES = (
    Rule("outbox", "texts of sent e-mails", _counter(_outbox), _apply_outbox),
    Rule("login_sessions", "ended sign-ins", _counter(_login_sessions), _apply_login_sessions),
    Rule("respondent_links", "used respond links and devices", _count_links, _apply_links),
    Rule(
        "idle_respondents",
        "respondents who never answered",
        _counter(_idle_respondents),
        _apply_idle_respondents,
    ),
    Rule("jobs", "finished job rows", _counter(_jobs), _apply_jobs),
    Rule("audit_notes", "notes and details of audit events", _counter(_audit), _apply_audit),
    Rule(
        "respondent_emails",
        "e-mail addresses of respondents",
        _counter(_respondent_emails),
        _apply_respondent_emails,
    ),
    Rule("letters", "organisations' letters", _counter(_letters), _apply_letters),
    Rule("parked_posts", "forms kept across a sign-in", _counter(_parked), _apply_parked),
)


def purge(*, dry_run: bool = False, now: datetime | None = None) -> tuple[list[Outcome], list[str]]:
    """Apply every rule (or only count, with ``dry_run``); flush, never commit.

    Returns what each rule removed (or would) and the stored letter files to delete once the
    caller has committed (``consult.responses.letters.remove_files``).
    """
    now = now or utcnow()
    if not dry_run:
        note_publications(now)
        db.session.flush()
    outcomes, files = [], []
    for rule in RULES:
        count = rule.count(now)
        outcomes.append(Outcome(rule.name, rule.what, count))
        if count and not dry_run:
            files += rule.apply(now)
            db.session.flush()
    removed = {o.rule: o.count for o in outcomes if o.count}
    if removed and not dry_run:
        record(None, "privacy.purge", "retention", 0, **removed)
        db.session.flush()
    return outcomes, files
