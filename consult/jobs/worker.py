"""``flask consult worker``: a process that runs jobs and the scheduled ones, until stopped."""

from __future__ import annotations

import logging

from flask import Flask

from consult.extensions import db
from consult.jobs.queue import job_queue
from consult.jobs.services import sweep

log = logging.getLogger(__name__)


def run_worker(app: Flask, threads: int = 1) -> None:
    """Sweep once, then take jobs from the queue until SIGTERM (finish the running job first,
    for at most JOBS_SHUTDOWN_SECONDS) or SIGINT (stop now; the job is run again elsewhere)."""
    queue = job_queue.of(app)
    if queue.url.startswith("memory:"):
        raise RuntimeError("CONSULT_JOBS_URL=memory:// lives in one process: no worker can see it")
    with app.app_context():
        # A job whose worker died while this one was down is taken up at once.
        report = sweep()
        db.session.commit()
        log.info("worker starting; %s", report)
    consumer = queue.huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=True,
        initial_delay=0.1,
        max_delay=float(app.config["JOBS_POLL_SECONDS"]),
        graceful_signal="TERM",
        shutdown_timeout=float(app.config["JOBS_SHUTDOWN_SECONDS"]),
    )
    consumer.run()
