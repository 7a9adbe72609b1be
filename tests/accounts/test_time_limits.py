"""Sign-in time limits (WCAG 2.2.1): warned before, extendable, and nothing typed is lost."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.models import LoginSession
from consult.accounts.models import ParkedPost
from consult.accounts.models import Role
from consult.analysis.models import Tag
from consult.db import utcnow
from consult.extensions import db
from tests.factories import PASSWORD
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in

DESCRIPTION = "En lang beskrivelse,\nskrevet i en halv time, som ikke må gå tabt."


def _tags_url(c) -> str:
    return f"/staff/consultations/{c.slug}/inputs/tags"


def test_a_form_sent_after_the_idle_limit_is_kept_and_sent_again_after_signing_in(app, client):
    c = make_consultation()
    staff = make_user(Role.SECRETARIAT, email="sara@example.dk")
    login(client, staff)
    token = csrf_token(client, _tags_url(c))
    later = utcnow() + timedelta(minutes=app.config["STAFF_IDLE_MINUTES"] + 1)
    with time_machine.travel(later, tick=False):
        sent = client.post(
            _tags_url(c),
            data={"csrf_token": token, "name": "Genoptræning", "description": DESCRIPTION},
        )
        assert sent.status_code == 302 and "/account/login?next=" in sent.location
        assert "/account/time/resume/" in sent.location
        page = client.get(sent.location).get_data(as_text=True)
        assert "uden aktivitet" in page and "det, du sendte, er gemt" in page
        assert db.session.scalar(select(func.count()).select_from(Tag)) == 0
        # Nothing of the form in the parked row's clear view but the fields themselves.
        parked = db.session.scalar(select(ParkedPost))
        assert parked.user_id == staff.id and "csrf_token" not in parked.fields
        # Signing in again leads to the form, ready to send.
        signed = client.post(
            sent.location,
            data={
                "email": staff.email,
                "password": PASSWORD,
                "csrf_token": csrf_token(client, sent.location),
            },
        )
        resume = signed.location
        assert "/account/time/resume/" in resume
        html = client.get(resume).get_data(as_text=True)
        assert "skrevet i en halv time" in html and f'action="{_tags_url(c)}"' in html
        fresh = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        again = client.post(
            _tags_url(c),
            data={"csrf_token": fresh, "name": "Genoptræning", "description": DESCRIPTION},
        )
        assert again.status_code == 302
        assert db.session.scalar(select(Tag.description)) == DESCRIPTION


def test_a_parked_form_is_shown_only_to_its_own_account(app, client):
    c = make_consultation()
    owner = make_user(Role.SECRETARIAT, email="ejer@example.dk")
    login(client, owner)
    token = csrf_token(client, _tags_url(c))
    later = utcnow() + timedelta(minutes=app.config["STAFF_IDLE_MINUTES"] + 1)
    with time_machine.travel(later, tick=False):
        sent = client.post(_tags_url(c), data={"csrf_token": token, "name": "Hemmeligt emne"})
        resume = sent.location.split("next=", 1)[1].replace("%2F", "/")
        other = app.test_client()
        sign_in(other, make_user(Role.SECRETARIAT, email="anden@example.dk"))
        answer = other.get(resume)
        assert answer.status_code == 302 and "Hemmeligt" not in answer.get_data(as_text=True)
    # Two hours later it is gone for its owner too.
    with time_machine.travel(later + timedelta(hours=2, minutes=1), tick=False):
        login(client, owner)
        assert client.get(resume).status_code == 302


def test_a_page_asked_for_after_the_limit_says_why_and_a_fresh_visit_says_nothing(app, client):
    c = make_consultation()
    staff = make_user(Role.SECRETARIAT)
    login(client, staff)
    later = utcnow() + timedelta(minutes=app.config["STAFF_IDLE_MINUTES"] + 1)
    with time_machine.travel(later, tick=False):
        answer = client.get(_tags_url(c))
        assert answer.status_code == 302
        page = client.get(answer.location).get_data(as_text=True)
        assert "efter 30 minutter uden aktivitet" in page
    stranger = app.test_client().get(_tags_url(c))
    assert "uden aktivitet" not in app.test_client().get(stranger.location).get_data(as_text=True)


def test_stay_signed_in_restarts_the_idle_clock(app, client):
    staff = make_user(Role.MODERATOR)
    login(client, staff)
    page = client.get("/moderation/").get_data(as_text=True)
    assert 'name="session-idle-seconds" content="1800"' in page and "timeout.js" in page
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    almost = utcnow() + timedelta(minutes=29)
    with time_machine.travel(almost, tick=False):
        answer = client.post("/account/time/keep-alive", data={"csrf_token": token})
        assert answer.status_code == 200 and answer.get_json() == {"idle_seconds": 1800}
    seen = db.session.scalar(select(func.max(LoginSession.last_seen_at)))
    assert seen >= almost - timedelta(seconds=1)
    with time_machine.travel(almost + timedelta(minutes=29), tick=False):
        assert client.get("/moderation/").status_code == 200  # 58 minutes in, still signed in


def test_respondents_get_no_staff_timer(client):
    sign_in(client, make_user(email="borger@example.dk"))
    assert "session-idle-seconds" not in client.get("/").get_data(as_text=True)
