"""Exports as jobs: asked for on the page, made by a worker (here: ``run_jobs``), shown with
their progress, downloaded by the person who asked only, run twice to the same one file, and
removed after their keeping time. Both databases."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from consult import jobs
from consult import storage
from consult.accounts.models import Role
from consult.audit.models import AuditEvent
from consult.db import utcnow
from consult.exports import jobs as export_jobs
from consult.extensions import db
from consult.jobs import runner
from consult.reference.seed import load_reference_data
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in


@pytest.fixture
def world(client, run_jobs):
    # Rolled-back tests before this one may have left files under the same job ids (SQLite).
    for name in storage.keys("exports/"):
        storage.delete(name)
    load_reference_data()
    c = make_consultation(focus_areas=2, goals_per_area=2)
    make_response(c, {"fa-1-goal-1": "Flere senge.", "fa-2-goal-1": "Kortere ventetid."})
    make_response(c, {"fa-1-goal-2": "Bedre opfølgning efter udskrivelse."})
    secretariat = make_user(Role.SECRETARIAT)
    sign_in(client, secretariat)
    return client, c, secretariat


def ask(client, c, **options) -> str:
    """Press the button on the exports page; return the export's page."""
    page = f"/staff/consultations/{c.slug}/exports/"
    form = {"fmt": "csv", "delimiter": "semicolon", "lang": "da", **options}
    form["csrf_token"] = csrf_token(client, page)
    response = client.post(page, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def job_id(status_page: str) -> int:
    return int(status_page.rstrip("/").rsplit("/", 1)[-1])


def test_an_export_is_made_by_a_worker_and_shows_its_progress_then_the_download(world, run_jobs):
    client, c, _secretariat = world
    status_page = ask(client, c, fmt="csv", delimiter="comma")
    # A double click finds the export under way: one job.
    assert ask(client, c, fmt="csv", delimiter="comma") == status_page
    waiting = client.get(status_page).get_data(as_text=True)
    # Without JavaScript a link refreshes it; with it, exports.js fetches it every 3 seconds.
    assert 'data-refresh-seconds="3"' in waiting and "exports.js" in waiting
    assert "<progress" in waiting and "venter på sin tur" in waiting
    assert f'href="{status_page}"' in waiting  # a link to refresh, for whoever needs one

    assert run_jobs() == 1
    job = jobs.get(job_id(status_page))
    assert job.state is jobs.JobState.DONE
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.result["key"] == f"exports/{job.id}.csv" and job.result["rows"] == 3
    ready = client.get(status_page).get_data(as_text=True)
    assert "data-refresh-seconds" not in ready and "Filen er klar: 3 input." in ready
    assert f"{status_page}/file" in ready

    response = client.get(f"{status_page}/file")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f"{c.slug}-input.csv" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    response.close()
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=","))
    assert sorted(r["text"] for r in rows) == [
        "Bedre opfølgning efter udskrivelse.",
        "Flere senge.",
        "Kortere ventetid.",
    ]
    # Every download is on record; asking for one is not a download.
    reasons = db.session.scalars(
        select(AuditEvent.reason).where(AuditEvent.action == "exports.download")
    ).all()
    assert reasons == ["csv"]

    # The exports page lists it among the person's recent exports; a new click makes a new one.
    listing = client.get(f"/staff/consultations/{c.slug}/exports/").get_data(as_text=True)
    assert "Dine seneste eksporter" in listing and status_page in listing
    assert ask(client, c, fmt="csv", delimiter="comma") != status_page


def test_the_status_page_shows_rows_done_of_the_total_while_it_works(world):
    client, c, _secretariat = world
    status_page = ask(client, c, fmt="xlsx")
    job = jobs.get(job_id(status_page))
    # As the worker's heartbeat writes it, half-way.
    job.state, job.progress_done, job.progress_total = jobs.JobState.RUNNING, 1200, 3400
    db.session.commit()
    page = client.get(status_page).get_data(as_text=True)
    assert '<progress max="3400" value="1200"' in page
    assert "Filen bliver lavet: 1.200 af 3.400 input indtil nu." in page


def test_only_the_person_who_asked_sees_or_downloads_an_export(world, app, run_jobs):
    client, c, _secretariat = world
    status_page = ask(client, c, fmt="json")
    assert run_jobs() == 1
    other = app.test_client()
    sign_in(other, make_user(Role.SECRETARIAT))
    assert other.get(status_page).status_code == 404
    assert other.get(f"{status_page}/file").status_code == 404
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    assert moderator.get(f"{status_page}/file").status_code == 403
    # Nor under another consultation's address.
    elsewhere = make_consultation(slug="en-anden")
    assert (
        client.get(
            f"/staff/consultations/{elsewhere.slug}/exports/{job_id(status_page)}"
        ).status_code
        == 404
    )
    # Another kind of job is no export.
    from consult.analysis.jobs import KIND

    duplicates = jobs.enqueue(KIND, topic="x", requested_by=world[2], consultation_id=c.id)
    db.session.commit()
    assert client.get(f"/staff/consultations/{c.slug}/exports/{duplicates.id}").status_code == 404


def test_a_failed_export_says_so_and_offers_to_try_again(world, run_jobs):
    client, c, secretariat = world
    # A job that fails on every attempt (a format the job does not know).
    job = jobs.enqueue(
        export_jobs.KIND,
        topic="failing",
        requested_by=secretariat,
        max_attempts=1,
        consultation_id=c.id,
        fmt="pdf",
        lang="en",
        delimiter=";",
        public=False,
    )
    db.session.commit()
    assert run_jobs() == 1
    assert jobs.get(job.id).state is jobs.JobState.FAILED
    page = client.get(f"/staff/consultations/{c.slug}/exports/{job.id}").get_data(as_text=True)
    assert "Filen kunne ikke laves." in page and "status-box--error" in page
    assert "Prøv igen" in page and 'name="lang" value="en"' in page
    assert client.get(f"/staff/consultations/{c.slug}/exports/{job.id}/file").status_code == 404
    assert storage.keys(f"exports/{job.id}.") == []


def test_a_job_run_twice_leaves_one_file_the_same(world, run_jobs):
    """What the sweep does for a worker that died after storing the file: run it again."""
    client, c, _secretariat = world
    status_page = ask(client, c, fmt="csv")
    assert run_jobs() == 1
    job = jobs.get(job_id(status_page))
    first = client.get(f"{status_page}/file").get_data()
    # The worker died after storing the file but before the row said done.
    job.state, job.finished_at = jobs.JobState.QUEUED, None
    db.session.commit()
    assert runner.run(job.id) is jobs.JobState.DONE
    assert jobs.get(job.id).attempts == 2
    assert storage.keys(f"exports/{job.id}.") == [f"exports/{job.id}.csv"]
    assert client.get(f"{status_page}/file").get_data() == first


def test_finished_exports_are_removed_after_their_keeping_time(world, run_jobs):
    client, c, _secretariat = world
    old = job_id(ask(client, c, fmt="csv"))
    new = job_id(ask(client, c, fmt="json"))
    assert run_jobs() == 2
    # The first was made a day and an hour ago.
    jobs.get(old).finished_at = utcnow() - timedelta(hours=export_jobs.KEEP_HOURS + 1)
    db.session.commit()
    storage.save("exports/999999.csv", io.BytesIO(b"no job of its own"))

    assert export_jobs.purge_exports(None) == {"removed": 2}
    assert storage.keys(f"exports/{old}.") == [] and not storage.exists("exports/999999.csv")
    assert storage.keys(f"exports/{new}.") == [f"exports/{new}.json"]
    gone = client.get(f"/staff/consultations/{c.slug}/exports/{old}")
    assert "Filen er slettet" in gone.get_data(as_text=True)
    assert client.get(f"/staff/consultations/{c.slug}/exports/{old}/file").status_code == 404
    response = client.get(f"/staff/consultations/{c.slug}/exports/{new}/file")
    assert response.status_code == 200
    response.close()
    # Every worker runs it: a second run finds nothing more to remove.
    assert export_jobs.purge_exports(None) == {"removed": 0}
    # The page lists only what is within its keeping time.
    listing = client.get(f"/staff/consultations/{c.slug}/exports/").get_data(as_text=True)
    assert f"/exports/{new}" in listing


def test_an_invalid_choice_shows_the_form_again(world):
    client, c, _secretariat = world
    page = f"/staff/consultations/{c.slug}/exports/"
    response = client.post(
        page,
        data={"fmt": "pdf", "delimiter": "x", "lang": "da", "csrf_token": csrf_token(client, page)},
    )
    assert response.status_code == 400
    assert "Der er et problem" in response.get_data(as_text=True)
    assert db.session.scalars(select(jobs.Job)).all() == []


def test_the_cli_shows_its_progress_on_stderr_and_says_what_it_does(app, world, tmp_path):
    _client, c, _secretariat = world
    out = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(
        args=["consult", "export", c.slug, "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Writing CSV" in result.stderr and "Wrote" in result.stdout
    assert "Writing" not in result.stdout
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    help_text = app.test_cli_runner().invoke(args=["consult", "export", "--help"]).output
    assert "progress bar" in help_text and "--public" in help_text
    assert re.search(r"--format \[csv\|xlsx\|docx\|json\]", help_text)
