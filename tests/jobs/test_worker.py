"""Real worker processes (``flask consult worker``) on a database and a queue of their own.

On the SQLite run the queue is Huey's SQLite file (the ``make run`` shape); on the PostgreSQL
run it is Redis (the production shape). A worker killed with SIGKILL in the middle of a job
leaves it running; the next worker finds its heartbeat stopped and runs it again, and the job
stores its effect once.
"""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import jobs
from consult.db import utcnow
from consult.extensions import db
from consult.jobs.models import Job
from consult.jobs.models import JobState
from tests import helpers
from tests.jobs import sample_jobs

pytestmark = pytest.mark.no_db

DEADLINE = helpers.Scratch.DEADLINE
STALE_SECONDS = helpers.Scratch.STALE_SECONDS


@pytest.fixture
def scratch(tmp_path):
    scratch = helpers.Scratch(tmp_path, imports=["tests.jobs.sample_jobs"])
    with scratch.app.app_context():
        sample_jobs.metadata.create_all(db.engine)
    try:
        yield scratch
    finally:
        scratch.close()


def test_a_job_whose_worker_is_killed_runs_again_and_stores_once(scratch, tmp_path):
    gate = tmp_path / "gate"
    with scratch.app.app_context():
        job_id = jobs.enqueue("tests.record", key="killed", gate=str(gate)).id
        db.session.commit()

    first = scratch.start("worker")
    # The job stored its effect, reported half of its work, and waits at the gate.
    scratch.wait_for("the first run", lambda: scratch.job(job_id).progress_done == 1)
    job = scratch.job(job_id)
    assert (job.state, job.attempts, job.progress_total) == (JobState.RUNNING, 1, 2)
    first.send_signal(signal.SIGKILL)
    first.wait()

    gate.touch()
    # Nobody finishes it meanwhile; once its heartbeat is stale, a new worker takes it up.
    scratch.wait_for(
        "the heartbeat to go stale",
        lambda: utcnow() - scratch.job(job_id).heartbeat_at > timedelta(seconds=STALE_SECONDS),
    )
    assert scratch.job(job_id).state is JobState.RUNNING
    second = scratch.start("worker")
    scratch.wait_for("the second run", lambda: scratch.job(job_id).state is JobState.DONE)
    assert "Traceback" not in scratch.output(second)

    job = scratch.job(job_id)
    assert job.attempts == 2
    assert job.result == {"key": "killed", "runs": 2}
    assert (job.progress_done, job.progress_total, job.error) == (2, 2, "")
    with scratch.app.app_context():
        # Ran twice, stored once.
        assert sample_jobs.counts("killed") == (2, 1)

    # SIGTERM: the worker stops when its job is done (none now), and says so.
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=DEADLINE) == 0
    assert "Consumer exiting" in scratch.output(second)


def test_find_duplicates_can_wait_for_a_worker(scratch):
    from tests.factories import make_consultation
    from tests.factories import make_response

    with scratch.app.test_request_context():
        from consult.reference.seed import load_reference_data

        load_reference_data()
        consultation = make_consultation()
        text = "Vi kræver flere senge på sygehusene i regionen til de ældre borgere nu."
        for _ in range(3):
            make_response(consultation, {"fa-1-goal-1": text})
        db.session.commit()
        slug = consultation.slug
    scratch.start("worker")
    waiting = scratch.start("find-duplicates", slug, "--queue", "--wait", name="cli")
    assert waiting.wait(timeout=DEADLINE) == 0, scratch.output(waiting)
    assert "1 groups of near-identical input." in scratch.output(waiting)
    with scratch.app.app_context():
        job = db.session.scalars(select(Job)).one()
        # Run by the worker (the command only waited), which wrote its progress.
        assert job.worker != "" and (job.progress_done, job.progress_total) == (3, 3)
