"""Job functions for the tests (loaded by workers through CONSULT_JOBS_IMPORTS).

``tests.record`` counts every run in ``job_runs`` and stores its effect once in ``job_effects``
(unique key), so a test can tell "ran twice" from "stored twice". It may wait at a gate (a
file to appear) between storing and finishing, so a test can kill its worker there.
"""

from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa

from consult import jobs
from consult.db import write_lock
from consult.extensions import db

metadata = sa.MetaData()
job_runs = sa.Table(
    "test_job_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(40), nullable=False),
)
job_effects = sa.Table(
    "test_job_effects",
    metadata,
    sa.Column("key", sa.String(40), primary_key=True),
)

#: How long a run waits at its gate before giving up (a test that never opens it failed).
GATE_TIMEOUT = 120


@jobs.job("tests.record", max_attempts=3)
def record(job, key: str, gate: str | None = None, fail_first: int = 0) -> dict:
    """Count this run; store the effect unless stored; wait at the gate; maybe fail."""
    with write_lock():
        db.session.execute(job_runs.insert().values(key=key))
        stored = db.session.scalar(sa.select(job_effects.c.key).where(job_effects.c.key == key))
        if stored is None:
            db.session.execute(job_effects.insert().values(key=key))
        db.session.commit()
    jobs.progress(job, 1, 2)
    if gate is not None:
        deadline = time.monotonic() + GATE_TIMEOUT
        while not Path(gate).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the gate {gate} never opened")
            time.sleep(0.05)
    runs = db.session.scalar(
        sa.select(sa.func.count()).select_from(job_runs).where(job_runs.c.key == key)
    )
    db.session.commit()
    if runs <= fail_first:
        raise RuntimeError(f"failing on purpose, run {runs}")
    jobs.progress(job, 2, 2)
    return {"key": key, "runs": runs}


def counts(key: str) -> tuple[int, int]:
    """Return (runs, effects stored) for ``key``."""
    runs = db.session.scalar(
        sa.select(sa.func.count()).select_from(job_runs).where(job_runs.c.key == key)
    )
    effects = db.session.scalar(
        sa.select(sa.func.count()).select_from(job_effects).where(job_effects.c.key == key)
    )
    return runs, effects
