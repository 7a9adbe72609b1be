"""Job: one piece of background work, written in the same transaction as what asked for it.

The queue (Huey) only carries a job's id. This row is what counts: its state says whether the
work still has to happen, so a job whose worker died is found again (its heartbeat stops) and
run once more, and pages and the CLI read its progress from here.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from consult.db import UTCDateTime
from consult.db import enum_column
from consult.db import utcnow
from consult.extensions import db


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


#: States in which a job still has work ahead of it.
ACTIVE = (JobState.QUEUED, JobState.RUNNING)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # The sweep: running jobs by heartbeat, queued ones by when they may run.
        Index("ix_jobs_state_heartbeat_at", "state", "heartbeat_at"),
        # "The newest find-duplicates job of consultation 12", for the pages.
        Index("ix_jobs_kind_topic_id", "kind", "topic", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered job function, e.g. "analysis.find_duplicates" (consult.jobs.registry).
    kind: Mapped[str] = mapped_column(String(60))
    #: Keyword arguments for the function: JSON, so ids and short strings, never objects.
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What the job works on, e.g. "consultation:12": pages find a job by kind and topic.
    topic: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    #: Runs started, the one under way included; a job fails for good at max_attempts.
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    #: "12,000 of 100,000": how far the current run has come (total None while unknown).
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int | None]
    #: Refreshed by the running worker; a running job whose heartbeat stopped is run again.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Which process runs (or last ran) it: host, pid and a random part.
    worker: Mapped[str] = mapped_column(String(120), default="")
    #: What the job made, as small JSON: a count, or where a file was written.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The last failure, exception type and message (the traceback goes to the worker's log).
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Not before then: a retry waits a little longer each time.
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the id was last handed to the queue; the sweep hands it again if it seems lost.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state.value}>"
