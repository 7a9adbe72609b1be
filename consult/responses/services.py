"""Responding: start a response, save input goal by goal, rank, submit, edit, withdraw.

Services take the objects they work on, flush, and never commit. Every rule a form checks is
checked here too; the database holds the limits a race could break.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from consult.accounts.signals import email_confirmed
from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import ItemKind
from consult.drafts.models import Phase
from consult.drafts.services import Node
from consult.drafts.services import Tree
from consult.extensions import db
from consult.moderation.services import sync_response
from consult.responses.models import Consent
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from consult.responses.models import ResponseState
from consult.responses.models import Stance

TEXT_MAX = 10_000


class ResponseError(ValueError):
    """A rule the response breaks; ``code`` says which, for a translated message."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code, self.details = code, details


def ensure_open(consultation: Consultation, now: datetime | None = None) -> None:
    """Refuse any change outside the consultation's window, to the second."""
    phase = consultation.phase(now or utcnow())
    if phase is Phase.CLOSED:
        raise ResponseError("deadline_passed")
    if phase is not Phase.OPEN:
        raise ResponseError("not_open")


def find_respondent_for_user(user) -> Respondent | None:
    """Return the account's respondent without making one; None while the address is unproved.

    An unconfirmed account has shown nothing about its address, so it must not reach the
    response of someone who answered by e-mail link to that address. Once confirmed, the
    one-off respondent of the address is the account's (joined at confirmation, or here for
    accounts confirmed before that was done).
    """
    if user.email_confirmed_at is None:
        return None
    respondent = db.session.scalar(select(Respondent).where(Respondent.user_id == user.id))
    if respondent is None:
        respondent = db.session.scalar(
            select(Respondent).where(Respondent.user_id.is_(None), Respondent.email == user.email)
        )
    return respondent


def respondent_for_user(user) -> Respondent:
    """Return the confirmed account's respondent, making or joining it: on its first save."""
    if user.email_confirmed_at is None:
        raise ResponseError("unconfirmed")
    respondent = find_respondent_for_user(user)
    if respondent is None:
        try:
            with db.session.begin_nested():
                respondent = Respondent(
                    user_id=user.id, email=user.email, name=user.name, locale=user.locale or "da"
                )
                db.session.add(respondent)
        except IntegrityError:  # a parallel first save made it
            respondent = find_respondent_for_user(user)
    _join(respondent, user)
    db.session.flush()
    return respondent


def _join(respondent: Respondent, user) -> None:
    respondent.user_id = user.id
    respondent.email_confirmed_at = respondent.email_confirmed_at or user.email_confirmed_at


@email_confirmed.connect
def join_respondent(user, **_extra) -> Respondent | None:
    """The account proved its address: the one-off respondent of that address becomes its own."""
    respondent = find_respondent_for_user(user)
    if respondent is not None:
        _join(respondent, user)
        db.session.flush()
    return respondent


def default_consent(respondent: Respondent | None) -> Consent:
    """Organisations publish with their name unless they choose otherwise; people anonymously."""
    respondent_type = respondent.respondent_type if respondent is not None else None
    if respondent_type is not None and respondent_type.is_organisation:
        return Consent.NAMED
    return Consent.ANONYMOUS


def find_response(consultation: Consultation, respondent: Respondent) -> Response | None:
    """Return the respondent's response to the consultation, if they have saved anything."""
    return db.session.scalar(
        select(Response).where(
            Response.consultation_id == consultation.id, Response.respondent_id == respondent.id
        )
    )


def response_for(consultation: Consultation, respondent: Respondent) -> Response:
    """Return the respondent's one response to the consultation, starting it on a first save.

    Two first saves at once both try to insert; the database keeps one, the other reads it.
    """
    response = find_response(consultation, respondent)
    if response is not None:
        return response
    try:
        with db.session.begin_nested():
            response = Response(
                consultation_id=consultation.id,
                respondent_id=respondent.id,
                consent=default_consent(respondent),
            )
            db.session.add(response)
    except IntegrityError:
        response = find_response(consultation, respondent)
    return response


def input_for(response: Response, node: Node) -> Input | None:
    return db.session.scalar(
        select(Input).where(
            Input.response_id == response.id,
            Input.kind == InputKind.GOAL,
            Input.item_id == node.item.id,
        )
    )


def save_input(
    response: Response,
    node: Node,
    *,
    stance: Stance | None,
    importance: int | None,
    text: str,
    proposed_wording: str,
    preferred_alternative_id: int | None,
    now: datetime | None = None,
) -> Input:
    """Save the input on one goal or initiative, on the text (revision) the person read."""
    now = now or utcnow()
    ensure_open(response.consultation, now)
    if not node.item.kind.takes_input:
        raise ResponseError("not_commentable")
    if importance is not None and not 1 <= importance <= 5:
        raise ResponseError("bad_importance")
    if len(text) > TEXT_MAX or len(proposed_wording) > TEXT_MAX:
        raise ResponseError("too_long")
    if preferred_alternative_id is not None and preferred_alternative_id not in {
        a.id for a in node.revision.alternatives
    }:
        raise ResponseError("bad_alternative")
    values = {
        "revision_id": node.revision.id,
        "stance": stance,
        "importance": importance,
        "text": text,
        "proposed_wording": proposed_wording,
        "preferred_alternative_id": preferred_alternative_id,
    }
    existing = input_for(response, node)
    if existing is None:
        try:
            with db.session.begin_nested():
                existing = Input(response_id=response.id, item_id=node.item.id, **values)
                db.session.add(existing)
        except IntegrityError:  # a parallel save made it first: update that one
            existing = input_for(response, node)
    for name, value in values.items():
        setattr(existing, name, value)
    response.updated_at = now
    record_change(response, now)
    db.session.flush()
    return existing


def set_ranking(
    response: Response,
    tree: Tree,
    focus_areas: list[int],
    goals: dict[int, list[int]],
    now: datetime | None = None,
) -> None:
    """Replace the ranking: focus area ids best first, and per chosen area its goal ids.

    The caps are the consultation's; the database refuses ranks beyond them as well.
    """
    consultation = response.consultation
    now = now or utcnow()
    ensure_open(consultation, now)
    areas = {n.item.id: n for n in tree.focus_areas}
    if len(focus_areas) != len(set(focus_areas)) or not set(focus_areas) <= areas.keys():
        raise ResponseError("bad_ranking")
    if len(focus_areas) > consultation.max_ranked_focus_areas:
        raise ResponseError("too_many_focus_areas", cap=consultation.max_ranked_focus_areas)
    for area_id, goal_ids in goals.items():
        if area_id not in focus_areas:
            raise ResponseError("goal_outside_chosen_area")
        allowed = {c.item.id for c in areas[area_id].children if c.item.kind is ItemKind.GOAL}
        if len(goal_ids) != len(set(goal_ids)) or not set(goal_ids) <= allowed:
            raise ResponseError("bad_ranking")
        if len(goal_ids) > consultation.max_ranked_goals:
            raise ResponseError("too_many_goals", cap=consultation.max_ranked_goals)
    db.session.execute(delete(GoalRank).where(GoalRank.response_id == response.id))
    db.session.execute(delete(FocusAreaRank).where(FocusAreaRank.response_id == response.id))
    cap_areas, cap_goals = consultation.max_ranked_focus_areas, consultation.max_ranked_goals
    for rank, area_id in enumerate(focus_areas, start=1):
        db.session.add(
            FocusAreaRank(response_id=response.id, item_id=area_id, rank=rank, max_rank=cap_areas)
        )
        for goal_rank, goal_id in enumerate(goals.get(area_id, []), start=1):
            db.session.add(
                GoalRank(
                    response_id=response.id,
                    focus_area_id=area_id,
                    item_id=goal_id,
                    rank=goal_rank,
                    max_rank=cap_goals,
                )
            )
    record_change(response, now)
    db.session.flush()


def ranking_of(response: Response) -> tuple[list[int], dict[int, list[int]]]:
    areas = db.session.scalars(
        select(FocusAreaRank.item_id)
        .where(FocusAreaRank.response_id == response.id)
        .order_by(FocusAreaRank.rank)
    ).all()
    goals: dict[int, list[int]] = {}
    for area_id, goal_id in db.session.execute(
        select(GoalRank.focus_area_id, GoalRank.item_id)
        .where(GoalRank.response_id == response.id)
        .order_by(GoalRank.focus_area_id, GoalRank.rank)
    ):
        goals.setdefault(area_id, []).append(goal_id)
    return list(areas), goals


def receipt_number(response: Response) -> str:
    year = (response.submitted_at or utcnow()).year
    return f"H{year}-{response.consultation_id:03d}-{response.id:06d}"


def submit_response(response: Response, key: str, now: datetime | None = None) -> bool:
    """Submit (or resubmit after edits); return False when this form was processed already.

    ``key`` comes from the form, so a double click or a resent form is stored once. The clock
    is read once: the time that passed the deadline check is the time stamped on the response.
    """
    now = now or utcnow()
    ensure_open(response.consultation, now)
    # Two sends at once (a double click on PostgreSQL) queue here: the second then sees the key.
    db.session.refresh(response, with_for_update=True)
    if key and key == response.last_submit_key:
        return False
    inputs = db.session.scalars(select(Input).where(Input.response_id == response.id)).all()
    goals = [i for i in inputs if i.kind is InputKind.GOAL]
    if not goals and not any(i.kind is InputKind.COMMENT and i.text.strip() for i in inputs):
        raise ResponseError("empty")
    if any(i.stance is None for i in goals):
        raise ResponseError("stance_missing")
    first = response.state is not ResponseState.SUBMITTED
    response.state = ResponseState.SUBMITTED
    response.submitted_at = now
    response.withdrawn_at = None
    response.last_submit_key = key
    db.session.flush()
    response.receipt_number = response.receipt_number or receipt_number(response)
    _record(response, "submitted" if first else "edited", now)
    db.session.flush()
    return True


def withdraw_response(response: Response, now: datetime | None = None) -> None:
    now = now or utcnow()
    ensure_open(response.consultation, now)
    response.state = ResponseState.WITHDRAWN
    response.withdrawn_at = now
    _record(response, "withdrawn", now)
    db.session.flush()


def snapshot(response: Response) -> dict:
    """The response as plain data: for its history and the receipt e-mail."""
    inputs = db.session.scalars(
        select(Input)
        .where(Input.response_id == response.id, Input.kind == InputKind.GOAL)
        .order_by(Input.item_id)
    )
    areas, goals = ranking_of(response)
    return {
        "state": response.state.value,
        "consent": response.consent.value,
        "general_comment": general_comment_of(response),
        "inputs": [
            {
                "item_id": i.item_id,
                "revision_id": i.revision_id,
                "stance": i.stance.value if i.stance else None,
                "importance": i.importance,
                "text": i.text,
                "proposed_wording": i.proposed_wording,
                "preferred_alternative_id": i.preferred_alternative_id,
            }
            for i in inputs
        ],
        "ranking": {"focus_areas": areas, "goals": {str(k): v for k, v in goals.items()}},
        "letter": (
            {"filename": response.letter.filename, "sha256": response.letter.sha256}
            if response.letter is not None
            else None
        ),
    }


def history_of(response: Response, limit: int = 50) -> list[ResponseEvent]:
    """Return when the response was sent, changed and withdrawn, newest first."""
    return db.session.scalars(
        select(ResponseEvent)
        .options(load_only(ResponseEvent.at, ResponseEvent.action))
        .where(ResponseEvent.response_id == response.id)
        .order_by(ResponseEvent.id.desc())
        .limit(limit)
    ).all()


def _record(response: Response, action: str, now: datetime | None = None) -> None:
    """Keep the change in the history, and bring moderation in step with it."""
    db.session.flush()
    db.session.add(
        ResponseEvent(
            response_id=response.id,
            action=action,
            at=now or utcnow(),
            snapshot=json.dumps(snapshot(response)),
        )
    )
    sync_response(response)


def record_change(response: Response, now: datetime | None = None) -> None:
    """After submission every change is history; drafts are the person's own scratch."""
    if response.state is ResponseState.SUBMITTED:
        _record(response, "edited", now)


def remove_input(response: Response, node: Node, now: datetime | None = None) -> None:
    now = now or utcnow()
    ensure_open(response.consultation, now)
    existing = input_for(response, node)
    if existing is not None:
        db.session.delete(existing)
        record_change(response, now)
        db.session.flush()


def statement_input(response: Response, kind: InputKind) -> Input | None:
    """Return the response's general comment or letter as an input, if it has one."""
    return db.session.scalar(
        select(Input).where(Input.response_id == response.id, Input.kind == kind)
    )


def general_comment_of(response: Response) -> str:
    """Return the response's general comment as written ("" when there is none)."""
    found = statement_input(response, InputKind.COMMENT)
    return found.text if found is not None else ""


def save_comment(response: Response, comment: str, consent, now: datetime | None = None) -> None:
    """Keep the general comment (an input of kind comment; none while it is empty)."""
    now = now or utcnow()
    ensure_open(response.consultation, now)
    if len(comment) > TEXT_MAX:
        raise ResponseError("too_long")
    existing = statement_input(response, InputKind.COMMENT)
    if not comment.strip():
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(Input(response_id=response.id, kind=InputKind.COMMENT, text=comment))
        except IntegrityError:  # a parallel save made it first: update that one
            statement_input(response, InputKind.COMMENT).text = comment
    elif existing.text != comment:
        existing.text = comment
    response.consent = consent
    db.session.flush()
    db.session.expire(response, ["comment_input"])
    record_change(response, now)
    db.session.flush()
