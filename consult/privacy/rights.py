"""A person's rights: to see their data (GDPR art. 15) and to have it erased (art. 17).

A *person* is an account (User), a one-off respondent (Respondent, by e-mail link), or both:
an account's respondent is the one joined to it. ``Subject`` holds whichever there are.

Erasure follows the consultation's deadline, response by response:

- before the deadline (and for anything never submitted) the response is **deleted**, with
  its input, ranking, letter, history and moderation rows;
- after it, a submitted response is part of the consultation's record (the secretariat must
  weigh it, the memo may quote it): it is **anonymised**. Its text stays as published, the
  name goes (named consent becomes anonymous for a person; an organisation's name is not a
  person's data), and the respondent keeps no address, name or account.

Every row goes through the ORM (``session.delete``), so the events other areas keep counts
with (``Response.input_count``, the search index) see each removal. The audit log gets one
event, ``privacy.erase``, with counts and who asked, never the erased data.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy import select

from consult.accounts.models import LoginSession
from consult.accounts.models import RecoveryCode
from consult.accounts.models import User
from consult.audit import labels as audit_labels
from consult.audit.models import AuditEvent
from consult.audit.services import record
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.moderation.models import Contribution
from consult.readside import own
from consult.responses.models import Consent
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import RespondentLink
from consult.responses.models import RespondentSession
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from consult.responses.models import ResponseState

audit_labels.register(
    actions={
        "privacy.erase": _l("Personal data erased"),
        "privacy.export": _l("Personal data handed out"),
        "privacy.purge": _l("Old data removed (retention)"),
    },
    subjects={
        "respondent": _l("respondent %(n)d"),
        "participant": _l("session participant %(n)d"),
        "retention": _l("retention rules"),
    },
)


@dataclass
class Subject:
    """The person whose data is asked for: an account, a respondent, or both; or only an
    address (a session's participant, who has neither)."""

    user: User | None = None
    respondent: Respondent | None = None
    address: str | None = None

    @property
    def email(self) -> str | None:
        return (
            (self.user.email if self.user else None)
            or (self.respondent.email if self.respondent else None)
            or self.address
        )


def subject_of(user: User | None = None, respondent: Respondent | None = None) -> Subject:
    """Complete a subject: an account's respondent, a respondent's account."""
    if user is not None and respondent is None:
        respondent = db.session.scalar(select(Respondent).where(Respondent.user_id == user.id))
        if respondent is None and user.email_confirmed_at is not None:
            respondent = db.session.scalar(
                select(Respondent).where(
                    Respondent.user_id.is_(None), Respondent.email == user.email
                )
            )
    if respondent is not None and user is None and respondent.user_id is not None:
        user = db.session.get(User, respondent.user_id)
    return Subject(user=user, respondent=respondent)


def find_subject(email: str) -> Subject | None:
    """Find the person with this address (an admin handling a request), or None."""
    address = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == address))
    respondent = db.session.scalar(select(Respondent).where(Respondent.email == address))
    if user is None and respondent is None:
        return Subject(address=address) if participant_of(address) is not None else None
    return subject_of(user, respondent)


def participant_of(address: str):
    """The first session participant row with this address, if any."""
    from consult.sessions.models import Participant

    return db.session.scalars(
        select(Participant).where(Participant.email == address).order_by(Participant.id)
    ).first()


# --- access (art. 15) ------------------------------------------------------------------------


def collect(subject: Subject) -> dict:
    """Return everything stored about the person, as plain data (JSON-ready)."""
    data: dict = {"exported_at": utcnow().isoformat()}
    user = subject.user
    if user is not None:
        sessions = db.session.scalars(
            select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
        ).all()
        data["account"] = {
            "email": user.email,
            "name": user.name,
            "role": user.role.value,
            "language": user.locale,
            "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "password_changed_at": _iso(user.password_changed_at),
            "second_factor": user.totp_enabled_at is not None,
            "signs_in_with_oidc": user.oidc_subject is not None,
            "disabled": user.is_disabled,
            "sign_ins": [
                {
                    "started_at": _iso(s.created_at),
                    "last_seen_at": _iso(s.last_seen_at),
                    "ended_at": _iso(s.ended_at),
                }
                for s in sessions
            ],
        }
    respondent = subject.respondent
    if respondent is not None:
        data["respondent"] = {
            "email": respondent.email,
            "email_confirmed_at": _iso(respondent.email_confirmed_at),
            "name": respondent.name,
            "organisation": respondent.organisation,
            "respondent_type": _name(respondent.respondent_type),
            "sector": respondent.sector.value if respondent.sector else None,
            "municipality": _name(respondent.municipality),
            "health_cluster": _name(respondent.cluster),
            "language": respondent.locale,
            "respond_links": [
                {
                    "consultation": link.consultation.slug,
                    "sent_at": _iso(link.created_at),
                    "used_at": _iso(link.used_at),
                }
                for link in db.session.scalars(
                    select(RespondentLink)
                    .where(RespondentLink.respondent_id == respondent.id)
                    .order_by(RespondentLink.id)
                )
            ],
            "devices": [
                {"kept_at": _iso(d.created_at), "forgotten_at": _iso(d.ended_at)}
                for d in db.session.scalars(
                    select(RespondentSession)
                    .where(RespondentSession.respondent_id == respondent.id)
                    .order_by(RespondentSession.id)
                )
            ],
        }
        data["responses"] = own.responses_of(respondent.id)
    if subject.email:
        data["mail"] = [
            {
                "subject": m.subject,
                "queued_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "body": m.body_text,
            }
            for m in db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == subject.email)
                .order_by(OutboxMessage.id)
            )
        ]
        data["sessions_joined"] = _meetings_of(subject.email)
    return data


def _meetings_of(email: str) -> list[dict]:
    from consult.sessions.models import Participant

    rows = db.session.scalars(select(Participant).where(Participant.email == email)).all()
    return [{"meeting": p.meeting.title, "starts_at": _iso(p.meeting.starts_at)} for p in rows]


# --- erasure (art. 17) -----------------------------------------------------------------------


@dataclass
class ErasurePlan:
    """What erasing would do, shown before the person confirms."""

    to_delete: list[Response] = field(default_factory=list)
    to_anonymise: list[Response] = field(default_factory=list)

    @property
    def anonymises(self) -> bool:
        return bool(self.to_anonymise)


def plan(subject: Subject, now: datetime | None = None) -> ErasurePlan:
    """Sort the person's responses into deleted (before the deadline) and anonymised."""
    now = now or utcnow()
    result = ErasurePlan()
    if subject.respondent is None:
        return result
    responses = db.session.scalars(
        select(Response)
        .where(Response.respondent_id == subject.respondent.id)
        .order_by(Response.id)
    ).all()
    for response in responses:
        kept = response.state is ResponseState.SUBMITTED and now >= response.consultation.closes_at
        (result.to_anonymise if kept else result.to_delete).append(response)
    return result


@dataclass
class ErasureReport:
    deleted_responses: int = 0
    anonymised_responses: int = 0
    account_deleted: bool = False
    letters: list[str] = field(default_factory=list)


def erase(subject: Subject, *, actor: User | None = None, now: datetime | None = None):
    """Erase the person as ``plan`` says; flush. Returns an ErasureReport.

    The caller commits, then removes the stored letter files named in ``report.letters``
    (``consult.responses.letters.remove_files``), as every letter removal does.
    """
    now = now or utcnow()
    steps = plan(subject, now)
    report = ErasureReport()
    respondent, user = subject.respondent, subject.user
    email = subject.email
    if user is not None:
        subject_type, subject_id = "user", user.id
    elif respondent is not None:
        subject_type, subject_id = "respondent", respondent.id
    else:
        subject_type, subject_id = "participant", participant_of(email).id
    for response in steps.to_delete:
        report.letters += _delete_response(response)
        report.deleted_responses += 1
    for response in steps.to_anonymise:
        _anonymise_response(response, respondent)
        report.anonymised_responses += 1
    if respondent is not None:
        _erase_respondent(respondent, keep=bool(steps.to_anonymise))
    if email:
        _erase_address(email)
    if user is not None:
        _forget_audit_notes("user", user.id)
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
        logins = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
        for login in logins:
            db.session.delete(login)
        db.session.delete(user)
        report.account_deleted = True
    record(
        actor if actor is not None and actor is not user else None,
        "privacy.erase",
        subject_type,
        subject_id,
        by="self" if actor is None or actor is user else "admin",
        deleted_responses=report.deleted_responses,
        anonymised_responses=report.anonymised_responses,
        account_deleted=report.account_deleted,
    )
    db.session.flush()
    return report


def _delete_response(response: Response) -> list[str]:
    """Delete one response and everything of it, row by row through the ORM."""
    letters = []
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ):
        _forget_audit_notes("contribution", contribution.id)
        db.session.delete(contribution)
    db.session.flush()  # contributions point at inputs and the letter
    for model in (FocusAreaRank, GoalRank, ResponseEvent, Input):
        for row in db.session.scalars(select(model).where(model.response_id == response.id)):
            db.session.delete(row)
    if response.letter is not None:
        letters.append(response.letter.storage_name)
        db.session.delete(response.letter)
    db.session.flush()
    db.session.delete(response)
    return letters


def _anonymise_response(response: Response, respondent: Respondent) -> None:
    """Keep a submitted response after the deadline, without the person's name."""
    is_org = respondent.respondent_type is not None and respondent.respondent_type.is_organisation
    if not is_org and response.consent is Consent.NAMED:
        response.consent = Consent.ANONYMOUS
    response.wants_news = False  # there is no address to tell any more
    for contribution in db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ):
        _forget_audit_notes("contribution", contribution.id)


def _erase_respondent(respondent: Respondent, *, keep: bool) -> None:
    for model in (RespondentLink, RespondentSession):
        for row in db.session.scalars(select(model).where(model.respondent_id == respondent.id)):
            db.session.delete(row)
    _forget_audit_notes("respondent", respondent.id)
    if not keep:
        db.session.flush()
        db.session.delete(respondent)
        return
    is_org = respondent.respondent_type is not None and respondent.respondent_type.is_organisation
    respondent.email = None
    respondent.email_confirmed_at = None
    respondent.user_id = None
    respondent.name = ""
    if not is_org:
        respondent.organisation = ""


def _erase_address(email: str) -> None:
    """Mail to the address and its place on sessions' participant lists."""
    from consult.sessions.models import Participant

    for message in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email)
    ):
        db.session.delete(message)
    for participant in db.session.scalars(select(Participant).where(Participant.email == email)):
        # The row holds the participant's answers (feedback); the address goes.
        participant.email = f"erased-{participant.id}@invalid"


def _forget_audit_notes(subject_type: str, subject_id: int) -> None:
    """An audit note about the record may quote the person; the event itself stays."""
    for event in db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id
        )
    ):
        event.note = ""


def _name(reference) -> str | None:
    return reference.name_da if reference is not None else None


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
