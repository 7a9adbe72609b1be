"""Finding duplicates as a job: the "Duplicates and campaigns" button and
``flask consult find-duplicates`` enqueue it (or the CLI runs it at once)."""

from __future__ import annotations

from consult import jobs
from consult.db import write_lock
from consult.drafts.models import Consultation
from consult.extensions import db

KIND = "analysis.find_duplicates"


def topic(consultation: Consultation) -> str:
    return f"consultation:{consultation.id}"


@jobs.job(KIND)
def find_duplicates_job(job, consultation_id: int) -> dict:
    """Group the consultation's input again, reporting how many texts are read.

    Safe to run twice: the same input gives the same groups, and campaigns keep their labels.
    """
    # Loaded here: MinHash (datasketch, SciPy) is about 60 MiB that only this job needs.
    from consult.analysis.duplicates import compute_groups
    from consult.analysis.duplicates import store_groups

    if db.session.get(Consultation, consultation_id) is None:
        return {"groups": 0}
    grouping = compute_groups(consultation_id, lambda done, total: jobs.progress(job, done, total))
    # Read without SQLite's write lock (that may take a while); then write with it.
    db.session.commit()
    with write_lock():
        groups = store_groups(consultation_id, grouping)
        db.session.commit()
    return {"groups": groups}
