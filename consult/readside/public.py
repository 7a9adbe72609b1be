"""What the public may read: published contributions of submitted responses, and who sent them.

Every public page, the public API, the open data and the public report read input through
here, so the rules live in one place: published only, the text frozen at review (with its
redactions) only, names only with consent (``consult.readside.naming``). The public text is
what a moderator published, so nothing here runs the personal-data guard again.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload

from consult.extensions import db
from consult.moderation.models import REDACTED
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.readside.masking import mask_cpr
from consult.reference.models import RespondentType
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sanitize import render_paragraphs


def visible():
    """Return the conditions every public read of a contribution must meet."""
    return (
        Contribution.state == ModerationState.PUBLISHED,
        Response.state == ResponseState.SUBMITTED,
        Response.consent != Consent.PRIVATE,
    )


def published_inputs(item_id: int, *, stance: str | None = None, type_id: int | None = None):
    """Return a select of the published inputs on one goal, newest first."""
    query = (
        select(Contribution)
        .join(Contribution.input)
        .join(Contribution.response)
        .join(Response.respondent)
        .options(
            contains_eager(Contribution.input),
            contains_eager(Contribution.response)
            .contains_eager(Response.respondent)
            .joinedload(Respondent.respondent_type),
            contains_eager(Contribution.response).joinedload(Response.meeting),
        )
        .where(
            Contribution.item_id == item_id,
            Contribution.kind == ContributionKind.INPUT,
            *visible(),
        )
        .order_by(Contribution.reviewed_at.desc(), Contribution.id.desc())
    )
    if stance:
        query = query.where(Input.stance == stance)
    if type_id:
        query = query.where(Respondent.respondent_type_id == type_id)
    return query


def _base(item_id: int):
    return (
        select()
        .select_from(Contribution)
        .join(Contribution.input)
        .join(Contribution.response)
        .join(Response.respondent)
        .where(
            Contribution.item_id == item_id,
            Contribution.kind == ContributionKind.INPUT,
            *visible(),
        )
    )


def stance_counts(item_id: int) -> dict[str, int]:
    """Count the published inputs on a goal by stance, in one query."""
    rows = db.session.execute(
        _base(item_id).add_columns(Input.stance, func.count()).group_by(Input.stance)
    )
    return {stance.value: n for stance, n in rows if stance is not None}


def type_counts(item_id: int) -> list[tuple[RespondentType, int]]:
    """Count the published inputs on a goal by respondent type, in one query."""
    counts = (
        _base(item_id)
        .add_columns(Respondent.respondent_type_id, func.count().label("n"))
        .group_by(Respondent.respondent_type_id)
        .subquery()
    )
    return list(
        db.session.execute(
            select(RespondentType, counts.c.n)
            .join(counts, counts.c.respondent_type_id == RespondentType.id)
            .order_by(RespondentType.position)
        ).tuples()
    )


def is_public_organisation_response(response: Response | None) -> bool:
    """An organisation's response the public may read whole: submitted and named."""
    return (
        response is not None
        and response.state is ResponseState.SUBMITTED
        and response.consent is Consent.NAMED
        and response.respondent.respondent_type is not None
        and response.respondent.respondent_type.is_organisation
    )


def published_of_response(response_id: int) -> list[Contribution]:
    """Return a response's published contributions (inputs, comment, letter)."""
    return db.session.scalars(
        select(Contribution)
        .join(Contribution.response)
        .options(joinedload(Contribution.input).joinedload(Input.revision))
        .where(Contribution.response_id == response_id, *visible())
        .order_by(Contribution.id)
    ).all()


def freeze(text: str | None) -> tuple[str | None, bool]:
    """Return a text as it is frozen for the public when a moderator publishes it, and whether
    anything had to go: a CPR number is never public, even when the moderator let it through,
    so each one becomes the REDACTED mark. Done once, at review, never at a render."""
    if text is None:
        return None, False
    frozen = mask_cpr(text, REDACTED)
    return frozen, frozen != text


def render_public_text(text: str | None, removed_label: str) -> Markup:
    """Render frozen public text as paragraphs, showing each removed part as a label."""
    html = str(render_paragraphs(text))
    mark = Markup('<span class="redacted">{}</span>').format(removed_label)
    return Markup(html.replace(REDACTED, str(mark)))  # noqa: S704 - both parts are escaped


def plain_public_text(text: str | None, removed_label: str) -> str:
    """Return frozen public text as plain text (exports), removed parts as the label."""
    return (text or "").replace(REDACTED, removed_label)
