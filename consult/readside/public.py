"""What the public may read: published contributions of submitted responses, and who sent them.

Every public page, the public API, the open data and the public report read input through
here, so the rules live in one place: published only, the text frozen at review (with its
redactions) only, names only with consent (``consult.readside.naming``). The public text is
what a moderator published, so nothing here runs the personal-data guard again.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from flask import current_app
from markupsafe import Markup
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm import joinedload

from consult.db import utcnow
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation.models import REDACTED
from consult.moderation.models import Contribution
from consult.moderation.models import ContributionKind
from consult.moderation.models import ModerationState
from consult.readside import upkeep
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


@dataclass
class ItemCounts:
    """A goal's published inputs counted by stance and by respondent type, from the kept
    counts (``readside.upkeep``): one small read, whatever the number of inputs."""

    #: (stance or "", respondent type id or 0, n, generation) per kept row
    rows: list[tuple[str, int, int, int]]
    types: dict[int, RespondentType]
    #: When each row last changed (for Last-Modified)
    changed: list[datetime]

    def changed_at(self) -> list[datetime]:
        return self.changed

    @property
    def stances(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for stance, _type, n, _gen in self.rows:
            if stance and n:
                out[stance] = out.get(stance, 0) + n
        return out

    @property
    def by_type(self) -> list[tuple[RespondentType, int]]:
        out: dict[int, int] = {}
        for _stance, type_id, n, _gen in self.rows:
            if type_id in self.types and n:
                out[type_id] = out.get(type_id, 0) + n
        return sorted(
            ((self.types[t], n) for t, n in out.items()), key=lambda r: (r[0].position, r[0].id)
        )

    def total(self, stance: str | None = None, type_id: int | None = None) -> int:
        return sum(
            n
            for s, t, n, _gen in self.rows
            if (stance is None or s == stance) and (type_id is None or t == type_id)
        )

    def fingerprint(self) -> str:
        """What changes whenever the goal's published input changes (for the ETag)."""
        return ";".join(f"{s}/{t}/{n}/{g}" for s, t, n, g in self.rows)


def item_counts(item_id: int) -> ItemCounts:
    """Return a goal's kept counts of published input, with the respondent types, in one query."""
    counts = upkeep.COUNTS
    rows = db.session.execute(
        select(
            counts.c.stance,
            counts.c.respondent_type_id,
            counts.c.n,
            counts.c.generation,
            counts.c.changed_at,
            RespondentType,
        )
        .outerjoin(RespondentType, RespondentType.id == counts.c.respondent_type_id)
        .where(counts.c.item_id == item_id)
        .order_by(counts.c.stance, counts.c.respondent_type_id)
    ).all()
    return ItemCounts(
        rows=[(s, t, n, g) for s, t, n, g, _at, _kind in rows],
        types={kind.id: kind for *_rest, kind in rows if kind is not None},
        changed=[at for *_rest, at, _kind in rows],
    )


def stance_counts(item_id: int) -> dict[str, int]:
    """Count the published inputs on a goal by stance (kept counts)."""
    return item_counts(item_id).stances


def type_counts(item_id: int) -> list[tuple[RespondentType, int]]:
    """Count the published inputs on a goal by respondent type (kept counts)."""
    return item_counts(item_id).by_type


_pinned = threading.local()


def _read_state(query, params: dict) -> tuple | None:
    """Run the state query with as little around it as possible: the first row, raw values.

    Outside the tests, on a DBAPI connection each worker thread keeps for this alone, in
    autocommit: no pool check-out (and its ping), no session, no BEGIN and no ROLLBACK around
    one SELECT (on PostgreSQL one round trip), which would otherwise be most of an anonymous
    request. The tests (whose session is bound to a connection in a transaction) use the session.
    """
    if current_app.testing:
        row = db.session.connection().execute(query, params).first()
        return None if row is None else tuple(row)
    engine = db.engine
    for attempt in (1, 2):
        pinned = getattr(_pinned, "state", None)
        if pinned is None or pinned[0] is not engine:
            raw = engine.raw_connection()
            if engine.dialect.name == "postgresql":
                raw.driver_connection.autocommit = True
            compiled = query.compile(dialect=engine.dialect)
            pinned = _pinned.state = (engine, raw, compiled)
        _engine, raw, compiled = pinned
        values = compiled.construct_params(params)
        if compiled.positional:
            values = [values[name] for name in compiled.positiontup]
        try:
            cursor = raw.driver_connection.cursor()
            try:
                cursor.execute(str(compiled), values)
                row = cursor.fetchone()
            finally:
                cursor.close()
            return None if row is None else tuple(row)
        except Exception:
            # The server went away (a restart, a failover): start again on a new connection.
            _pinned.state = None
            raw.invalidate()
            if attempt == 2:
                raise
    return None


#: How long a worker may reuse a state it read, in seconds (``PUBLIC_STATE_SECONDS``; 0 reads
#: it at every request). Within this a change shows at the next request after it at the latest.
PUBLIC_STATE_SECONDS = 1.0

_recent: dict[str, tuple[float, tuple | None]] = {}


def _recent_state(slug: str) -> tuple | None:
    """The state row of a consultation, read at most once a second per worker.

    Under load most anonymous requests then touch no database at all; a published input, a
    hidden one or an edited draft shows on the public pages within a second.
    """
    seconds = current_app.config.get(
        "PUBLIC_STATE_SECONDS", 0 if current_app.testing else PUBLIC_STATE_SECONDS
    )
    now = time.monotonic()
    if seconds > 0:
        found = _recent.get(slug)
        if found is not None and now - found[0] < seconds:
            return found[1]
    row = _read_state(_page_state_query(), {"slug": slug})
    if seconds > 0:
        if len(_recent) > 1000:
            _recent.clear()
        _recent[slug] = (now, row)
    return row


def _as_utc(value) -> datetime | None:
    """A timestamp as the raw driver gives it (SQLite: text; PostgreSQL: naive) -> aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


@functools.cache
def _page_state_query():
    """Built once: the state of a public page is read on every anonymous request."""
    consultations = Consultation.__table__
    state = upkeep.STATE
    here = state.alias("here")
    everywhere = state.alias("everywhere")
    return (
        select(
            consultations.c.id,
            consultations.c.status,
            consultations.c.opens_at,
            consultations.c.closes_at,
            consultations.c.updated_at,
            here.c.generation,
            here.c.changed_at,
            everywhere.c.generation,
            everywhere.c.changed_at,
        )
        .select_from(consultations)
        .outerjoin(here, here.c.consultation_id == consultations.c.id)
        .outerjoin(everywhere, everywhere.c.consultation_id == upkeep.EVERYWHERE)
        .where(consultations.c.slug == bindparam("slug"))
    )


def page_state(slug: str, **_view_args) -> tuple[tuple, datetime] | None:
    """Everything a public input page shows besides its URL and language, in one query.

    For ``consult.http_cache``: the consultation (status, where the clock stands, last edit)
    and the generations bumped whenever its published input, any draft or reference data
    changes. None when the consultation is not public (a draft, or no such slug).
    """
    row = _recent_state(slug)
    if row is None:
        return None
    cid, status, opens_at, closes_at, updated_at, gen, changed, gen_all, changed_all = row
    status = getattr(status, "value", status)
    if status == Status.DRAFT.value:
        return None
    opens_at, closes_at, updated_at, changed, changed_all = (
        _as_utc(v) for v in (opens_at, closes_at, updated_at, changed, changed_all)
    )
    now = utcnow()
    parts = (cid, status, now < opens_at, now < closes_at, updated_at, gen, gen_all)
    return parts, max(t for t in (updated_at, changed, changed_all) if t is not None)


def consultation_total(consultation_id: int) -> int:
    """Count a consultation's published inputs (kept counts)."""
    counts = upkeep.COUNTS
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(counts.c.n), 0)).where(
                counts.c.consultation_id == consultation_id
            )
        )
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
    return render_public_html(str(render_paragraphs(text)), removed_label)


def render_public_html(html: str | None, removed_label: str) -> Markup:
    """Show stored public HTML (cleaned when the text was published), removed parts labelled."""
    if not html:
        return Markup("")
    mark = Markup('<span class="redacted">{}</span>').format(removed_label)
    return Markup(html.replace(REDACTED, str(mark)))  # noqa: S704 - both parts are escaped


def plain_public_text(text: str | None, removed_label: str) -> str:
    """Return frozen public text as plain text (exports), removed parts as the label."""
    return (text or "").replace(REDACTED, removed_label)
