"""What a person reads of their own data (GDPR article 15): their words as they wrote them.

The download on "My data" is theirs alone, so nothing is masked: it is the input, the general
comment, the letter (with the text the secretariat reads of it), the ranking and the history
exactly as stored, with the state moderation gave each
part and, where it was published, the text the public reads.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from consult.extensions import db
from consult.moderation.models import Contribution
from consult.responses.models import FocusAreaRank
from consult.responses.models import GoalRank
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Response
from consult.responses.models import ResponseEvent


def responses_of(respondent_id: int) -> list[dict]:
    """Return every response of the respondent as plain data, oldest first."""
    responses = db.session.scalars(
        select(Response).where(Response.respondent_id == respondent_id).order_by(Response.id)
    ).all()
    return [_response(r) for r in responses]


def _response(response: Response) -> dict:
    consultation = response.consultation
    given = db.session.scalars(
        select(Input).where(Input.response_id == response.id).order_by(Input.item_id, Input.id)
    ).all()
    inputs = [i for i in given if i.kind is InputKind.GOAL]
    comment_input = next((i for i in given if i.kind is InputKind.COMMENT), None)
    letter_input = next((i for i in given if i.kind is InputKind.LETTER), None)
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.response_id == response.id)
    ).all()
    by_input = {c.input_id: c for c in contributions if c.kind.value == "input"}
    comment = next((c for c in contributions if c.kind.value == "comment"), None)
    areas = db.session.scalars(
        select(FocusAreaRank).where(FocusAreaRank.response_id == response.id)
    ).all()
    goals = db.session.scalars(select(GoalRank).where(GoalRank.response_id == response.id)).all()
    events = db.session.scalars(
        select(ResponseEvent)
        .where(ResponseEvent.response_id == response.id)
        .order_by(ResponseEvent.at, ResponseEvent.id)
    ).all()
    letter = response.letter
    return {
        "consultation": {"slug": consultation.slug, "title": consultation.title_da},
        "channel": response.channel.value,
        "state": response.state.value,
        "consent": response.consent.value,
        "receipt_number": response.receipt_number,
        "created_at": _iso(response.created_at),
        "submitted_at": _iso(response.submitted_at),
        "withdrawn_at": _iso(response.withdrawn_at),
        "general_comment": comment_input.text if comment_input is not None else "",
        "general_comment_moderation": _moderation(comment),
        "inputs": [
            {
                "item": i.item.key,
                "title": i.revision.title_da,
                "stance": i.stance.value if i.stance else None,
                "importance": i.importance,
                "text": i.text,
                "proposed_wording": i.proposed_wording,
                "moderation": _moderation(by_input.get(i.id)),
            }
            for i in inputs
        ],
        "ranking": {
            "focus_areas": [{"item_id": r.item_id, "rank": r.rank} for r in areas],
            "goals": [{"item_id": r.item_id, "rank": r.rank} for r in goals],
        },
        "letter": (
            {
                "filename": letter.filename,
                "size_bytes": letter.size_bytes,
                "sha256": letter.sha256,
                # What the secretariat reads of it (text read out of the PDF; never public).
                "text": letter_input.text if letter_input is not None else "",
            }
            if letter is not None
            else None
        ),
        "history": [
            {"at": _iso(e.at), "action": e.action, "snapshot": json.loads(e.snapshot or "{}")}
            for e in events
        ],
    }


def _moderation(contribution: Contribution | None) -> dict | None:
    if contribution is None:
        return None
    return {
        "state": contribution.state.value,
        "reviewed_at": _iso(contribution.reviewed_at),
        "public_text": contribution.public_text,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
