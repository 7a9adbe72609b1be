"""Background jobs: a Job row per piece of work, Huey underneath to hand it to a worker.

The API the other areas use::

    from consult import jobs

    @jobs.job("analysis.find_duplicates")
    def find_duplicates_job(job, consultation_id):
        ...
        jobs.progress(job, done, total)

    job = jobs.enqueue("analysis.find_duplicates", topic="consultation:12", consultation_id=12)
    db.session.commit()  # the id goes to the queue now
    jobs.get(job.id).state

How a job flows: docs/architecture.md ("Background jobs").
"""

from huey import crontab

from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.jobs.registry import job
from consult.jobs.services import active
from consult.jobs.services import enqueue
from consult.jobs.services import get
from consult.jobs.services import kick
from consult.jobs.services import latest
from consult.jobs.services import progress
from consult.jobs.services import wait

__all__ = [
    "Job",
    "JobState",
    "active",
    "crontab",
    "enqueue",
    "get",
    "job",
    "kick",
    "latest",
    "progress",
    "wait",
]
