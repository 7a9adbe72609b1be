"""Jobs in one process: enqueued with the transaction, claimed once, retried, swept.

The queue is Huey's in-memory one here and the ``run_jobs`` fixture plays the worker; real
worker processes (SQLite, Redis and PostgreSQL queues) are in test_worker.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import update

from consult import jobs
from consult.db import utcnow
from consult.extensions import db
from consult.jobs import runner
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.jobs.queue import job_queue
from consult.jobs.services import sweep
from tests.factories import make_user
from tests.jobs import sample_jobs


@pytest.fixture
def sample(ctx):
    sample_jobs.metadata.create_all(db.session.connection())
    return sample_jobs


@pytest.fixture
def queue(app, run_jobs):
    """The in-memory queue, emptied (run_jobs flushes it)."""
    return job_queue.of(app).huey


def fresh(job: Job) -> Job:
    """The row as the database has it now (another session ran the job)."""
    return db.session.get(Job, job.id, populate_existing=True)


def later(seconds: float):
    return time_machine.travel(utcnow() + timedelta(seconds=seconds), tick=False)


def test_a_job_reaches_the_queue_only_when_its_transaction_commits(sample, queue, run_jobs):
    job = jobs.enqueue("tests.record", key="a")
    assert queue.pending_count() == 0
    db.session.commit()
    assert queue.pending_count() == 1
    assert run_jobs() == 1
    job = fresh(job)
    assert job.state is JobState.DONE and job.attempts == 1
    assert job.result == {"key": "a", "runs": 1}
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert job.started_at <= job.finished_at
    assert sample.counts("a") == (1, 1)


def test_a_rolled_back_job_never_reaches_the_queue(sample, queue):
    jobs.enqueue("tests.record", key="b")
    db.session.rollback()
    db.session.commit()
    assert queue.pending_count() == 0


def test_a_job_handed_over_twice_runs_once(sample, queue, run_jobs, app):
    job = jobs.enqueue("tests.record", key="c")
    db.session.commit()
    job_queue.of(app).dispatch(job.id)
    assert queue.pending_count() == 2
    assert run_jobs() == 2
    assert sample.counts("c") == (1, 1)
    assert fresh(job).attempts == 1


def test_the_job_is_written_with_who_asked_and_what_it_works_on(ctx, sample):
    user = make_user("secretariat")
    job = jobs.enqueue("tests.record", topic="consultation:7", requested_by=user, key="d")
    assert (job.requested_by_id, job.topic, job.args) == (user.id, "consultation:7", {"key": "d"})
    assert jobs.latest("tests.record", "consultation:7") == job
    assert jobs.active("tests.record", "consultation:7") == job
    assert jobs.enqueue("tests.record", topic="consultation:7", once=True, key="e") == job
    assert jobs.latest("tests.record", "consultation:8") is None


def test_unknown_kinds_and_arguments_that_are_not_json_are_refused(ctx, sample):
    with pytest.raises(KeyError, match="no job kind"):
        jobs.enqueue("tests.nothing")
    with pytest.raises(TypeError, match="plain JSON"):
        jobs.enqueue("tests.record", key=object())
    with pytest.raises(TypeError, match="plain JSON"):
        jobs.enqueue("tests.record", key=(1, 2))  # would come back a list


def test_a_failing_job_is_retried_after_a_pause_then_fails_for_good(sample):
    job = jobs.enqueue("tests.record", dispatch=False, key="f", fail_first=5)
    db.session.commit()
    assert runner.run(job.id) is JobState.QUEUED
    job = fresh(job)
    assert job.state is JobState.QUEUED and job.attempts == 1
    assert job.error == "RuntimeError: failing on purpose, run 1"
    assert job.not_before > utcnow()
    # Not before its time, even when the queue hands it over early.
    assert runner.run(job.id) is None
    with later(30):
        assert runner.run(job.id) is JobState.QUEUED
    with later(30 + 60):
        assert runner.run(job.id) is JobState.FAILED
    job = fresh(job)
    assert (job.state, job.attempts) == (JobState.FAILED, 3)
    assert job.finished_at is not None
    assert sample.counts("f") == (3, 1)


def test_a_retry_that_succeeds_ends_done(sample):
    job = jobs.enqueue("tests.record", dispatch=False, key="g", fail_first=1)
    db.session.commit()
    assert runner.run(job.id) is JobState.QUEUED
    with later(60):
        assert runner.run(job.id) is JobState.DONE
    job = fresh(job)
    assert (job.state, job.attempts, job.error) == (JobState.DONE, 2, "")
    assert sample.counts("g") == (2, 1)


def test_progress_reaches_the_callback_in_order(sample):
    job = jobs.enqueue("tests.record", dispatch=False, key="h")
    db.session.commit()
    seen = []
    assert runner.run(job.id, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]


def _running(key: str, heartbeat_age: float, attempts: int = 1) -> Job:
    job = jobs.enqueue("tests.record", dispatch=False, key=key)
    job.state, job.attempts = JobState.RUNNING, attempts
    job.heartbeat_at = utcnow() - timedelta(seconds=heartbeat_age)
    db.session.commit()
    return job


def test_the_sweep_queues_again_a_job_whose_heartbeat_stopped(app, sample, queue, run_jobs):
    stale = _running("i", heartbeat_age=61)
    alive = _running("j", heartbeat_age=5)
    worn_out = _running("k", heartbeat_age=61, attempts=3)
    report = sweep()
    db.session.commit()
    assert (report.requeued, report.failed) == (1, 1)
    db.session.expire_all()
    assert stale.state is JobState.QUEUED and stale.heartbeat_at is None
    assert alive.state is JobState.RUNNING
    assert worn_out.state is JobState.FAILED and "every attempt" in worn_out.error
    # Its id is back in the queue; the job runs (a second attempt) and stores once.
    assert queue.pending_count() == 1
    assert run_jobs() == 1
    assert (fresh(stale).state, fresh(stale).attempts) == (JobState.DONE, 2)
    assert sample.counts("i") == (1, 1)


def test_the_sweep_hands_over_again_a_queued_job_nobody_took(sample, queue):
    job = jobs.enqueue("tests.record", key="l")
    fresh = jobs.enqueue("tests.record", key="m")
    db.session.commit()
    queue.flush()  # the queue lost both ids
    db.session.execute(
        update(Job).where(Job.id == job.id).values(dispatched_at=utcnow() - timedelta(minutes=6))
    )
    db.session.commit()
    report = sweep()
    db.session.commit()
    assert report.redispatched == 1
    assert queue.pending_count() == 1
    assert queue.dequeue().args == (job.id,)
    assert fresh.state is JobState.QUEUED


def test_a_run_that_was_given_up_on_does_not_record_its_end(sample):
    job = jobs.enqueue("tests.record", dispatch=False, key="n")
    db.session.commit()

    # While this run works, the sweep (on another worker) gives it up and another run claims it.
    def taken_over(done, total):
        if done == 2:
            bump = update(Job).where(Job.id == job.id).values(attempts=Job.attempts + 1)
            db.session.execute(bump)

    assert runner.run(job.id, on_progress=taken_over) is None
    job = fresh(job)
    assert job.state is JobState.RUNNING and job.finished_at is None


def test_a_job_of_a_kind_no_longer_known_fails_at_once(sample):
    job = jobs.enqueue("tests.record", dispatch=False, key="o")
    job.kind = "tests.gone"
    db.session.commit()
    assert runner.run(job.id) is JobState.FAILED
    job = fresh(job)
    assert job.state is JobState.FAILED and "tests.gone" in job.error
