"""The secretariat's figures, counted ahead for large consultations.

Below ``FIGURES_LIVE_BELOW`` inputs (20,000) the dashboard and a goal's page count at request
time, exactly (``consult.analysis.figures``). Above it they read a ``FigureCube``: the same
small grouped rows the live pages fold (``figures.dashboard_rows`` and ``figures.goal_rows`` for
every goal at once, a few thousand rows), stored as JSON per consultation and rebuilt by a
background job. No page waits for a rebuild: it shows the stored figures and says when they
were made, and a first visit without a cube queues one.

What queues a rebuild (debounced: at most one *queued* job per consultation):

- any commit that wrote to a table the figures count (``WATCHED``: inputs, responses,
  respondents, replies, tags on input, duplicate groups, meetings), through the ORM or a bulk
  UPDATE/INSERT/DELETE in a service (``analysis/services.py`` changes reply states that way);
- every hour, ``analysis.refresh_figures`` (a safety net for a change made while a rebuild ran);
- ``flask consult figures rebuild <slug>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column

from consult import jobs
from consult.analysis import figures
from consult.db import UTCDateTime
from consult.db import utcnow
from consult.db import write_lock
from consult.drafts.models import Consultation
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import Response

KIND = "analysis.rebuild_figures"
REFRESH_KIND = "analysis.refresh_figures"

#: Below this many inputs the pages count live (exact and quick); the setting of that name wins.
LIVE_BELOW = 20_000

#: Tables whose change changes a figure: a commit writing to one queues a rebuild.
WATCHED = frozenset(
    {
        "inputs",
        "responses",
        "respondents",
        "replies",
        "input_tags",
        "tags",
        "duplicate_groups",
        "meetings",
    }
)

#: session.info key: the transaction wrote to a watched table.
_CHANGED = "consult.analysis.figures_changed"


class FigureCube(db.Model):
    """A consultation's figures, counted ahead: the grouped rows the pages are summed from."""

    __tablename__ = "figure_cubes"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    #: When the counting began: the figures are as of then.
    made_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Inputs counted (decides, with LIVE_BELOW, whether pages read this or count live).
    inputs: Mapped[int]
    #: ``{"dashboard": figures.dashboard_rows(…), "goals": figures.goal_rows(…)}``.
    rows: Mapped[dict[str, Any]] = mapped_column(JSON)


def topic(consultation_id: int) -> str:
    return f"figures:{consultation_id}"


def live_below() -> int | None:
    """The FIGURES_LIVE_BELOW setting (LIVE_BELOW by default; None: always count live)."""
    return current_app.config.get("FIGURES_LIVE_BELOW", LIVE_BELOW)


def is_small(consultation_id: int) -> bool:
    """Whether the consultation has fewer inputs than ``live_below()``; reads at most that many."""
    limit = live_below()
    if limit is None:
        return True
    counted = select(Input.id).join(Response, Response.id == Input.response_id)
    counted = counted.where(figures.submitted(consultation_id), figures.on_goals())
    counted = counted.limit(limit).subquery()
    return db.session.scalar(select(func.count()).select_from(counted)) < limit


def build(consultation_id: int) -> dict[str, Any]:
    """Count a consultation's cubes: seven GROUP BYs over its input, nothing kept per input."""
    return {
        "dashboard": figures.dashboard_rows(consultation_id),
        "goals": figures.goal_rows(consultation_id),
    }


def rebuild(consultation_id: int) -> FigureCube:
    """Count the cubes again and swap them in (the write lock only for the swap); commits."""
    made_at = utcnow()
    rows = build(consultation_id)
    inputs = sum(row[5] for row in rows["dashboard"]["responses"])
    db.session.commit()  # end the read; on SQLite the write below starts with the lock taken
    with write_lock():
        cube = db.session.get(FigureCube, consultation_id)
        if cube is None:
            cube = FigureCube(consultation_id=consultation_id)
            db.session.add(cube)
        if cube.made_at is None or cube.made_at < made_at:  # a slower, older count loses
            cube.made_at, cube.inputs, cube.rows = made_at, inputs, rows
        db.session.commit()
    return cube


def queue_rebuild(consultation_id: int) -> jobs.Job:
    """Queue a rebuild unless one waits already (then return that one).

    Debounced on *queued* jobs only, not ``once=True``: a change committed while a rebuild
    runs may come after its read, so it queues the next one.
    """
    waiting = db.session.scalars(
        select(jobs.Job)
        .where(
            jobs.Job.kind == KIND,
            jobs.Job.topic == topic(consultation_id),
            jobs.Job.state == jobs.JobState.QUEUED,
        )
        .limit(1)
    ).first()
    if waiting is not None:
        return waiting
    return jobs.enqueue(KIND, topic=topic(consultation_id), consultation_id=consultation_id)


def updating(consultation_id: int) -> bool:
    return jobs.active(KIND, topic(consultation_id)) is not None


@jobs.job(KIND)
def rebuild_figures_job(job, consultation_id: int) -> dict:
    """Count a consultation's figures again. Safe to run twice: the last count wins."""
    if db.session.get(Consultation, consultation_id) is None:
        return {"inputs": 0}
    return {"inputs": rebuild(consultation_id).inputs}


@jobs.job(REFRESH_KIND, schedule=jobs.crontab(minute="7"))
def refresh_figures_job(job) -> dict:
    """Every hour, queue a rebuild of every stored cube (cheap: a job row per cube, at most)."""
    ids = db.session.scalars(select(FigureCube.consultation_id)).all()
    for consultation_id in ids:
        queue_rebuild(consultation_id)
    db.session.commit()
    return {"queued": len(ids)}


# --- what queues a rebuild ------------------------------------------------------------------


def _mark(session: Session) -> None:
    session.info[_CHANGED] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__table__", None)
        if table is not None and table.name in WATCHED:
            _mark(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _bulk_write(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in WATCHED:
        _mark(state.session)


@event.listens_for(Session, "before_commit")
def _queue_rebuilds(session: Session) -> None:
    """Queue a rebuild of every stored cube when this transaction changed a counted table.

    Only consultations that have a cube (large ones, looked at) get one; small ones count live.
    """
    if not session.info.pop(_CHANGED, False):
        return
    for consultation_id in session.scalars(select(FigureCube.consultation_id)).all():
        queue_rebuild(consultation_id)
    session.info.pop(_CHANGED, None)  # the job rows just flushed are not a change


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
