"""Enqueue jobs, report their progress, find them again, and find the ones a dead worker left.

``enqueue`` adds a Job row to the caller's transaction and hands its id to the queue only once
that transaction commits: a rolled-back request leaves no job, and a job is never picked up
before its row can be read. If the queue cannot be reached then, the sweep hands it on later.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.event import listen
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.extensions import db
from consult.jobs import registry
from consult.jobs.models import ACTIVE
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.jobs.queue import job_queue
from consult.jobs.runner import ProgressCallback
from consult.jobs.runner import current_run

if TYPE_CHECKING:
    from consult.accounts.models import User

log = logging.getLogger(__name__)

#: session.info key: what to hand to the queue once the transaction commits.
_PENDING = "consult.jobs.pending"


def enqueue(
    kind: str,
    *,
    topic: str = "",
    requested_by: User | None = None,
    max_attempts: int | None = None,
    once: bool = False,
    dispatch: bool = True,
    **args: Any,
) -> Job:
    """Add a job to the current transaction; it is handed to the workers when that commits.

    :param kind: a registered job kind (``@job("…")``).
    :param topic: what it works on, e.g. ``"consultation:12"``, to find it again (latest()).
    :param requested_by: the user who asked, if any.
    :param once: return the queued or running job of this kind and topic instead, if any.
    :param dispatch: False to run it here and now (``runner.run``) instead of in a worker.
    :param args: the function's keyword arguments: JSON values (ids, short strings), named
        otherwise than the parameters above.
    :return: the Job row, flushed.
    """
    spec = registry.spec(kind)
    if once:
        existing = active(kind, topic)
        if existing is not None:
            return existing
    try:
        plain = json.loads(json.dumps(args)) == args
    except (TypeError, ValueError):
        plain = False
    if not plain:
        raise TypeError(f"job {kind!r}: arguments must be plain JSON values")
    now = utcnow()
    job = Job(
        kind=kind,
        args=args,
        topic=topic,
        state=JobState.QUEUED,
        max_attempts=max_attempts or spec.max_attempts,
        requested_by_id=requested_by.id if requested_by is not None else None,
        created_at=now,
        not_before=now,
        dispatched_at=now if dispatch else None,
    )
    db.session.add(job)
    db.session.flush()
    if dispatch:
        dispatch_after_commit(job.id)
    return job


def kick(kind: str) -> None:
    """Have a worker run the scheduled job ``kind`` soon after this transaction commits
    (e.g. send the mail just queued instead of waiting for the next minute)."""
    registry.spec(kind)
    _pending().append(("kick", kind, None))


def get(job_id: int) -> Job | None:
    """Return the job with this id, or None."""
    return db.session.get(Job, job_id)


def latest(kind: str, topic: str) -> Job | None:
    """Return the newest job of this kind and topic, or None."""
    return db.session.scalars(
        select(Job).where(Job.kind == kind, Job.topic == topic).order_by(Job.id.desc()).limit(1)
    ).first()


def active(kind: str, topic: str) -> Job | None:
    """Return the oldest queued or running job of this kind and topic, or None."""
    return db.session.scalars(
        select(Job)
        .where(Job.kind == kind, Job.topic == topic, Job.state.in_(ACTIVE))
        .order_by(Job.id)
        .limit(1)
    ).first()


def progress(job: Job | None, done: int, total: int | None = None) -> None:
    """Report how far ``job`` has come ("done of total"); pages and the CLI show it.

    Cheap to call often: the worker writes it at most once a second, on a connection of its
    own. Nothing happens for ``job=None`` (a scheduled run) or outside a worker's run.
    """
    run = current_run()
    if job is None or run is None or run.job_id != job.id:
        return
    job.progress_done, job.progress_total = done, total
    run.report(done, total)


def wait(job_id: int, *, on_progress: ProgressCallback | None = None, poll: float = 0.5) -> Job:
    """Wait until the job is done or failed, reporting its progress; return it."""
    while True:
        job = db.session.get(Job, job_id, populate_existing=True)
        if job is None:
            raise LookupError(f"no job {job_id}")
        state, done, total = job.state, job.progress_done, job.progress_total
        # End the read: SQLite shows a transaction the database as it was when it began.
        db.session.commit()
        if on_progress is not None:
            on_progress(done, total)
        if state not in ACTIVE:
            return db.session.get(Job, job_id)
        time.sleep(poll)


# --- handing ids to the queue after commit ---------------------------------------------------


def _pending() -> list:
    return db.session.info.setdefault(_PENDING, [])


def dispatch_after_commit(job_id: int, delay: float | None = None) -> None:
    """Hand ``job_id`` to the queue once the current transaction commits."""
    _pending().append(("job", job_id, delay))


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    seen = set()
    for what, value, delay in pending:
        if (what, value) in seen:
            continue
        seen.add((what, value))
        try:
            if what == "job":
                job_queue.current.dispatch(value, delay)
            else:
                job_queue.current.kick(value)
        except Exception as exc:
            # Committed all the same: the sweep hands a job over later, and a scheduled job
            # runs on its schedule anyway. A warning, not an error: nothing is lost.
            log.warning("could not hand %s %s to the job queue: %r", what, value, exc)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


listen(Session, "after_commit", _after_commit)
listen(Session, "after_rollback", _after_rollback)


# --- the sweep: jobs a dead worker left, ids the queue lost --------------------------------------


@dataclass
class SweepReport:
    #: Running jobs whose heartbeat stopped, queued again.
    requeued: int = 0
    #: The same, but out of attempts: failed.
    failed: int = 0
    #: Queued jobs handed to the queue again because nobody took them up.
    redispatched: int = 0


def sweep() -> SweepReport:
    """Queue again the running jobs whose heartbeat stopped, and hand again the queued ones the
    queue seems to have lost. Flushes; the caller commits (the ids leave after the commit).

    Safe beside other workers' sweeps: each row changes in one UPDATE whose condition the
    other sweep no longer meets.
    """
    cfg = current_app.config
    now = utcnow()
    stale = now - timedelta(seconds=cfg["JOBS_STALE_SECONDS"])
    report = SweepReport()
    dead = (Job.state == JobState.RUNNING, Job.heartbeat_at < stale)
    report.failed = db.session.execute(
        update(Job)
        .where(*dead, Job.attempts >= Job.max_attempts)
        .values(
            state=JobState.FAILED,
            finished_at=now,
            error="The worker stopped while running it, on every attempt.",
        )
    ).rowcount
    requeued = db.session.scalars(
        update(Job)
        .where(*dead)
        .values(
            state=JobState.QUEUED,
            not_before=now,
            dispatched_at=now,
            heartbeat_at=None,
            error="The worker stopped while running it.",
        )
        .returning(Job.id)
    ).all()
    lost_since = now - timedelta(seconds=cfg["JOBS_REDISPATCH_SECONDS"])
    lost = db.session.scalars(
        update(Job)
        .where(
            Job.state == JobState.QUEUED,
            Job.not_before <= now,
            func.coalesce(Job.dispatched_at, Job.created_at) < lost_since,
        )
        .values(dispatched_at=now)
        .returning(Job.id)
    ).all()
    for job_id in (*requeued, *lost):
        dispatch_after_commit(job_id)
    report.requeued, report.redispatched = len(requeued), len(lost)
    if report.requeued or report.failed or report.redispatched:
        log.info("job sweep: %s", report)
    return report
