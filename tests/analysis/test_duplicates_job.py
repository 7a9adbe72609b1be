"""Finding duplicates as a job: the page's button, its status without JavaScript, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult import jobs
from consult.accounts.models import Role
from consult.analysis import duplicates
from consult.analysis.models import DuplicateGroup
from consult.extensions import db
from consult.jobs.models import Job
from consult.jobs.models import JobState
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

CAMPAIGN = (
    "Vi kræver flere senge på sygehusene i regionen, så ingen ældre borger skal udskrives "
    "før tid til en kommune der ikke er klar til at tage imod."
)


@pytest.fixture
def campaign(ctx):
    load_reference_data()
    consultation = make_consultation()
    for _ in range(3):
        make_response(consultation, {"fa-1-goal-1": CAMPAIGN})
    make_response(consultation, {"fa-1-goal-1": "Noget helt andet om hjemmeplejen i kommunen."})
    db.session.commit()
    return consultation


def group_count(consultation) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(DuplicateGroup)
        .where(DuplicateGroup.consultation_id == consultation.id)
    )


def test_the_button_starts_a_job_and_the_page_shows_how_it_goes(client, campaign, run_jobs):
    sign_in(client, make_user(Role.SECRETARIAT))
    client.get("/?lang=en")
    page = f"/staff/consultations/{campaign.slug}/inputs/groups"
    assert "Look for groups again" in client.get(page).get_data(as_text=True)

    response = post_form(client, f"{page}/find", {}, page)
    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Looking for groups of near-identical texts." in html
    # No JavaScript needed: a plain link loads the page again; no second button meanwhile.
    assert f'<a href="{page}">Refresh the page to see whether it is done</a>' in html
    assert "Look for groups again" not in html
    assert group_count(campaign) == 0
    # A second click (another tab) finds the job under way and starts no other.
    post_form(client, f"{page}/find", {}, page)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1

    assert run_jobs() == 1
    html = client.get(page).get_data(as_text=True)
    assert "The last search found 1 group." in html
    assert "Look for groups again" in html
    assert group_count(campaign) == 1
    job = jobs.latest("analysis.find_duplicates", f"consultation:{campaign.id}")
    assert (job.state, job.result, job.progress_done, job.progress_total) == (
        JobState.DONE,
        {"groups": 1},
        4,
        4,
    )


def test_a_failed_search_says_so_and_offers_the_button_again(client, campaign):
    sign_in(client, make_user(Role.SECRETARIAT))
    client.get("/?lang=en")
    job = jobs.enqueue(
        "analysis.find_duplicates",
        topic=f"consultation:{campaign.id}",
        consultation_id=campaign.id,
    )
    job.state = JobState.FAILED
    db.session.commit()
    html = client.get(f"/staff/consultations/{campaign.slug}/inputs/groups").get_data(as_text=True)
    assert "The last search for groups failed." in html
    assert "Look for groups again" in html


def test_the_job_reports_progress_every_chunk(campaign, monkeypatch):
    monkeypatch.setattr(duplicates, "CHUNK", 2)
    seen = []
    grouping = duplicates.compute_groups(campaign.id, lambda *report: seen.append(report))
    assert seen == [(2, 4), (4, 4), (4, 4)]
    assert len(grouping.groups) == 1


def test_the_cli_runs_it_here_with_a_progress_bar(app, campaign):
    result = app.test_cli_runner().invoke(args=["consult", "find-duplicates", campaign.slug])
    assert result.exit_code == 0, result.output
    assert "Reading the input" in result.output
    assert result.output.rstrip().endswith("1 groups of near-identical input.")
    assert group_count(campaign) == 1
    # Run here, it still leaves a row: the job is on record, and a worker would finish it.
    job = db.session.scalars(select(Job)).one()
    assert (job.state, job.dispatched_at) == (JobState.DONE, None)


def test_the_cli_can_hand_it_to_the_workers(app, campaign, run_jobs):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["consult", "find-duplicates", campaign.slug, "--queue"])
    assert result.exit_code == 0, result.output
    assert "is queued; a worker (flask consult worker) runs it." in result.output
    assert group_count(campaign) == 0
    assert run_jobs() == 1
    assert group_count(campaign) == 1
    result = runner.invoke(args=["consult", "find-duplicates", campaign.slug, "--wait"])
    assert result.exit_code == 2 and "--wait goes with --queue" in result.output
    result = runner.invoke(args=["consult", "find-duplicates", "no-such-consultation"])
    assert result.exit_code == 1 and "No consultation" in result.output
