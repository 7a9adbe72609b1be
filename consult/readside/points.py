"""The main points of a høringsnotat, counted in SQL: themes per goal by respondent group,
the replies that answer them, and what nothing answers yet.

A theme is a tag on a goal's inputs (accepted theme suggestions become tags). An input is
answered by a reply of its own (``Input.reply_id``) or by a reply to one of its themes, on its
goal or on every goal (``analysis.services.answered``); the public report counts only approved
replies. Every function here is one grouped query for the whole consultation, never a loop
over inputs.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select

from consult.analysis.figures import submitted
from consult.analysis.models import DuplicateGroup
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.analysis.services import answered
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.readside import public as published
from consult.reference.models import RespondentType
from consult.responses.models import Channel
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response


class Group(enum.StrEnum):
    """Who raised a point, in the memo's three groups."""

    PEOPLE = "people"
    ORGANISATIONS = "organisations"
    SESSIONS = "sessions"


def _group():
    return case(
        (Response.channel == Channel.SESSION, Group.SESSIONS.value),
        (RespondentType.is_organisation.is_(True), Group.ORGANISATIONS.value),
        else_=Group.PEOPLE.value,
    ).label("grp")


@dataclass
class Theme:
    tag_id: int
    name: str
    inputs: int = 0
    by_group: dict[Group, int] = field(default_factory=dict)


def themes_by_goal(consultation_id: int) -> dict[int, list[Theme]]:
    """Return per goal its themes, largest first, each with its inputs by group."""
    group = _group()
    rows = db.session.execute(
        select(Input.item_id, Tag.id, Tag.name, group, func.count(Input.id))
        .join(input_tags, input_tags.c.input_id == Input.id)
        .join(Tag, Tag.id == input_tags.c.tag_id)
        .join(Response, Response.id == Input.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .outerjoin(RespondentType, RespondentType.id == Respondent.respondent_type_id)
        .where(submitted(consultation_id), Input.item_id.is_not(None))
        .group_by(Input.item_id, Tag.id, Tag.name, group)
    ).all()
    themes: dict[tuple[int, int], Theme] = {}
    for item_id, tag_id, name, grp, n in rows:
        theme = themes.setdefault((item_id, tag_id), Theme(tag_id, name))
        theme.inputs += n
        theme.by_group[Group(grp)] = n
    out: dict[int, list[Theme]] = defaultdict(list)
    for (item_id, _tag_id), theme in themes.items():
        out[item_id].append(theme)
    for goal_themes in out.values():
        goal_themes.sort(key=lambda t: (-t.inputs, t.name.casefold(), t.tag_id))
    return dict(out)


def theme_replies(consultation_id: int, *, public: bool) -> dict[tuple[int, int | None], Reply]:
    """Return the replies to themes by (tag id, goal id or None for every goal); the public
    report gets only approved ones."""
    query = select(Reply).where(Reply.consultation_id == consultation_id, Reply.tag_id.is_not(None))
    if public:
        query = query.where(Reply.state == ReplyState.APPROVED)
    return {(r.tag_id, r.item_id): r for r in db.session.scalars(query)}


@dataclass
class OwnReply:
    """A reply to inputs (not to a theme) on one goal, with how many of them it answers."""

    reply: Reply
    inputs: int
    campaign: str | None = None
    is_campaign: bool = False


def own_replies(consultation_id: int, *, public: bool) -> dict[int, list[OwnReply]]:
    """Return per goal the replies to its inputs, the one answering most first."""
    query = (
        select(
            Input.item_id,
            Input.reply_id,
            func.count(Input.id),
            func.max(DuplicateGroup.label),
            func.max(case((DuplicateGroup.is_campaign.is_(True), 1), else_=0)),
        )
        .join(Response, Response.id == Input.response_id)
        .outerjoin(DuplicateGroup, DuplicateGroup.id == Input.duplicate_group_id)
        .where(submitted(consultation_id), Input.reply_id.is_not(None))
        .group_by(Input.item_id, Input.reply_id)
    )
    rows = db.session.execute(query).all()
    replies = {
        r.id: r
        for r in db.session.scalars(select(Reply).where(Reply.id.in_({row[1] for row in rows})))
    }
    out: dict[int, list[OwnReply]] = defaultdict(list)
    for item_id, reply_id, n, label, is_campaign in rows:
        reply = replies[reply_id]
        if public and reply.state is not ReplyState.APPROVED:
            continue
        out[item_id].append(OwnReply(reply, n, label or None, bool(is_campaign)))
    for goal_replies in out.values():
        goal_replies.sort(key=lambda r: (-r.inputs, r.reply.id))
    return dict(out)


def unanswered_by_goal(consultation_id: int, *, public: bool) -> dict[int, int]:
    """Count per goal the inputs nothing answers yet (public: no approved reply)."""
    return dict(
        db.session.execute(
            select(Input.item_id, func.count(Input.id))
            .join(Response, Response.id == Input.response_id)
            .where(submitted(consultation_id), ~answered(public=public))
            .group_by(Input.item_id)
        ).all()
    )


def published_by_goal(consultation_id: int) -> dict[int, int]:
    """Count per goal the inputs the public may read (``public.visible()``)."""
    return dict(
        db.session.execute(
            select(Input.item_id, func.count(Input.id))
            .join(Response, Response.id == Input.response_id)
            .join(Contribution, Contribution.input_id == Input.id)
            .where(Response.consultation_id == consultation_id, *published.visible())
            .group_by(Input.item_id)
        ).all()
    )
