"""Run one job: claim its row, call its function with a heartbeat beside it, record the end.

A claim is one UPDATE from queued to running, so a job handed to the queue twice runs once at
a time. While the function runs, a thread writes the row's heartbeat (and the progress) on a
connection of its own; when a worker is killed the heartbeat stops, and the sweep
(``services.sweep``) puts the job back in the queue. Every end is written only if the row is
still this run's (same attempt), so a run that was given up on cannot overwrite its successor.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from consult.db import utcnow
from consult.extensions import db
from consult.jobs import registry
from consult.jobs.models import Job
from consult.jobs.models import JobState

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int | None], None]

#: The run under way in this thread (progress() reports to it).
_CURRENT: ContextVar[_Run | None] = ContextVar("consult_job_run", default=None)

#: Seconds between progress writes at most (the heartbeat alone: JOBS_HEARTBEAT_SECONDS).
PROGRESS_EVERY = 1.0


def worker_name() -> str:
    """Name this process in Job.worker and in mail claims: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


class _Run:
    """One run of one job: its progress, and the thread that keeps its heartbeat."""

    def __init__(
        self,
        job_id: int,
        attempt: int,
        on_progress: ProgressCallback | None,
        heartbeat_seconds: float,
    ):
        self.job_id = job_id
        self.attempt = attempt
        self.done = 0
        self.total: int | None = None
        self.on_progress = on_progress
        self.heartbeat_seconds = heartbeat_seconds
        self._engine = db.engine if heartbeat_seconds > 0 else None
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Run:
        self._token = _CURRENT.set(self)
        if self._engine is not None:
            self._thread = threading.Thread(
                target=self._beat, name=f"job-{self.job_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _CURRENT.reset(self._token)
        if self._thread is not None:
            self._stopping = True
            self._wake.set()
            self._thread.join()

    def report(self, done: int, total: int | None) -> None:
        self.done, self.total = done, total
        if self.on_progress is not None:
            self.on_progress(done, total)
        self._wake.set()

    def _beat(self) -> None:
        last = 0.0
        while True:
            self._wake.wait(self.heartbeat_seconds)
            if self._stopping:
                return
            self._wake.clear()
            # Progress wakes the thread early, but it writes at most once a second.
            pause = last + PROGRESS_EVERY - time.monotonic()
            if pause > 0:
                time.sleep(pause)
                if self._stopping:
                    return
            self._write()
            last = time.monotonic()

    def _write(self) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    update(Job)
                    .where(
                        Job.id == self.job_id,
                        Job.state == JobState.RUNNING,
                        Job.attempts == self.attempt,
                    )
                    .values(
                        heartbeat_at=utcnow(),
                        progress_done=self.done,
                        progress_total=self.total,
                    )
                )
        except SQLAlchemyError:
            # SQLite: the job itself may hold the write lock for a while. The next beat will do.
            log.info("job %s: heartbeat not written this time", self.job_id, exc_info=True)


def current_run() -> _Run | None:
    return _CURRENT.get()


def _snapshot(job: Job) -> Job:
    """Return an unattached copy of ``job``: the function reads it without touching the database."""
    return Job(**{attr.key: getattr(job, attr.key) for attr in sa.inspect(Job).column_attrs})


def _claim(job_id: int) -> Job | None:
    now = utcnow()
    claimed = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED, Job.not_before <= now)
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            worker=worker_name(),
            progress_done=0,
            progress_total=None,
        )
    ).rowcount
    db.session.commit()
    if not claimed:
        return None
    job = _snapshot(db.session.get(Job, job_id))
    # End the read, so the job's own first transaction begins as it chooses (write_lock()).
    db.session.commit()
    return job


def _finish(job: Job, run: _Run, result: Any) -> bool:
    total = run.total
    done = run.done if total is None else total
    finished = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.state == JobState.RUNNING, Job.attempts == job.attempts)
        .values(
            state=JobState.DONE,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            result=result,
            progress_done=done,
            progress_total=total,
            error="",
        )
    ).rowcount
    db.session.commit()
    return bool(finished)


def retry_delay(attempt: int) -> float:
    """Seconds before the next attempt: JOBS_RETRY_SECONDS, doubling, at most an hour."""
    return min(current_app.config["JOBS_RETRY_SECONDS"] * 2 ** (attempt - 1), 3600)


def _failed(job: Job, error: str, *, retry: bool) -> None:
    from consult.jobs.services import dispatch_after_commit

    now = utcnow()
    mine = (Job.id == job.id, Job.state == JobState.RUNNING, Job.attempts == job.attempts)
    if retry and job.attempts < job.max_attempts:
        delay = retry_delay(job.attempts)
        changed = db.session.execute(
            update(Job)
            .where(*mine)
            .values(
                state=JobState.QUEUED,
                not_before=now + timedelta(seconds=delay),
                dispatched_at=now,
                heartbeat_at=None,
                error=error,
            )
        ).rowcount
        if changed:
            dispatch_after_commit(job.id, delay=delay)
    else:
        db.session.execute(
            update(Job).where(*mine).values(state=JobState.FAILED, finished_at=now, error=error)
        )
    db.session.commit()


def run(job_id: int, *, on_progress: ProgressCallback | None = None) -> JobState | None:
    """Claim the job and run it; return how it ended, or None when it was not this run's to do
    (done already, running elsewhere, or not due yet).

    The function commits its own work; this then marks the job done in a transaction of its
    own. An exception rolls back and queues the job again after a pause, until max_attempts.
    """
    job = _claim(job_id)
    if job is None:
        return None
    spec = registry.REGISTRY.get(job.kind)
    if spec is None:
        _failed(job, f"no job function for kind {job.kind!r}", retry=False)
        return JobState.FAILED
    heartbeat = float(current_app.config["JOBS_HEARTBEAT_SECONDS"])
    try:
        with _Run(job.id, job.attempts, on_progress, heartbeat) as this_run:
            result = spec.func(job, **job.args)
            db.session.commit()
        if not _finish(job, this_run, result):
            log.warning("job %s: another run took it over; this run's end is not recorded", job_id)
            return None
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s (%s) failed on attempt %s", job.id, job.kind, job.attempts)
        _failed(job, f"{type(exc).__name__}: {exc}"[:2000], retry=True)
        return JobState.QUEUED if job.attempts < job.max_attempts else JobState.FAILED
    return JobState.DONE


def run_scheduled(kind: str) -> None:
    """Run a scheduled job's function now, without a Job row (its schedule, or a kick)."""
    spec = registry.spec(kind)
    try:
        spec.func(None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("scheduled job %s failed; it runs again on its schedule", kind)
