"""The public report is built by a job, stored, served from storage, and rebuilt on change."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from consult import jobs
from consult import storage
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.cli import consult_cli
from consult.drafts.models import Status
from consult.exports import report_jobs
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _no_reports(app):
    """Files on disk outlive the rolled-back rows (and SQLite reuses ids): start with none."""
    with app.app_context():
        for key in storage.keys("reports/"):
            storage.delete(key)


def _reports(app) -> set[str]:
    with app.app_context():
        return set(storage.keys("reports/"))


def _get(client, url: str):
    """GET and read it all, closing the streamed answer before the next request."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _builds(c) -> list[jobs.Job]:
    return db.session.scalars(
        select(jobs.Job).where(jobs.Job.kind == report_jobs.KIND).order_by(jobs.Job.id)
    ).all()


def _published(status: Status = Status.PUBLISHED):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    make_response(c, {"fa-1-goal-1": "Første input."}, name="A")
    make_response(c, {"fa-1-goal-1": "Andet input."}, name="B")
    moderator = make_user(Role.MODERATOR)
    first, second = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
    moderation.publish(first, moderator)
    c.status = status
    db.session.commit()
    return c, moderator, second


def test_the_first_reader_is_told_it_is_being_prepared_and_a_worker_builds_it(
    app, client, run_jobs
):
    run_jobs()  # nothing left from earlier tests
    c, _moderator, _second = _published()
    # Publishing the consultation queued a build (and only one).
    assert [job.state for job in _builds(c)] == [jobs.JobState.QUEUED]
    before = _reports(app)

    page = _get(client, f"/consultations/{c.slug}/report/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Rapporten er ved at blive lavet" in text and 'http-equiv="refresh"' in text
    visitor = app.test_client()  # ?lang= sticks to the session
    english = _get(visitor, f"/consultations/{c.slug}/report/?lang=en").get_data(as_text=True)
    assert "The report is being prepared" in english
    pdf = _get(client, f"/consultations/{c.slug}/report/report.pdf")
    assert pdf.status_code == 503 and pdf.headers["Retry-After"]
    assert len(_builds(c)) == 1  # the readers found the build pending: no second one
    assert _reports(app) == before  # and none of them built anything

    assert run_jobs() == 1
    built = _reports(app) - before
    # Both languages, each as the memo, the PDF and the DOCX.
    assert sorted(k.rsplit(".", 1)[1] for k in built) == sorted(["memo", "pdf", "docx"] * 2)
    assert all(k.startswith(f"reports/{c.id}-") for k in built)
    pdf = _get(visitor, f"/consultations/{c.slug}/report/report.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Report-Current"] == "yes"
    docx = _get(client, f"/consultations/{c.slug}/report/report.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    page = _get(client, f"/consultations/{c.slug}/report/").get_data(as_text=True)
    assert "Læs alle 1 offentliggjorte input" in page and "ved at blive opdateret" not in page
    # Served from storage: reading it queued nothing.
    assert len(_builds(c)) == 1


def test_a_change_queues_a_rebuild_and_the_last_build_is_served_meanwhile(app, client, run_jobs):
    run_jobs()
    c, moderator, second = _published()
    slug, second_id, moderator_id = c.slug, second.id, moderator.id
    assert run_jobs() == 1
    first_build = _reports(app)

    moderation.publish(second, moderator)
    db.session.commit()
    # The moderation queued a build; until it runs, the page shows the last one and says so.
    assert _builds(c)[-1].state is jobs.JobState.QUEUED
    page = _get(client, f"/consultations/{c.slug}/report/").get_data(as_text=True)
    assert "Læs alle 1 offentliggjorte input" in page
    assert "Rapporten er ved at blive opdateret" in page
    old_pdf = _get(client, f"/consultations/{c.slug}/report/report.pdf")
    assert old_pdf.status_code == 200 and old_pdf.headers["X-Report-Current"] == "no"

    assert run_jobs() == 1
    page = _get(client, f"/consultations/{c.slug}/report/").get_data(as_text=True)
    assert "Læs alle 2 offentliggjorte input" in page and "ved at blive opdateret" not in page
    now = _reports(app)
    # The old build is gone: one build per language remains.
    assert len(now) == 6 and not (now & first_build)

    # Taking something back removes the builds at the commit: no reader sees it meanwhile.
    second = db.session.get(Contribution, second_id)
    moderation.hide(second, db.session.get(User, moderator_id), HideReason.OFFENSIVE)
    db.session.commit()
    assert _reports(app) == set()
    page = _get(client, f"/consultations/{slug}/report/").get_data(as_text=True)
    assert "Rapporten er ved at blive lavet" in page and "Andet input" not in page
    assert _get(client, f"/consultations/{slug}/report/report.pdf").status_code == 503
    assert run_jobs() == 1
    assert len(_reports(app)) == 6


def test_a_build_already_stored_does_nothing(app, client, run_jobs):
    run_jobs()
    c, _moderator, _second = _published()
    steps = []
    assert report_jobs.build_reports(c, lambda done, total: steps.append((done, total))) == 2
    # The memo, the PDF and the DOCX in each language: six steps, in order.
    assert steps == [(n, 6) for n in range(1, 7)]
    stored = _reports(app)
    assert report_jobs.build_reports(c) == 0
    job = report_jobs.request_build(c)
    db.session.commit()
    run_jobs()
    assert jobs.get(job.id).result == {"built": 0}
    assert _reports(app) == stored


def test_an_open_consultation_queues_no_build(app, run_jobs):
    run_jobs()
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1)
    make_response(c, {"fa-1-goal-1": "Et input."}, name="A")
    db.session.commit()
    assert _builds(c) == []
    c.status = Status.CLOSED
    db.session.commit()
    assert len(_builds(c)) == 1


def test_the_command_builds_ahead_of_time_with_a_progress_bar(app, run_jobs):
    run_jobs()
    c, _moderator, _second = _published(Status.REPORTING)
    result = CliRunner().invoke(consult_cli, ["report", "build", "--consultation", c.slug])
    assert result.exit_code == 0, result.output
    assert f"{c.slug}: 2 built" in result.output
    assert len({k for k in _reports(app) if k.startswith(f"reports/{c.id}-")}) == 6
    again = CliRunner().invoke(consult_cli, ["report", "build"])
    assert again.exit_code == 0 and f"{c.slug}: up to date" in again.output
    missing = CliRunner().invoke(consult_cli, ["report", "build", "--consultation", "nope"])
    assert missing.exit_code != 0
