"""A real worker process makes an export; killed after storing the file, the job runs again
on the next worker and leaves one file (both databases: SQLite queue file, or Redis)."""

from __future__ import annotations

import signal
from datetime import timedelta

import pytest

from consult import jobs
from consult import storage
from consult.db import utcnow
from consult.extensions import db
from consult.jobs.models import JobState
from tests import helpers
from tests.exports import gated_jobs  # noqa: F401 - registers the job kind here too

pytestmark = pytest.mark.no_db

STALE_SECONDS = helpers.Scratch.STALE_SECONDS


@pytest.fixture
def scratch(tmp_path):
    scratch = helpers.Scratch(tmp_path, imports=["tests.exports.gated_jobs"])
    # One folder of stored files for the workers and this process.
    files = tmp_path / "files"
    scratch.env["CONSULT_FILE_DIR"] = str(files)
    scratch.app.config["FILE_DIR"] = str(files)
    try:
        yield scratch
    finally:
        scratch.close()


def test_an_export_whose_worker_is_killed_is_made_again_into_one_file(scratch, tmp_path):
    from consult.reference.seed import load_reference_data
    from tests.factories import make_consultation
    from tests.factories import make_response

    with scratch.app.test_request_context():
        load_reference_data()
        consultation = make_consultation()
        for n in range(3):
            make_response(consultation, {"fa-1-goal-1": f"Input nummer {n}."})
        db.session.commit()
        gate = tmp_path / "gate"
        job_id = jobs.enqueue(
            "tests.gated_export",
            gate=str(gate),
            consultation_id=consultation.id,
            fmt="csv",
            lang="da",
            delimiter=";",
            public=False,
        ).id
        db.session.commit()
    key = f"exports/{job_id}.csv"

    first = scratch.start("worker")
    # The file is stored, the job still running: kill its worker there.
    scratch.wait_for("the file", lambda: scratch.job(job_id).progress_done == 3)
    with scratch.app.app_context():
        scratch.wait_for("the stored file", lambda: storage.exists(key))
        stored_first = storage.size(key)
    assert scratch.job(job_id).state is JobState.RUNNING
    first.send_signal(signal.SIGKILL)
    first.wait()

    gate.touch()
    scratch.wait_for(
        "the heartbeat to go stale",
        lambda: utcnow() - scratch.job(job_id).heartbeat_at > timedelta(seconds=STALE_SECONDS),
    )
    second = scratch.start("worker")
    scratch.wait_for("the second run", lambda: scratch.job(job_id).state is JobState.DONE)
    assert "Traceback" not in scratch.output(second)
    job = scratch.job(job_id)
    assert job.attempts == 2 and job.result["key"] == key and job.result["rows"] == 3
    with scratch.app.app_context():
        assert storage.keys("exports/") == [key]
        assert storage.size(key) == stored_first == job.result["size"]
        with storage.open(key) as f:
            lines = f.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 4 and lines[0].startswith("input_id;receipt;goal_key")
    second.send_signal(signal.SIGTERM)
    assert second.wait(timeout=helpers.Scratch.DEADLINE) == 0
