"""The citizen's path: back to the goal they chose, nothing offered once closed, and words
that say what happens to an edit."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import func
from sqlalchemy import select

from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.reference.seed import load_reference_data
from tests.factories import about_me
from tests.factories import make_consultation
from tests.factories import post_form as post


def _link_in_mail(address: str) -> str:
    body = db.session.scalars(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == address)
        .order_by(OutboxMessage.id.desc())
    ).first()
    return re.search(r"https?://[^/\s]+(/\S*/respond/link/\S+)", body).group(1)


def test_the_emailed_link_leads_back_to_the_goal_chosen(client):
    load_reference_data()
    c = make_consultation()
    respond = f"/consultations/{c.slug}/respond"
    goal = f"{respond}/items/fa-1-goal-2"
    # The goal's button leads an unknown person to "start", remembering the goal.
    start = client.get(goal)
    assert start.status_code == 302 and "/start?next=" in start.location
    start_path = start.location
    assert post(client, start_path, {"email": "ny@example.dk"}).status_code == 200
    link = _link_in_mail("ny@example.dk")
    assert "next=" in link and "items/fa-1-goal-2" in unquote(link)
    opened = post(client, link, {})
    assert opened.status_code == 302 and opened.location.endswith("/items/fa-1-goal-2")
    # Not yet told who they are: "About you" first, then straight on to that goal.
    profile = client.get(opened.location)
    assert profile.status_code == 302 and "/about-you?next=" in profile.location
    answer = post(client, profile.location, _profile())
    assert answer.status_code == 302 and answer.location.endswith("/items/fa-1-goal-2")


def _profile() -> dict:
    from consult.reference.models import Municipality
    from consult.reference.models import RespondentType

    type_id = db.session.scalar(select(RespondentType.id).where(RespondentType.code == "citizen"))
    town = db.session.scalar(select(Municipality.id).where(Municipality.code == "hvidovre"))
    return {"respondent_type": str(type_id), "municipality": str(town), "name": ""}


def test_a_link_cannot_be_made_to_lead_elsewhere(client):
    load_reference_data()
    c = make_consultation()
    for target in ("https://evil.example/", "//evil.example/", "/account/", "/consultations/x"):
        post(
            client,
            f"/consultations/{c.slug}/respond/start?next={target}",
            {"email": "a@example.dk"},
        )
        link = _link_in_mail("a@example.dk")
        assert "next=" not in link, target


def test_a_closed_consultation_sends_no_link_and_shows_no_form(client):
    load_reference_data()
    c = make_consultation(opens_in=-timedelta(days=30), closes_in=-timedelta(days=1))
    respond = f"/consultations/{c.slug}/respond"
    page = client.get(f"{respond}/start?lang=en").get_data(as_text=True)
    assert "Not open for input" in page and 'type="email"' not in page
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    sent = post(client, f"{respond}/start", {"email": "sen@example.dk"}, form_url="/account/login")
    assert sent.status_code == 200 and "Not open for input" in sent.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before
    # The goal page has no button to answer.
    goal = client.get(f"/consultations/{c.slug}/items/fa-1-goal-1").get_data(as_text=True)
    assert f"{respond}/items/" not in goal


def test_a_closed_consultation_shows_a_known_respondent_no_form(citizen):
    client, c = citizen
    respond = f"/consultations/{c.slug}/respond"
    about_me(client, c)
    c.closes_at = c.opens_at + timedelta(seconds=1)
    db.session.flush()
    for page in ("items/fa-1-goal-1", "about-you", "ranking", "comment"):
        response = client.get(f"{respond}/{page}")
        assert response.status_code == 302 and response.location.endswith(f"{respond}/"), page
    overview = client.get(f"{respond}/?lang=en").get_data(as_text=True)
    assert "The consultation is closed" in overview


def test_the_receipt_after_an_edit_says_it_goes_back_to_moderation(citizen):
    client, c = citizen
    respond = f"/consultations/{c.slug}/respond"
    about_me(client, c)
    answer = {"stance": "support", "text": "Godt mål.", "importance": "4"}
    post(client, f"{respond}/items/fa-1-goal-1", answer)
    post(client, f"{respond}/submit", {"key": "first"}, form_url=f"{respond}/")
    first = client.get(f"{respond}/receipt?lang=en").get_data(as_text=True)
    assert "Nothing is published before a moderator has read it" in first
    post(client, f"{respond}/items/fa-1-goal-1", {**answer, "text": "Bedre mål."})
    post(client, f"{respond}/submit", {"key": "second"}, form_url=f"{respond}/")
    again = client.get(f"{respond}/receipt").get_data(as_text=True)
    assert "goes back to a moderator" in again
