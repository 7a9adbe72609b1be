"""Figures counted ahead (consult/analysis/cube.py): the same numbers as counted live, read by
the pages above the size limit, and queued again when what they count changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult import jobs
from consult.accounts.models import Role
from consult.analysis import cube
from consult.analysis import figures
from consult.analysis import services as analysis
from consult.analysis.models import DuplicateGroup
from consult.db import utcnow
from consult.extensions import db
from consult.jobs.models import Job
from consult.reference.seed import load_reference_data
from consult.responses.models import Input
from consult.responses.models import Response
from tests.analysis.test_figures import data  # noqa: F401 - the hand-counted data set
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in


def _stored_rows(consultation_id: int) -> dict:
    """The cube as the database gives it back (JSON in, JSON out), not as it was built."""
    db.session.expire_all()
    return db.session.get(cube.FigureCube, consultation_id).rows


def test_the_cube_gives_every_figure_the_live_count_gives(data):  # noqa: F811
    c, tree = data
    user = make_user(Role.SECRETARIAT)
    goal = tree.by_key["fa-1-goal-1"]
    ids = select(Input.id).where(Input.item_id == goal.item.id)
    inputs = db.session.scalars(ids.order_by(Input.id)).all()
    # Tags, an assignment and a campaign, so every part of the cube has something to count.
    analysis.tag_inputs(analysis.create_tag(c.id, "hjemmepleje"), inputs[:3])
    analysis.tag_inputs(analysis.create_tag(c.id, "udskrivelse"), inputs[2:4])
    analysis.assign(inputs[4:5], user)
    campaign = DuplicateGroup(consultation_id=c.id, is_campaign=True, size=2)
    db.session.add(campaign)
    db.session.flush()
    for input_id in inputs[:2]:
        db.session.get(Input, input_id).duplicate_group_id = campaign.id
    db.session.flush()

    made = cube.rebuild(c.id)
    assert made.inputs == figures.dashboard(c).inputs > 0
    rows = _stored_rows(c.id)
    now = utcnow()
    assert figures.fold_dashboard(rows["dashboard"], c, now) == figures.dashboard(c, now)
    goals = [node for node in tree.by_key.values() if node.kind.takes_input]
    assert len(goals) > 1
    for node in goals:
        assert figures.fold_goal(rows["goals"], node.item.id) == figures.goal(c, node.item.id)
    # The data set is not empty where it matters (a comparison of nothing proves nothing).
    counted = figures.goal(c, goal.item.id)
    assert counted.tags and counted.campaign_inputs == 2 and counted.voices.sessions == 2
    assert counted.importance_median is not None and counted.reply_states["in_progress"] == 1


def test_the_median_of_a_histogram_takes_the_middle_two():
    assert figures.median_of_histogram({}) is None
    assert figures.median_of_histogram({3: 1}) == 3
    assert figures.median_of_histogram({1: 1, 2: 1, 4: 1, 5: 1}) == 3  # (2 + 4) / 2
    assert figures.median_of_histogram({1: 3, 5: 1}) == 1
    assert figures.median_of_histogram({1: 2, 5: 2}) == 3


@pytest.fixture
def large(app, client):
    """A consultation counted as large (the limit set to 2 inputs), a secretariat user in."""
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=2)
    for text in ("Første", "Anden", "Tredje"):
        make_response(c, {"fa-1-goal-1": ("support", text, "Ny formulering.")})
    sign_in(client, make_user(Role.SECRETARIAT))
    client.get("/?lang=en")
    app.config["FIGURES_LIVE_BELOW"] = 2
    yield client, c
    app.config.pop("FIGURES_LIVE_BELOW")


def _active(c) -> list[Job]:
    return db.session.scalars(
        select(Job)
        .where(Job.kind == cube.KIND, Job.topic == cube.topic(c.id))
        .where(Job.state.in_(jobs.models.ACTIVE))
        .order_by(Job.id)
    ).all()


def test_a_first_visit_queues_a_count_once_and_never_waits(large):
    client, c = large
    base = f"/staff/consultations/{c.slug}/analysis"
    for _ in range(2):
        html = client.get(base + "/").get_data(as_text=True)
        assert "The figures are being counted" in html and "inputs on goals" not in html
    html = client.get(base + "/goals/fa-1-goal-1").get_data(as_text=True)
    assert "The figures are being counted" in html
    assert client.get(base + "/charts/participation.svg").status_code == 200
    assert client.get(base + "/goals/fa-1-goal-1/charts/type.svg").status_code == 200
    assert len(_active(c)) == 1


def test_above_the_limit_the_pages_read_the_cube_and_say_when_it_was_made(large):
    client, c = large
    cube.rebuild(c.id)
    base = f"/staff/consultations/{c.slug}/analysis"
    html = client.get(base + "/").get_data(as_text=True)
    assert "Figures as of" in html and "being updated" not in html
    assert "<strong>3</strong> inputs on goals" in html
    # A new input is not in the stored figures until they are counted again, which it queues.
    make_response(c, {"fa-1-goal-1": ("oppose", "Fjerde", "")})
    db.session.commit()
    assert len(_active(c)) == 1
    html = client.get(base + "/").get_data(as_text=True)
    assert "<strong>3</strong> inputs on goals" in html and "They are being updated." in html
    cube.rebuild(c.id)
    assert "<strong>4</strong> inputs on goals" in client.get(base + "/").get_data(as_text=True)


def test_a_bulk_update_in_a_service_queues_a_count(large):
    client, c = large
    cube.rebuild(c.id)
    ids = select(Input.id).join(Response).where(Response.consultation_id == c.id)
    analysis.assign(ids, make_user(Role.SECRETARIAT))
    db.session.commit()
    assert len(_active(c)) == 1


def test_the_goal_page_lists_the_newest_wordings_and_links_to_the_rest(large, monkeypatch):
    client, c = large
    monkeypatch.setattr(figures, "WORDINGS_SHOWN", 2)
    monkeypatch.setattr(figures.newest_wordings, "__defaults__", (2,))
    html = client.get(f"/staff/consultations/{c.slug}/analysis/goals/fa-1-goal-1").get_data(
        as_text=True
    )
    assert html.count("Ny formulering.") == 2
    assert "These are the newest 2." in html and "wording=1" in html


def test_a_change_while_a_rebuild_runs_queues_the_next_and_old_counts_lose(large):
    _client, c = large
    first = cube.rebuild(c.id)
    made_at = first.made_at
    running = cube.queue_rebuild(c.id)
    running.state = jobs.JobState.RUNNING
    db.session.commit()
    make_response(c, {"fa-1-goal-1": ("oppose", "Fjerde", "")})
    db.session.commit()
    assert [job.state for job in _active(c)] == [jobs.JobState.RUNNING, jobs.JobState.QUEUED]
    # A count that began before the stored one never replaces it.
    first.made_at = made_at.replace(year=made_at.year + 1)
    db.session.commit()
    cube.rebuild(c.id)
    assert db.session.get(cube.FigureCube, c.id).inputs == 3


def test_the_command_counts_now_or_queues(app, large):
    _client, c = large
    runner = app.test_cli_runner()
    result = runner.invoke(args=["consult", "figures", "rebuild", c.slug, "--queue"])
    assert result.exit_code == 0, result.output
    assert len(_active(c)) == 1 and db.session.get(cube.FigureCube, c.id) is None
    result = runner.invoke(args=["consult", "figures", "rebuild", c.slug])
    assert result.exit_code == 0 and "3 inputs" in result.output
    assert db.session.get(cube.FigureCube, c.id).inputs == 3
    assert runner.invoke(args=["consult", "figures", "rebuild", "nope"]).exit_code != 0
