"""ETag, Last-Modified and 304 on anonymous public input pages, and reuse of rendered answers.

The ETag must change whenever what the page shows changes: published input, the draft's
titles, the language. Signed-in users get neither validators nor a reused answer.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult import http_cache
from consult.accounts.models import Role
from consult.drafts.models import Item
from consult.drafts.models import ItemRevision
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.moderation.models import HideReason
from consult.reference.seed import load_reference_data
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user
from tests.factories import sign_in


@pytest.fixture
def world():
    load_reference_data()
    return make_consultation(focus_areas=2, goals_per_area=2), make_user(Role.MODERATOR)


def contribution_of(response) -> Contribution:
    return db.session.scalar(
        select(Contribution)
        .where(Contribution.response_id == response.id, Contribution.input_id.is_not(None))
        .order_by(Contribution.id)
    )


def publish(consultation, moderator, text: str):
    response = make_response(consultation, {"fa-1-goal-1": ("support", text, "")})
    moderation.publish(contribution_of(response), moderator)
    db.session.flush()
    return response


def goal_url(c) -> str:
    return f"/consultations/{c.slug}/items/fa-1-goal-1/input"


def api_url(c) -> str:
    return f"/api/v1/consultations/{c.slug}/inputs"


@pytest.mark.parametrize("url", [goal_url, api_url])
def test_a_reader_holding_the_page_gets_304(client, world, url):
    c, moderator = world
    publish(c, moderator, "Første input.")
    first = client.get(url(c))
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag
    assert "Cookie" in first.headers["Vary"] and first.headers["Last-Modified"]

    again = client.get(url(c), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    since = client.get(url(c), headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get(url(c), headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", [goal_url, api_url])
def test_the_etag_changes_when_published_input_changes(client, world, url):
    c, moderator = world
    response = publish(c, moderator, "Første input.")
    etags = [client.get(url(c)).headers["ETag"]]

    publish(c, moderator, "Andet input.")
    etags.append(client.get(url(c)).headers["ETag"])
    moderation.hide(contribution_of(response), moderator, HideReason.OFF_TOPIC)
    db.session.flush()
    etags.append(client.get(url(c)).headers["ETag"])

    assert len(set(etags)) == 3
    assert client.get(url(c), headers={"If-None-Match": etags[0]}).status_code == 200


def test_the_etag_changes_with_the_language_and_the_drafts_words(client, world):
    c, moderator = world
    publish(c, moderator, "Første input.")
    danish = client.get(goal_url(c)).headers["ETag"]
    english = client.get(goal_url(c), headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != danish
    assert 'lang="en"' in english.get_data(as_text=True)

    revision = db.session.scalar(
        select(ItemRevision)
        .join(Item)
        .where(Item.consultation_id == c.id, Item.key == "fa-1-goal-1")
    )
    revision.title_da = "Et nyt navn på målet"
    db.session.flush()
    renamed = client.get(goal_url(c), headers={"If-None-Match": danish})
    assert renamed.status_code == 200 and renamed.headers["ETag"] != danish
    assert "Et nyt navn på målet" in renamed.get_data(as_text=True)


def test_signed_in_users_get_no_validators_and_no_304(client, world):
    c, moderator = world
    publish(c, moderator, "Første input.")
    etag = client.get(goal_url(c)).headers["ETag"]
    sign_in(client, make_user(Role.SECRETARIAT))

    page = client.get(goal_url(c), headers={"If-None-Match": etag})

    assert page.status_code == 200 and "ETag" not in page.headers
    assert "no-store" in page.headers["Cache-Control"]


def test_a_rendered_answer_is_reused_until_its_etag_changes(app, client, world, monkeypatch):
    c, moderator = world
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE", True)
    http_cache.clear()
    try:
        publish(c, moderator, "Første input.")
        first = client.get(goal_url(c)).get_data(as_text=True)
        # Written past the ORM: nothing bumps, so the stored answer is what readers get ...
        db.session.execute(
            Contribution.__table__.update().values(public_html="<p>Ændret udenom.</p>")
        )
        assert client.get(goal_url(c)).get_data(as_text=True) == first
        # ... until something the page shows changes through the application.
        publish(c, moderator, "Andet input.")
        second = client.get(goal_url(c)).get_data(as_text=True)
        assert "Andet input." in second and "Ændret udenom." in second
    finally:
        http_cache.clear()


def test_the_goal_page_takes_the_same_statements_whatever_the_input(client, world, count_queries):
    c, moderator = world
    counts = []
    for extra in (1, 30):
        for n in range(extra):
            publish(c, moderator, f"Input {n}.")
        client.get(goal_url(c))  # warm: the first request loads the signed-out session etc.
        with count_queries() as counter:
            page = client.get(goal_url(c))
        assert page.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_a_worker_reuses_the_state_it_read_for_a_moment(app, client, world, monkeypatch):
    from consult.readside import public

    c, moderator = world
    monkeypatch.setitem(app.config, "PUBLIC_STATE_SECONDS", 60)
    public._recent.clear()
    try:
        publish(c, moderator, "Første input.")
        first = client.get(goal_url(c)).headers["ETag"]
        publish(c, moderator, "Andet input.")
        assert client.get(goal_url(c)).headers["ETag"] == first  # within the window
        public._recent.clear()  # the window has passed
        assert client.get(goal_url(c)).headers["ETag"] != first
    finally:
        public._recent.clear()
