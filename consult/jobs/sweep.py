"""The sweep as a scheduled job: every worker runs it each minute (and once when it starts)."""

from __future__ import annotations

from huey import crontab

from consult.jobs.registry import job
from consult.jobs.services import sweep


@job("jobs.sweep", schedule=crontab(minute="*"))
def sweep_job(job) -> dict:
    """Queue again the jobs of workers that died; hand on ids the queue lost."""
    report = sweep()
    return {"requeued": report.requeued, "failed": report.failed}
