"""What the organisations on the høringsliste answered, for the høringsnotat and the report.

One row per invitation, in the høringsliste's order: whether it answered, its inputs on the
goals by stance (counted in SQL), its general comment as a moderator published it (never the
live text) and the name of the letter it sent (letters are named, never quoted). An invitation
is answered by a submitted response from its e-mail address or its organisation, the rule
``consult.invitations.services.answered_at_column`` counts by.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import func
from sqlalchemy import select

from consult.extensions import db
from consult.invitations.models import Invitation
from consult.invitations.services import answered_query
from consult.invitations.services import answers_invitation
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.readside import public as published
from consult.responses.models import Input
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance


@dataclass
class PartyAnswer:
    organisation: str
    answered: bool
    inputs: int = 0
    stances: dict[Stance | None, int] = field(default_factory=dict)
    #: The general comment as published ("" when none, or none that may be quoted).
    comment: str = ""
    #: The letter's file name, "" when it sent none (the public report: none published).
    letter: str = ""


def _matches():
    """A select of (invitation id, response id): the submitted responses answering each."""
    return (
        select(Invitation.id.label("invitation_id"), Response.id.label("response_id"))
        .join(Response, Response.consultation_id == Invitation.consultation_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(answers_invitation())
    )


def party_answers(consultation_id: int, *, public: bool, removed: str) -> list[PartyAnswer]:
    """Return what each organisation on the høringsliste answered, in the list's order.

    :param public: quote and name only what ``public.visible()`` allows (the public report).
    """
    parties = {
        invitation.id: PartyAnswer(invitation.organisation, answered_at is not None)
        for invitation, answered_at in db.session.execute(answered_query(consultation_id))
    }
    if not parties:
        return []
    matches = _matches().where(Invitation.consultation_id == consultation_id).subquery()
    for invitation_id, stance, n in db.session.execute(
        select(matches.c.invitation_id, Input.stance, func.count(Input.id))
        .join(Input, Input.response_id == matches.c.response_id)
        .where(Input.item_id.is_not(None))
        .group_by(matches.c.invitation_id, Input.stance)
    ):
        party = parties[invitation_id]
        party.inputs += n
        party.stances[stance] = party.stances.get(stance, 0) + n
    comments = (
        select(matches.c.invitation_id, Contribution.public_text)
        .join(Contribution, Contribution.response_id == matches.c.response_id)
        .join(Response, Response.id == Contribution.response_id)
        .where(
            Contribution.kind == ContributionKind.COMMENT,
            Contribution.state == ModerationState.PUBLISHED,
        )
        .order_by(Contribution.id)
    )
    if public:
        comments = comments.where(*published.visible())
    for invitation_id, text in db.session.execute(comments):
        party = parties[invitation_id]
        text = published.plain_public_text(text, removed).strip()
        if text and not party.comment:
            party.comment = text
    letters = (
        select(matches.c.invitation_id, Letter.filename)
        .join(Letter, Letter.response_id == matches.c.response_id)
        .order_by(Letter.id)
    )
    if public:
        letters = (
            letters.join(Response, Response.id == Letter.response_id)
            .join(
                Contribution,
                (Contribution.response_id == Letter.response_id)
                & (Contribution.kind == ContributionKind.LETTER),
            )
            .where(*published.visible())
        )
    for invitation_id, filename in db.session.execute(letters):
        parties[invitation_id].letter = parties[invitation_id].letter or filename
    return list(parties.values())
