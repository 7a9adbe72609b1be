"""The read API's data: consultations, their structure, input (public or full) and figures.

Every read of input goes through ``consult.readside``: the public one through
``readside.public`` (published contributions of submitted responses that allow it, their frozen
text, a name only by the one naming rule); the full view, for a live staff token only, through
``readside.staff`` (the text as written, CPR numbers masked). Every function returns plain
JSON-ready data in a fixed number of queries, whatever the size of the page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload

from consult.accounts.models import Role
from consult.analysis.figures import goals_overview
from consult.analysis.figures import reply_state
from consult.analysis.models import Reply
from consult.analysis.models import Tag
from consult.analysis.models import input_tags
from consult.api.models import ApiToken
from consult.audit import services as audit
from consult.db import utcnow
from consult.drafts import services as drafts
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.drafts.services import Node
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.readside import naming
from consult.readside import public as published
from consult.readside import staff
from consult.responses.models import Input
from consult.responses.models import InputKind
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.responses.models import Stance

#: Where a moderator removed something, the public text says this (open data is Danish).
REMOVED_LABEL = "[fjernet]"
#: Tokens look like "consult_…": a prefix secret scanners and people recognise.
TOKEN_PREFIX = "consult_"  # noqa: S105 - a public prefix, not a secret
#: A token longer than this is not one of ours; refused before any hashing or query.
TOKEN_MAX_LENGTH = 200
#: Token use is written down at most this often, so reading never means a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
#: The roles a token works for; checked at every use, not only when it is made.
TOKEN_ROLES = (Role.ADMIN, Role.SECRETARIAT)


def iso(value: datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 in UTC ("2025-03-01T09:00:00Z"), or None."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- tokens ------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_hold_token(user) -> bool:
    """Whether ``user`` may make and use tokens: secretariat or admin, not disabled."""
    return user is not None and not user.is_disabled and user.role in TOKEN_ROLES


def create_token(user, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; return the row and the token, which is never stored.

    :param user: the secretariat user (or admin) the token acts as.
    :param name: what it is for, shown on the tokens page.
    :raises PermissionError: when the user may not hold tokens.
    """
    if not may_hold_token(user):
        raise PermissionError("tokens are for the secretariat")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip(), token_hash=hash_token(token))
    db.session.add(row)
    db.session.flush()
    audit.record(user, "api.create_token", "api_token", row.id, name=row.name)
    return row, token


def revoke_token(row: ApiToken, actor, now: datetime | None = None) -> None:
    """Stop a token from working; the row stays, so the page shows when it was revoked."""
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        audit.record(actor, "api.revoke_token", "api_token", row.id, name=row.name)
        db.session.flush()


def tokens_for(user) -> list[ApiToken]:
    """Return the tokens ``user`` manages: their own, or everybody's for an admin."""
    query = (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    if user.role is not Role.ADMIN:
        query = query.where(ApiToken.user_id == user.id)
    return list(db.session.scalars(query))


def token_managed_by(user, token_id: int) -> ApiToken | None:
    """Return the token if ``user`` may revoke it (their own; an admin any), else None."""
    row = db.session.get(ApiToken, token_id)
    if row is None or (row.user_id != user.id and user.role is not Role.ADMIN):
        return None
    return row


@dataclass
class TokenUse:
    token: ApiToken
    user: object
    #: last_used_at was moved on: the caller commits it as bookkeeping.
    touched: bool


def authenticate(token: str, now: datetime | None = None) -> TokenUse | None:
    """Return the live token and its user for a bearer token, or None when it does not work.

    Moves ``last_used_at`` on when it is older than a minute (the caller commits that).
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    row = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not may_hold_token(row.user):
        return None
    now = now or utcnow()
    touched = row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION
    if touched:
        row.last_used_at = now
    return TokenUse(row, row.user, touched)


# --- consultations and their structure ---------------------------------------------------------


def consultation_data(consultation: Consultation, now: datetime | None = None) -> dict:
    return {
        "slug": consultation.slug,
        "title_da": consultation.title_da,
        "title_en": consultation.title_en or None,
        "summary_da": consultation.summary_da,
        "summary_en": consultation.summary_en or None,
        "status": consultation.status.value,
        "phase": consultation.phase(now).value,
        "opens_at": iso(consultation.opens_at),
        "closes_at": iso(consultation.closes_at),
    }


def list_consultations(*, include_drafts: bool, now: datetime | None = None) -> list[dict]:
    """Return the consultations as the public sees them (open, upcoming, closed), drafts last."""
    now = now or utcnow()
    listing = drafts.list_consultations(include_drafts=include_drafts, now=now)
    ordered = [*listing.open, *listing.upcoming, *listing.closed, *listing.drafts]
    return [consultation_data(c, now) for c in ordered]


def visible_consultation(slug: str, *, include_drafts: bool) -> Consultation | None:
    """Return the consultation at ``slug`` if the caller may see it (drafts: staff only)."""
    consultation = drafts.get_consultation(slug)
    if consultation is None:
        return None
    if consultation.status is Status.DRAFT and not include_drafts:
        return None
    return consultation


def _node_data(node: Node) -> dict:
    revision = node.revision
    return {
        "key": node.key,
        "kind": node.kind.value,
        "title_da": revision.title_da,
        "title_en": revision.title_en or None,
        "body_da": revision.body_da,
        "body_en": revision.body_en or None,
        "alternatives": [
            {"letter": a.letter, "text_da": a.text_da, "text_en": a.text_en or None}
            for a in revision.alternatives
        ],
        "political_goals": [
            {"text_da": g.text_da, "text_en": g.text_en or None} for g in revision.political_goals
        ],
        "funds_dkk": revision.funds_dkk,
        "funds_note_da": revision.funds_note_da,
        "funds_note_en": revision.funds_note_en or None,
        "children": [_node_data(child) for child in node.children],
    }


def structure(consultation: Consultation) -> dict:
    """Return the consultation with its current version and the whole item tree."""
    version = drafts.current_version(consultation)
    data = consultation_data(consultation)
    if version is None:
        return {**data, "version": None, "items": []}
    tree = drafts.load_tree(version)
    return {
        **data,
        "version": {
            "number": version.number,
            "label_da": version.label_da,
            "label_en": version.label_en or None,
        },
        "items": [_node_data(node) for node in tree.roots],
    }


# --- input ---------------------------------------------------------------------------------------


@dataclass
class InputPage:
    items: list[dict]
    total: int
    page: int
    per_page: int
    #: The ``after`` that gives the next page (the last id here), or None on the last page.
    next_after: int | None = None

    @property
    def pages(self) -> int:
        return -(-self.total // self.per_page) if self.total else 0


def _filtered(query, consultation_id: int, full: bool):
    """Add the joins and conditions that decide which input a view lists."""
    query = (
        query.join(Input.response)
        .join(Response.respondent)
        # Outer: a general comment or a letter answers no goal, and is listed too.
        .outerjoin(Input.item)
        .where(Response.consultation_id == consultation_id)
    )
    if full:
        return query.outerjoin(Contribution, Contribution.input_id == Input.id).where(
            Response.state == ResponseState.SUBMITTED
        )
    # Inputs, general comments and letters: every published contribution (a letter without
    # its text, ``_public_item``).
    return query.join(Contribution, Contribution.input_id == Input.id).where(
        Contribution.consultation_id == consultation_id,
        *published.visible(),
    )


def _tags(input_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {i: [] for i in input_ids}
    if not input_ids:
        return tags
    for input_id, name in db.session.execute(
        select(input_tags.c.input_id, Tag.name)
        .join(Tag, Tag.id == input_tags.c.tag_id)
        .where(input_tags.c.input_id.in_(input_ids))
        .order_by(input_tags.c.input_id, Tag.name)
    ):
        tags[input_id].append(name)
    return tags


def _respondent_type(response: Response) -> str | None:
    kind = response.respondent.respondent_type
    return kind.code if kind is not None else None


def _answer(input_: Input) -> dict:
    """What every view of an input shows: which goal, and the answer's structured parts."""
    return {
        "id": input_.id,
        "kind": input_.kind.value,
        "goal_key": input_.item.key if input_.item is not None else None,
        "stance": input_.stance.value if input_.stance else None,
        "importance": input_.importance,
        "preferred_alternative": (
            input_.preferred_alternative.letter if input_.preferred_alternative else None
        ),
    }


def _public_item(input_: Input, contribution: Contribution) -> dict:
    wording = contribution.public_wording
    # A letter is public only as its file: never the text read out of it.
    is_letter = input_.kind is InputKind.LETTER
    return {
        **_answer(input_),
        "text": None
        if is_letter
        else published.plain_public_text(contribution.public_text, REMOVED_LABEL),
        "proposed_wording": (
            published.plain_public_text(wording, REMOVED_LABEL)
            if wording and not is_letter
            else None
        ),
        "is_redacted": contribution.is_redacted,
        "respondent_type": _respondent_type(input_.response),
        "name": naming.public_name(input_.response),
        "channel": input_.response.channel.value,
        "published_at": iso(contribution.reviewed_at),
    }


def _full_item(
    input_: Input, contribution: Contribution | None, state: str, disposition, tags: list[str]
) -> dict:
    is_public = contribution is not None and contribution.state is ModerationState.PUBLISHED
    return {
        **_answer(input_),
        "text": staff.text(input_.text),
        "proposed_wording": staff.text(input_.proposed_wording) or None,
        "is_redacted": bool(is_public and contribution.is_redacted),
        "respondent_type": _respondent_type(input_.response),
        "name": naming.public_name(input_.response),
        "channel": input_.response.channel.value,
        "published_at": iso(contribution.reviewed_at) if is_public else None,
        "moderation_state": contribution.state.value if contribution is not None else None,
        "public_text": (
            published.plain_public_text(contribution.public_text, REMOVED_LABEL)
            if is_public
            else None
        ),
        "consent": input_.response.consent.value,
        "submitted_at": iso(input_.response.submitted_at),
        "tags": tags,
        "reply_state": state,
        "disposition": disposition.value if disposition is not None else None,
    }


def _total(consultation: Consultation, full: bool) -> int:
    """Count the inputs a view lists from what is kept, never by walking the inputs; and the
    general comments and letters (at most two a response) by one count of their own."""
    if full:
        # Response.input_count is kept by ORM events; the covering index answers this.
        on_goals = db.session.scalar(
            select(func.coalesce(func.sum(Response.input_count), 0)).where(
                Response.consultation_id == consultation.id,
                Response.state == ResponseState.SUBMITTED,
            )
        )
        statements = db.session.scalar(
            select(func.count(Input.id))
            .join(Response, Response.id == Input.response_id)
            .where(
                Response.consultation_id == consultation.id,
                Response.state == ResponseState.SUBMITTED,
                Input.kind != InputKind.GOAL,
            )
        )
        return int(on_goals) + int(statements or 0)
    statements = db.session.scalar(
        select(func.count(Contribution.id))
        .join(Response, Response.id == Contribution.response_id)
        .where(
            Contribution.consultation_id == consultation.id,
            Contribution.kind != ContributionKind.INPUT,
            *published.visible(),
        )
    )
    return published.consultation_total(consultation.id) + int(statements or 0)


def inputs_page(
    consultation: Consultation,
    page: int,
    per_page: int,
    *,
    full: bool,
    after: int | None = None,
) -> InputPage:
    """Return one page of a consultation's input, oldest first (by input id).

    :param after: keyset paging: the inputs with an id above this one (``next_after`` of the
        previous page). The cost of a page is then the same at any depth; ``page`` (an offset)
        still works, but reads past every earlier page.
    :param full: every submitted input with its original text, moderation state, tags and
        reply (a staff token only); otherwise only what ``published.visible()`` allows, with
        the frozen public text and a name only with consent.
    """
    eager = (
        contains_eager(Input.response)
        .contains_eager(Response.respondent)
        .joinedload(Respondent.respondent_type),
        contains_eager(Input.item),
        joinedload(Input.preferred_alternative),
    )
    columns = [Input, Contribution]
    if full:
        columns += [reply_state(), Reply.disposition]
    query = _filtered(select(*columns), consultation.id, full)
    # The public list walks ix_contributions_public_inputs (consultation, state, input id).
    key = Input.id if full else Contribution.input_id
    if full:
        query = query.outerjoin(Reply, Reply.id == Input.reply_id)
    # Always a range on the key, which the index walks (general comments and letters are
    # inputs too, in the same order, with ``kind`` saying which).
    # Both sides of the join: PostgreSQL does not carry a range across it, and would merge-join
    # from the first input on.
    query = query.where(key > (after or 0), Input.id > (after or 0))
    if after is not None:
        page = 1
    query = query.options(*eager).order_by(key).limit(per_page)
    if after is None:
        query = query.offset((page - 1) * per_page)
    rows = db.session.execute(query).all()
    if full:
        tags = _tags([row[0].id for row in rows])
        items = [_full_item(i, c, s, d, tags[i.id]) for i, c, s, d in rows]
    else:
        items = [_public_item(i, c) for i, c in rows]
    return InputPage(
        items=items,
        total=_total(consultation, full),
        page=page,
        per_page=per_page,
        next_after=items[-1]["id"] if len(items) == per_page else None,
    )


# --- figures -------------------------------------------------------------------------------------


def summary(consultation: Consultation) -> dict:
    """Count every submitted input per goal and initiative by stance (aggregates only)."""
    version = drafts.current_version(consultation)
    nodes = drafts.load_tree(version).commentable() if version is not None else []
    stances = goals_overview(consultation).stances
    goals = []
    for node in nodes:
        counts = stances.get(node.item.id, {})
        by_stance = {s.value: counts.get(s.value, 0) for s in Stance}
        by_stance["unspecified"] = counts.get(None, 0)
        parent = node.parent.key if node.parent is not None else None
        goals.append(
            {
                "key": node.key,
                "kind": node.kind.value,
                "focus_area": parent,
                "title_da": node.revision.title_da,
                "title_en": node.revision.title_en or None,
                "total": sum(by_stance.values()),
                "stances": by_stance,
            }
        )
    return {"slug": consultation.slug, "goals": goals}
