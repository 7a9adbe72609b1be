"""What the høringsnotat and the public report quote: moderated text only.

Both documents leave the platform and are read by people the respondents never met, so they
quote only what a moderator published, with its redactions, and name people only by the one
naming rule. Input still waiting for a moderator is counted and shown as waiting, never
quoted; the secretariat's memo also lists (without text) input that was hidden or was not to
be published, so every reply still shows what it answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select

from consult.analysis.models import DuplicateGroup
from consult.analysis.models import input_tags
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.readside import naming
from consult.readside import public as published
from consult.reference.models import RespondentType
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Letter
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.responses.models import Stance


@dataclass
class Quote:
    """One input as a document may show it."""

    input_id: int
    stance: Stance | None
    reply_id: int | None
    #: "Borger", "Patientforening: Danske Patienter" (a name only by the naming rule).
    who: str
    #: The published text, removed parts as the label; "" when it is not quoted.
    text: str
    wording: str
    #: Where moderation stands: quoted only when PUBLISHED.
    state: ModerationState
    is_campaign: bool = False
    campaign_label: str | None = None
    #: The place of the input's first theme in the order asked for; None: no theme.
    theme: int | None = None

    @property
    def is_quoted(self) -> bool:
        return self.state is ModerationState.PUBLISHED


def _waiting():
    """Input no moderator has decided on yet (a submitted input always has a contribution;
    one without is treated as waiting, never as published)."""
    return or_(Contribution.id.is_(None), Contribution.state == ModerationState.PENDING)


#: Rows a quote query fetches at a time: the appendix reads a goal on a streaming cursor.
STREAM_ROWS = 500


def goal_quotes(
    consultation_id: int,
    item_id: int,
    *,
    public: bool,
    en: bool,
    removed: str,
    themes: list[int] | None = None,
    limit: int | None = None,
) -> Iterator[Quote]:
    """Yield the input on one goal as a document shows it, on a streaming cursor.

    Without ``themes`` grouped by the reply that answers it; with ``themes`` (tag ids, in the
    order the document gives them) grouped by theme: each input once, under the first of its
    themes in that order, and the inputs with none of them last.

    :param public: only what ``public.visible()`` allows (the public report); otherwise every
        submitted input, quoted only once published (the secretariat's memo).
    :param removed: the label a removed part reads as ("[fjernet]").
    :param limit: yield at most this many.
    """
    place = None
    if themes:
        ranked = case(
            *((input_tags.c.tag_id == tag_id, n) for n, tag_id in enumerate(themes)),
            else_=None,
        )
        place = (
            select(input_tags.c.input_id, func.min(ranked).label("place"))
            .where(input_tags.c.tag_id.in_(themes))
            .group_by(input_tags.c.input_id)
            .subquery()
        )
    query = (
        select(
            Input.id,
            Input.stance,
            Input.reply_id,
            RespondentType.name_da,
            RespondentType.name_en,
            RespondentType.is_organisation,
            Respondent.organisation,
            Respondent.name,
            Response.consent,
            Contribution.state,
            Contribution.public_text,
            Contribution.public_wording,
            DuplicateGroup.is_campaign,
            DuplicateGroup.label,
            place.c.place if place is not None else literal(None),
        )
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .outerjoin(Contribution, Contribution.input_id == Input.id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .where(
            Input.item_id == item_id,
            Response.consultation_id == consultation_id,
            Response.state == ResponseState.SUBMITTED,
        )
    )
    if place is not None:
        query = query.outerjoin(place, place.c.input_id == Input.id).order_by(
            place.c.place.is_(None), place.c.place, Input.id
        )
    elif themes is not None:
        query = query.order_by(Input.id)
    else:
        query = query.order_by(Input.reply_id.is_(None), Input.reply_id, Input.id)
    if public:
        query = query.where(*published.visible())
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query.execution_options(yield_per=STREAM_ROWS))
    # Closed however the reader stops (a server-side cursor on PostgreSQL).
    with rows:
        yield from _quotes(rows, en=en, removed=removed)


def _quotes(rows, *, en: bool, removed: str) -> Iterator[Quote]:
    for row in rows:
        (
            input_id, stance, reply_id, type_da, type_en, is_org, organisation, name, consent,
            state, public_text, public_wording, is_campaign, group_label, theme,
        ) = row  # fmt: skip
        state = state or ModerationState.PENDING
        quoted = state is ModerationState.PUBLISHED
        type_name = ((type_en or type_da) if en else type_da) or _("Session group")
        yield Quote(
            input_id=input_id,
            stance=stance,
            reply_id=reply_id,
            who=naming.who(type_name, naming.shown_name(consent, is_org, organisation, name)),
            text=published.plain_public_text(public_text, removed) if quoted else "",
            wording=published.plain_public_text(public_wording, removed) if quoted else "",
            state=state,
            is_campaign=bool(is_campaign),
            campaign_label=group_label,
            theme=theme,
        )


def waiting_by_goal(consultation_id: int) -> dict[int, int]:
    """Count the submitted input still waiting for a moderator, per goal, in one query."""
    # Not dict(result): a Result has .keys(), so dict() would read it as a mapping.
    return dict(
        db.session.execute(
            select(Input.item_id, func.count(Input.id))
            .join(Response, Response.id == Input.response_id)
            .outerjoin(
                Contribution,
                (Contribution.input_id == Input.id) & (Contribution.kind == ContributionKind.INPUT),
            )
            .where(
                Input.kind == InputKind.GOAL,  # a general comment or letter answers no goal
                Response.consultation_id == consultation_id,
                Response.state == ResponseState.SUBMITTED,
                _waiting(),
            )
            .group_by(Input.item_id)
        ).all()
    )


@dataclass
class RankedQuote:
    """A moderated input quoted for a group of inputs (a suggested theme)."""

    input_id: int
    #: The text frozen at review; removed parts are still marked (render with public_text).
    text: str


def best_published(ranked, *, per_group: int = 3) -> dict[int, list[RankedQuote]]:
    """Return, per group, its ``per_group`` best-ranked inputs that a moderator published.

    Only the text frozen at review is quoted, never the live input: a text waiting for a
    moderator, hidden or withheld is left out, and the next best published one stands in.

    :param ranked: a select of ``group_id``, ``input_id`` and ``score`` (higher is better).
    """
    sub = ranked.subquery()
    place = (
        func.row_number()
        .over(partition_by=sub.c.group_id, order_by=(sub.c.score.desc(), sub.c.input_id))
        .label("place")
    )
    quotable = (
        select(sub.c.group_id, sub.c.input_id, Contribution.public_text, place)
        .join(Input, Input.id == sub.c.input_id)
        .join(Response, Response.id == Input.response_id)
        .join(
            Contribution,
            (Contribution.input_id == sub.c.input_id)
            & (Contribution.kind == ContributionKind.INPUT),
        )
        .where(
            Response.state == ResponseState.SUBMITTED,
            Contribution.state == ModerationState.PUBLISHED,
            Contribution.public_text != "",
        )
        .subquery()
    )
    out: dict[int, list[RankedQuote]] = {}
    for group_id, input_id, text in db.session.execute(
        select(quotable.c.group_id, quotable.c.input_id, quotable.c.public_text)
        .where(quotable.c.place <= per_group)
        .order_by(quotable.c.group_id, quotable.c.place)
    ):
        out.setdefault(group_id, []).append(RankedQuote(input_id, text))
    return out


@dataclass
class CommentQuote:
    """A general comment as a document may show it."""

    response_id: int
    who: str
    #: The published text, removed parts as the label; "" when it is not quoted.
    text: str
    state: ModerationState
    is_organisation: bool

    @property
    def is_quoted(self) -> bool:
        return self.state is ModerationState.PUBLISHED


def _comments(consultation_id: int, *columns):
    return (
        select(*columns)
        .join(Response, Response.id == Contribution.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .where(
            Contribution.consultation_id == consultation_id,
            Contribution.kind == ContributionKind.COMMENT,
            Response.state == ResponseState.SUBMITTED,
        )
    )


def comment_counts(consultation_id: int, *, public: bool) -> tuple[int, int]:
    """Count the general comments a document quotes, and those it does not (yet)."""
    query = _comments(
        consultation_id,
        func.count(Contribution.id).filter(Contribution.state == ModerationState.PUBLISHED),
        func.count(Contribution.id).filter(Contribution.state != ModerationState.PUBLISHED),
    )
    if public:
        query = _comments(
            consultation_id, func.count(Contribution.id).filter(*published.visible()),
            func.count(Contribution.id).filter(
                Contribution.state != ModerationState.PUBLISHED,
                Response.consent != Consent.PRIVATE,
            ),
        )  # fmt: skip
    quoted, other = db.session.execute(query).one()
    return quoted or 0, other or 0


def general_comments(
    consultation_id: int, *, public: bool, en: bool, removed: str, limit: int | None = None
) -> Iterator[CommentQuote]:
    """Yield the general comments of submitted responses in the order they came, as a
    document shows them: quoted only once a moderator published them.

    :param public: only what ``public.visible()`` allows (the public report).
    """
    query = _comments(
        consultation_id,
        Contribution.response_id,
        Contribution.state,
        Contribution.public_text,
        RespondentType.name_da,
        RespondentType.name_en,
        RespondentType.is_organisation,
        Respondent.organisation,
        Respondent.name,
        Response.consent,
    ).order_by(Contribution.id)  # in the order they came: no sort over every comment
    if public:
        query = query.where(*published.visible())
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query.execution_options(yield_per=STREAM_ROWS))
    with rows:
        yield from _comment_quotes(rows, en=en, removed=removed)


def _comment_quotes(rows, *, en: bool, removed: str) -> Iterator[CommentQuote]:
    for row in rows:
        response_id, state, text, type_da, type_en, is_org, organisation, name, consent = row
        state = state or ModerationState.PENDING
        type_name = ((type_en or type_da) if en else type_da) or _("Session group")
        yield CommentQuote(
            response_id=response_id,
            who=naming.who(type_name, naming.shown_name(consent, is_org, organisation, name)),
            text=published.plain_public_text(text, removed)
            if state is ModerationState.PUBLISHED
            else "",
            state=state,
            is_organisation=bool(is_org),
        )


def _letters(consultation_id: int, public: bool, *columns):
    query = (
        select(*columns)
        .join(Response, Response.id == Letter.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(
            Response.consultation_id == consultation_id,
            Response.state == ResponseState.SUBMITTED,
        )
    )
    if public:
        query = query.join(
            Contribution,
            (Contribution.response_id == Response.id)
            & (Contribution.kind == ContributionKind.LETTER),
        ).where(*published.visible())
    return query


def letter_count(consultation_id: int, *, public: bool) -> int:
    """Count the letters a document names (the public report: those a moderator published)."""
    return db.session.scalar(_letters(consultation_id, public, func.count(Letter.id))) or 0


def letters(consultation_id: int, *, public: bool) -> Iterator[tuple[str, str]]:
    """Yield (organisation, file name) of every letter of a submitted response, on a streaming
    cursor; the public report names only letters a moderator published. Letters are named,
    never quoted."""
    # In the order they came (the primary key): sorting thousands by name costs memory.
    query = _letters(consultation_id, public, Respondent.organisation, Letter.filename).order_by(
        Letter.id
    )
    rows = db.session.execute(query.execution_options(yield_per=STREAM_ROWS))
    with rows:
        for organisation, filename in rows:
            yield organisation or "", filename
