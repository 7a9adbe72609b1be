"""Counts of published input, kept up to date in the transaction that changes the input.

The public pages and the public API show how many published inputs a goal has, by stance and
by respondent type, and how many a consultation has. Counting them per request walks every
published input; so ``public_counts`` holds one row per goal × stance × respondent type, and
every flush that touches what decides those counts (a contribution's state or text, a
response's state or consent, an input's stance, a respondent's type or name, a session's title)
moves the rows of the responses it touched:

- before the flush, the touched responses' published inputs are subtracted from their rows;
- after the flush, they are added to their (possibly new) rows.

Both are single write statements (``UPDATE … SET n = n - (SELECT count(*) …)``, ``INSERT …
SELECT … ON CONFLICT DO NOTHING``), never a read followed by a write, so on SQLite they never
fail with "database is locked" in a deferred transaction that has not written yet, and they
live and die with the change itself. Every touch also bumps the row's ``generation``: the public
goal page's ETag hashes the rows, so it changes whenever what the page lists changes.

Writes that bypass the ORM (``bench.generate``'s Core inserts) are not seen:
``flask consult recount`` rebuilds the table from scratch (and fills the stored HTML of
published text that has none), and must agree with the live counts.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column

from consult.db import UTCDateTime
from consult.db import utcnow
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.responses.models import Consent
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from consult.sanitize import render_paragraphs
from consult.sessions.models import Meeting

#: Stored in ``stance`` for an input without one (a primary key column cannot be NULL).
NO_STANCE = ""
#: Stored in ``respondent_type_id`` for a respondent without a type.
NO_TYPE = 0


class PublicCount(db.Model):
    """How many published inputs one goal has from one stance and respondent type."""

    __tablename__ = "public_counts"
    __table_args__ = (Index("ix_public_counts_consultation", "consultation_id"),)

    item_id: Mapped[int] = mapped_column(
        ForeignKey("items.id", ondelete="CASCADE"), primary_key=True
    )
    #: The input's stance, or NO_STANCE.
    stance: Mapped[str] = mapped_column(String(24), primary_key=True)
    #: The respondent's type, or NO_TYPE (no foreign key: 0 stands for none).
    respondent_type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    n: Mapped[int] = mapped_column(default=0)
    #: Bumped at every change of the row's inputs (also one that keeps ``n``): for ETags.
    generation: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


COUNTS = PublicCount.__table__

#: ``PublicState.consultation_id`` of the row every draft or reference change bumps.
EVERYWHERE = 0


class PublicState(db.Model):
    """A generation per consultation, bumped whenever what its public pages show may change.

    The row of a consultation moves with its kept counts (any published input touched); the
    row EVERYWHERE moves with any change to a draft (items, revisions, versions, consultations)
    or to reference data (respondent types' names). A public page's ETag and the in-process
    cache of rendered pages (``consult.http_cache``) are keyed by the two, read in one query.
    """

    __tablename__ = "public_state"

    #: A consultation's id, or EVERYWHERE (no foreign key: 0 is no consultation).
    consultation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


STATE = PublicState.__table__


def _bump(connection, rows) -> None:
    """Bump the generation of the consultations ``rows`` selects (write-first: an upsert)."""
    insert = _insert(connection, STATE)
    connection.execute(
        insert.from_select(
            ["consultation_id", "generation", "changed_at"], rows
        ).on_conflict_do_update(
            index_elements=[STATE.c.consultation_id],
            set_={
                "generation": STATE.c.generation + 1,
                "changed_at": insert.excluded.changed_at,
            },
        )
    )


def bump_everywhere(connection, now: datetime | None = None) -> None:
    """Bump the generation every public page's ETag includes."""
    now = now or utcnow()
    _bump(
        connection,
        select(literal(EVERYWHERE), literal(1), literal(now, UTCDateTime())).where(literal(True)),
    )


def _public_conditions():
    return (
        Contribution.kind == ContributionKind.INPUT,
        Contribution.state == ModerationState.PUBLISHED,
        Response.state == ResponseState.SUBMITTED,
        Response.consent != Consent.PRIVATE,
    )


def _keys(where=None, *extra):
    """Select (item, stance, type, consultation) of every published input matching ``where``."""
    query = (
        select(
            Contribution.item_id.label("item_id"),
            func.coalesce(type_coerce(Input.stance, String), NO_STANCE).label("stance"),
            func.coalesce(Respondent.respondent_type_id, NO_TYPE).label("type_id"),
            Contribution.consultation_id.label("consultation_id"),
            *extra,
        )
        .select_from(Contribution)
        .join(Input, Input.id == Contribution.input_id)
        .join(Response, Response.id == Contribution.response_id)
        .join(Respondent, Respondent.id == Response.respondent_id)
        .where(*_public_conditions())
    )
    return query if where is None else query.where(where)


def _insert(connection, table=COUNTS):
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _move(connection, where, sign: int, now: datetime) -> None:
    """Add (sign 1) or subtract (-1) the published inputs matching ``where`` to their rows."""
    keys = _keys(where).subquery()
    match = and_(
        keys.c.item_id == COUNTS.c.item_id,
        keys.c.stance == COUNTS.c.stance,
        keys.c.type_id == COUNTS.c.respondent_type_id,
    )
    # The consultation's state row first: on PostgreSQL it is then the one lock writers of
    # one consultation's counts queue on, so two of them never hold count rows the other wants.
    _bump(
        connection,
        select(keys.c.consultation_id, literal(1), literal(now, UTCDateTime()))
        .where(literal(True))
        .distinct(),
    )
    if sign > 0:
        # Make the rows that do not exist yet (n = 0), then add as for existing rows.
        connection.execute(
            _insert(connection)
            .from_select(
                [
                    "item_id",
                    "stance",
                    "respondent_type_id",
                    "consultation_id",
                    "n",
                    "generation",
                    "changed_at",
                ],
                _keys(where, literal(0), literal(0), literal(now, UTCDateTime())).distinct(),
            )
            .on_conflict_do_nothing()
        )
    amount = select(func.count()).select_from(keys).where(match).scalar_subquery()
    connection.execute(
        update(COUNTS)
        .where(
            COUNTS.c.item_id.in_(select(keys.c.item_id)),
            exists(select(literal(1)).select_from(keys).where(match)),
        )
        .values(
            n=COUNTS.c.n + amount if sign > 0 else COUNTS.c.n - amount,
            generation=COUNTS.c.generation + 1,
            changed_at=now,
        )
    )


# --- which flushes touch the counts -------------------------------------------------------------

#: The attributes that decide whether an input is counted, where, or what the page shows of it.
WATCHED = {
    Contribution: (
        "state",
        "kind",
        "item_id",
        "response_id",
        "input_id",
        "public_text",
        "public_wording",
        "is_redacted",
        "reviewed_at",
    ),
    Response: ("state", "consent", "respondent_id", "meeting_id", "channel"),
    Input: ("stance", "item_id", "response_id"),
    Respondent: ("respondent_type_id", "name", "organisation"),
    Meeting: ("title",),
}


def _changed(obj) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in WATCHED[type(obj)])


def _where(touched: dict[type, set[int]]):
    """The contributions of every response touched, directly or through who sent it."""
    parts = []
    if touched[Response]:
        parts.append(Contribution.response_id.in_(sorted(touched[Response])))
    if touched[Respondent]:
        parts.append(
            Contribution.response_id.in_(
                select(Response.id).where(Response.respondent_id.in_(sorted(touched[Respondent])))
            )
        )
    if touched[Meeting]:
        parts.append(
            Contribution.response_id.in_(
                select(Response.id).where(Response.meeting_id.in_(sorted(touched[Meeting])))
            )
        )
    return or_(*parts) if parts else None


#: Models whose change may change any public page (titles, types' names): bump EVERYWHERE.
_EVERYWHERE_MODULES = ("consult.drafts.models", "consult.reference.models")


def _drafts_changed(session: Session) -> bool:
    return any(
        type(obj).__module__ in _EVERYWHERE_MODULES
        for group in (session.new, session.dirty, session.deleted)
        for obj in group
    )


def _touched(session: Session) -> tuple[dict, list]:
    touched: dict[type, set[int]] = {Response: set(), Respondent: set(), Meeting: set()}
    later: list = []
    for obj in session.new:
        # A new contribution may be published at once; new responses, inputs and respondents
        # have no contribution yet.
        if type(obj) is Contribution:
            later.append(obj)
    for obj in list(session.dirty) + list(session.deleted):
        kind = type(obj)
        if kind not in WATCHED or (obj not in session.deleted and not _changed(obj)):
            continue
        if kind in (Contribution, Input):
            response_ids = {obj.response_id}
            history = inspect(obj).attrs["response_id"].history
            response_ids.update(v for v in history.deleted if v is not None)
            touched[Response].update(i for i in response_ids if i is not None)
        elif kind is Response:
            touched[Response].add(obj.id)
        else:
            touched[kind].add(obj.id)
    return touched, later


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush_context, instances) -> None:
    if _drafts_changed(session):
        bump_everywhere(session.connection())
    touched, later = _touched(session)
    where = _where(touched)
    if where is None and not later:
        return
    now = utcnow()
    if where is not None:
        _move(session.connection(), where, -1, now)
    session.info["consult_public_counts"] = (touched, later, now)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop("consult_public_counts", None)
    if pending is None:
        return
    touched, later, now = pending
    touched[Response].update(c.response_id for c in later if c.response_id is not None)
    where = _where(touched)
    if where is not None:
        _move(session.connection(), where, 1, now)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    session.info.pop("consult_public_counts", None)


# --- stored HTML of public text -----------------------------------------------------------------


def public_html(text: str | None) -> str | None:
    """Return frozen public text as the cleaned paragraphs the pages show (REDACTED kept)."""
    return str(render_paragraphs(text)) if text else None


@event.listens_for(Contribution.public_text, "set")
def _text_set(target, value, oldvalue, initiator) -> None:
    target.public_html = public_html(value)


@event.listens_for(Contribution.public_wording, "set")
def _wording_set(target, value, oldvalue, initiator) -> None:
    target.public_wording_html = public_html(value)


# --- rebuilding -------------------------------------------------------------------------------


def recount(consultation_id: int | None = None) -> int:
    """Rebuild ``public_counts`` from the contributions; return the number of rows written.

    Generations continue above the highest one so far, so no ETag given out before comes back.
    """
    connection = db.session.connection()
    top = connection.execute(select(func.coalesce(func.max(COUNTS.c.generation), 0))).scalar()
    scope = None if consultation_id is None else Contribution.consultation_id == consultation_id
    gone = delete(COUNTS)
    if consultation_id is not None:
        gone = gone.where(COUNTS.c.consultation_id == consultation_id)
    connection.execute(gone)
    keys = _keys(scope).subquery()
    rows = select(
        keys.c.item_id,
        keys.c.stance,
        keys.c.type_id,
        keys.c.consultation_id,
        func.count(),
        literal(top + 1),
        literal(utcnow(), UTCDateTime()),
    ).group_by(keys.c.item_id, keys.c.stance, keys.c.type_id, keys.c.consultation_id)
    bump_everywhere(connection)
    connection.execute(
        COUNTS.insert().from_select(
            [
                "item_id",
                "stance",
                "respondent_type_id",
                "consultation_id",
                "n",
                "generation",
                "changed_at",
            ],
            rows,
        )
    )
    return connection.execute(select(func.count()).select_from(COUNTS)).scalar()


def fill_public_html(batch: int = 2000) -> int:
    """Store the HTML of published text that has none (data written past the ORM)."""
    table = Contribution.__table__
    done = 0
    last = 0
    while True:
        rows = db.session.execute(
            select(table.c.id, table.c.public_text, table.c.public_wording)
            .where(
                table.c.id > last,
                or_(
                    and_(table.c.public_text.is_not(None), table.c.public_html.is_(None)),
                    and_(
                        table.c.public_wording.is_not(None),
                        table.c.public_wording_html.is_(None),
                    ),
                ),
            )
            .order_by(table.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(public_html=bindparam("html"), public_wording_html=bindparam("wording")),
            [
                {"cid": i, "html": public_html(text), "wording": public_html(wording)}
                for i, text, wording in rows
            ],
        )
        done += len(rows)
        last = rows[-1][0]


@click.command("recount")
@with_appcontext
def recount_command():
    """Rebuild the published-input counts and the stored HTML of published text."""
    from consult.db import write_lock

    with write_lock():
        db.session.commit()
        rows = recount()
        db.session.commit()
        filled = fill_public_html()
        db.session.commit()
    click.echo(f"{rows} count rows rebuilt; {filled} public texts given stored HTML.")
