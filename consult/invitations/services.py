"""The høringsliste: add invitations, see who answered, remind the rest (CSV: importer.py).

Services flush, never commit. Refusals are raised with a code; the views word them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError
from email_validator import validate_email
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.extensions import db
from consult.i18n import localized
from consult.invitations.models import Invitation
from consult.mail.services import queue_template
from consult.reference.models import RespondentType
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sanitize import clean_text

ORGANISATION_MAX = 200
EMAIL_MAX = 254

#: Upper-case letters SQLite's lower() leaves alone (it folds ASCII only); PostgreSQL folds them
#: itself, so the same expression gives the same answer on both.
_FOLD = "ÆæØøÅåÄäÖöÜüÉé"


class InvitationError(Exception):
    """A refused invitation; ``code`` says why."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


def organisation_key(organisation: str) -> str:
    """Return the name as compared for duplicates: case and spacing do not count."""
    return " ".join(organisation.split()).casefold()


def normalize_email(value: str) -> str:
    """Return a valid address lower-cased, "" for none; raise InvitationError when invalid."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        address = validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvitationError("email_invalid", value=value) from None
    if len(address) > EMAIL_MAX:
        raise InvitationError("email_invalid", value=value)
    return address


def clean_organisation(value: str) -> str:
    organisation = clean_text(value, multiline=False)
    if not organisation:
        raise InvitationError("organisation_missing")
    if len(organisation) > ORGANISATION_MAX:
        raise InvitationError("organisation_too_long", value=organisation)
    return organisation


def invited_by_key(consultation_id: int) -> dict[str, Invitation]:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.consultation_id == consultation_id)
    )
    return {organisation_key(i.organisation): i for i in invitations}


def add_invitation(
    consultation: Consultation,
    organisation: str,
    email: str = "",
    respondent_type_id: int | None = None,
) -> Invitation:
    """Put one organisation on the høringsliste and return its invitation.

    :raises InvitationError: ``organisation_missing``, ``organisation_too_long``,
        ``email_invalid``, ``type_unknown`` or ``already_invited``.
    """
    organisation = clean_organisation(organisation)
    address = normalize_email(email)
    if (
        respondent_type_id is not None
        and db.session.get(RespondentType, respondent_type_id) is None
    ):
        raise InvitationError("type_unknown", value=str(respondent_type_id))
    if organisation_key(organisation) in invited_by_key(consultation.id):
        raise InvitationError("already_invited", value=organisation)
    invitation = Invitation(
        consultation_id=consultation.id,
        organisation=organisation,
        email=address,
        respondent_type_id=respondent_type_id,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def remove_invitation(invitation: Invitation) -> None:
    db.session.delete(invitation)
    db.session.flush()


# --- importing ---------------------------------------------------------------------------------


def _fold(expression):
    """Lower-case and trim in SQL, the Danish letters included on SQLite too."""
    folded = func.lower(func.trim(expression))
    for upper, lower in zip(_FOLD[::2], _FOLD[1::2], strict=True):
        folded = func.replace(folded, upper, lower)
    return folded


def answers_invitation():
    """The SQL truth of "this respondent's submitted response answers this invitation": the
    same consultation, submitted, and the same e-mail address or the same organisation
    (names folded). The one rule the høringsliste and the memo's parties both use."""
    return and_(
        Response.consultation_id == Invitation.consultation_id,
        Response.state == ResponseState.SUBMITTED,
        or_(
            and_(
                Invitation.email != "",
                func.lower(Respondent.email) == func.lower(Invitation.email),
            ),
            and_(
                func.trim(Respondent.organisation) != "",
                _fold(Respondent.organisation) == _fold(Invitation.organisation),
            ),
        ),
    )


def answered_at_column():
    """The earliest submission that answers the invitation in the row, or NULL: a correlated
    scalar subquery (``answers_invitation``)."""
    return (
        select(func.min(Response.submitted_at))
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(answers_invitation())
        .correlate(Invitation)
        .scalar_subquery()
    )


def answered_query(consultation_id: int, answered: bool | None = None) -> Select:
    """Return a select of (Invitation, answered_at) for the consultation, by organisation.

    ``answered`` True keeps those who answered, False those who have not, None all.
    """
    answered_at = answered_at_column()
    stmt = (
        select(Invitation, answered_at.label("answered_at"))
        .where(Invitation.consultation_id == consultation_id)
        .order_by(func.lower(Invitation.organisation), Invitation.id)
    )
    if answered is True:
        stmt = stmt.where(answered_at.is_not(None))
    elif answered is False:
        stmt = stmt.where(answered_at.is_(None))
    return stmt


@dataclass
class Counts:
    invited: int
    answered: int

    @property
    def pending(self) -> int:
        return self.invited - self.answered


def counts(consultation_id: int) -> Counts:
    """How many are invited and how many of them answered (one query)."""
    rows = answered_query(consultation_id).order_by(None).subquery()
    invited, answered = db.session.execute(
        select(func.count(), func.count(rows.c.answered_at)).select_from(rows)
    ).one()
    return Counts(invited, answered)


class RowPagination(SelectPagination):
    """Flask-SQLAlchemy's pagination of a select, keeping whole rows instead of the first
    column (so a row is (Invitation, answered_at))."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


def paginate(stmt: Select, page: int, per_page: int) -> RowPagination:
    return RowPagination(
        select=stmt, session=db.session(), page=page, per_page=per_page, error_out=False
    )


# --- the invitation ----------------------------------------------------------------------------


def to_invite(consultation_id: int) -> list[Invitation]:
    """Organisations with an e-mail address that have not answered and were never invited."""
    stmt = answered_query(consultation_id, answered=False).where(
        Invitation.email != "", Invitation.invited_at.is_(None)
    )
    return [invitation for invitation, _answered_at in db.session.execute(stmt)]


def send_invitations(consultation: Consultation, link: str) -> int:
    """Queue the first invitation (in Danish) to every organisation on the list that has an
    e-mail address, has not answered and was not invited yet; return how many.

    Safe to run twice: an organisation is invited once (``invited_at``).
    """
    invitations = to_invite(consultation.id)
    now = utcnow()
    with force_locale("da"):
        title = localized(consultation, "title")[0]
        subject = _("Invitation to respond: consultation on %(title)s", title=title)
        for invitation in invitations:
            queue_template(
                invitation.email,
                subject,
                "invitation",
                consultation=consultation,
                invitation=invitation,
                link=link,
            )
            invitation.invited_at = now
    db.session.flush()
    return len(invitations)


# --- reminders ---------------------------------------------------------------------------------


def to_remind(consultation_id: int, reminded_before: datetime | None = None) -> list[Invitation]:
    """Invitations not answered that have an e-mail address.

    ``reminded_before`` leaves out those reminded since then (a second click sends nothing).
    """
    stmt = answered_query(consultation_id, answered=False).where(Invitation.email != "")
    if reminded_before is not None:
        stmt = stmt.where(
            or_(Invitation.reminded_at.is_(None), Invitation.reminded_at < reminded_before)
        )
    return [invitation for invitation, _answered_at in db.session.execute(stmt)]


def send_reminders(
    consultation: Consultation, invitations: list[Invitation], link: str | None = None
) -> int:
    """Queue a reminder (in Danish) to each of ``invitations`` that has an e-mail address and
    has not answered; record when, and how often. Return how many were queued.

    ``link`` is the consultation's address for the mail (default: built from this request).
    """
    ids = [i.id for i in invitations if i.email]
    if not ids:
        return 0
    pending = db.session.scalars(
        answered_query(consultation.id, answered=False).where(Invitation.id.in_(ids))
    ).all()
    link = link or url_for("drafts.show_consultation", slug=consultation.slug, _external=True)
    now = utcnow()
    with force_locale("da"):
        title = localized(consultation, "title")[0]
        subject = _("Reminder: consultation on %(title)s", title=title)
        for invitation in pending:
            queue_template(
                invitation.email,
                subject,
                "invitation_reminder",
                consultation=consultation,
                invitation=invitation,
                link=link,
            )
            invitation.reminded_at = now
            invitation.reminder_count = (invitation.reminder_count or 0) + 1
    db.session.flush()
    return len(pending)
