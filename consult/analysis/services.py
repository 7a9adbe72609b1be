"""The secretariat's work on input: tags, assignments, replies and their approval.

Actions on a selection take a select of input ids (``browser.matching_ids``) and run as one
statement each, so tagging 10,000 inputs is one INSERT … SELECT, not 10,000 round trips.
Services flush and never commit.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import update

from consult.analysis.models import Disposition
from consult.analysis.models import Reply
from consult.analysis.models import ReplyState
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.audit import services as audit
from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Input
from consult.sanitize import clean_text

TAG_MAX = 80
TEXT_MAX = 20_000


class AnalysisError(ValueError):
    """Work the rules do not allow; ``code`` says which, for a translated message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def tags_of(consultation_id: int) -> list[Tag]:
    return db.session.scalars(
        select(Tag).where(Tag.consultation_id == consultation_id).order_by(Tag.name)
    ).all()


def tag_counts(consultation_id: int) -> list[tuple[Tag, int]]:
    """Every tag of the consultation with how many inputs carry it (unused tags too)."""
    used = (
        select(input_tags.c.tag_id, func.count().label("n"))
        .group_by(input_tags.c.tag_id)
        .subquery()
    )
    return db.session.execute(
        select(Tag, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.tag_id == Tag.id)
        .where(Tag.consultation_id == consultation_id)
        .order_by(Tag.name)
    ).all()


def create_tag(consultation_id: int, name: str, description: str = "") -> Tag:
    """Add a theme; names are unique per consultation, whatever their case."""
    name = clean_text(name, multiline=False)[:TAG_MAX]
    if not name:
        raise AnalysisError("tag_name")
    taken = db.session.scalar(
        select(
            exists().where(
                Tag.consultation_id == consultation_id, func.lower(Tag.name) == name.lower()
            )
        )
    )
    if taken:
        raise AnalysisError("tag_taken")
    tag = Tag(consultation_id=consultation_id, name=name, description=description)
    db.session.add(tag)
    db.session.flush()
    return tag


def tag_inputs(tag: Tag, ids) -> int:
    """Put ``tag`` on every input ``ids`` selects that does not have it yet; return how many."""
    fresh = (
        select(Input.id, literal(tag.id))
        .where(Input.id.in_(ids))
        .where(~exists().where(input_tags.c.input_id == Input.id, input_tags.c.tag_id == tag.id))
    )
    # RETURNING rather than rowcount: psycopg reports -1 for some INSERT … SELECT forms.
    added = db.session.execute(
        insert(input_tags)
        .from_select(["input_id", "tag_id"], fresh)
        .returning(input_tags.c.input_id)
    ).all()
    db.session.expire_all()
    return len(added)


def untag_inputs(tag: Tag, ids) -> int:
    result = db.session.execute(
        delete(input_tags).where(input_tags.c.tag_id == tag.id, input_tags.c.input_id.in_(ids))
    )
    db.session.expire_all()
    return result.rowcount or 0


def assign(ids, user) -> int:
    """Put a colleague (or nobody, with None) on every input ``ids`` selects."""
    result = db.session.execute(
        update(Input)
        .where(Input.id.in_(ids))
        .values(assignee_id=user.id if user else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return result.rowcount or 0


def _check(text: str, disposition: Disposition | None, reason: str, ready: bool) -> None:
    if len(text) > TEXT_MAX or len(reason) > TEXT_MAX:
        raise AnalysisError("too_long")
    if ready and (not text.strip() or disposition is None):
        raise AnalysisError("reply_incomplete")
    if (
        ready
        and disposition in (Disposition.PARTLY, Disposition.NOT_INCORPORATED)
        and not reason.strip()
    ):
        raise AnalysisError("reason_required")


def save_reply(
    consultation_id: int,
    actor,
    ids,
    *,
    text: str,
    disposition: Disposition | None,
    reason: str,
    ready: bool,
    reply: Reply | None = None,
) -> Reply:
    """Write (or rewrite) the reply for every input ``ids`` selects.

    ``ready`` marks it drafted, for a colleague to approve; changing an approved reply makes
    it a draft again, so nothing changes after approval without a second pair of eyes.
    """
    _check(text, disposition, reason, ready)
    if reply is None:
        reply = Reply(consultation_id=consultation_id)
        db.session.add(reply)
    reply.text, reply.disposition, reply.reason = text, disposition, reason
    reply.state = ReplyState.DRAFTED if ready else ReplyState.IN_PROGRESS
    reply.written_by_id = actor.id
    reply.approved_by_id = reply.approved_at = None
    db.session.flush()
    db.session.execute(
        update(Input)
        .where(Input.id.in_(ids))
        .values(reply_id=reply.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        actor,
        "analysis.reply",
        "reply",
        reply.id,
        consultation_id=consultation_id,
        reason=disposition.value if disposition else "",
        state=reply.state,
    )
    db.session.flush()
    db.session.expire_all()
    return reply


def approve_reply(reply: Reply, actor) -> None:
    """A second secretariat user makes a drafted reply final."""
    if reply.state is not ReplyState.DRAFTED:
        raise AnalysisError("not_drafted")
    if reply.written_by_id == actor.id:
        raise AnalysisError("own_reply")
    reply.state = ReplyState.APPROVED
    reply.approved_by_id = actor.id
    reply.approved_at = utcnow()
    audit.record(
        actor, "analysis.approve", "reply", reply.id, consultation_id=reply.consultation_id
    )
    db.session.flush()


def inputs_of_reply(reply: Reply) -> int:
    return db.session.scalar(select(func.count()).where(Input.reply_id == reply.id))


# --- replies to a theme --------------------------------------------------------------------


def theme_reply(tag: Tag, item_id: int | None) -> Reply | None:
    """The reply to ``tag`` on one goal (``item_id``) or on every goal (None), if written."""
    return db.session.scalar(
        select(Reply).where(
            Reply.tag_id == tag.id,
            Reply.item_id.is_(None) if item_id is None else Reply.item_id == item_id,
        )
    )


def theme_replies(consultation_id: int) -> list[Reply]:
    """Every reply to a theme in the consultation, by theme and then goal (every goal first)."""
    return db.session.scalars(
        select(Reply)
        .join(Tag, Tag.id == Reply.tag_id)
        .where(Reply.consultation_id == consultation_id)
        .order_by(Tag.name, Reply.item_id.is_not(None), Reply.item_id)
    ).all()


def save_theme_reply(
    actor,
    tag: Tag,
    item_id: int | None,
    *,
    text: str,
    disposition: Disposition | None,
    reason: str,
    ready: bool,
) -> Reply:
    """Write (or rewrite) the one reply to a theme, on one goal or on every goal.

    It answers every input with the tag (on that goal) that has no reply of its own. As with
    a reply to inputs, ``ready`` marks it drafted for a colleague to approve, and changing an
    approved reply makes it a draft again.
    """
    text = clean_text(text)
    reason = clean_text(reason)
    _check(text, disposition, reason, ready)
    reply = theme_reply(tag, item_id)
    if reply is None:
        reply = Reply(consultation_id=tag.consultation_id, tag_id=tag.id, item_id=item_id)
        db.session.add(reply)
    reply.text, reply.disposition, reply.reason = text, disposition, reason
    reply.state = ReplyState.DRAFTED if ready else ReplyState.IN_PROGRESS
    reply.written_by_id = actor.id
    reply.approved_by_id = reply.approved_at = None
    db.session.flush()
    audit.record(
        actor,
        "analysis.theme_reply",
        "reply",
        reply.id,
        consultation_id=tag.consultation_id,
        reason=disposition.value if disposition else "",
        state=reply.state,
        note=tag.name,
    )
    db.session.flush()
    return reply


def theme_replies_of_input(reply=Reply):
    """The one rule for "a reply to a theme answers this input": a select over ``reply`` (the
    model or an alias), correlated to ``Input``, of the replies to one of the input's themes
    (a tag it carries) on its goal or on every goal. Its callers add the columns they need:
    ``answered`` below, ``figures.theme_reply`` and ``figures.reply_state``."""
    return (
        select()
        .select_from(reply)
        .join(input_tags, input_tags.c.tag_id == reply.tag_id)
        .where(
            input_tags.c.input_id == Input.id,
            reply.item_id.is_(None) | (reply.item_id == Input.item_id),
        )
    )


def answered(*, public: bool):
    """A condition on ``Input``: a reply answers it, its own or one to one of its themes (on
    its goal or on every goal). ``public``: only approved replies count."""
    own = Input.reply_id.is_not(None)
    theme = theme_replies_of_input().add_columns(Reply.id)
    if public:
        approved = select(Reply.id).where(
            Reply.id == Input.reply_id, Reply.state == ReplyState.APPROVED
        )
        own = approved.exists()
        theme = theme.where(Reply.state == ReplyState.APPROVED)
    return own | theme.exists()
