"""Only the secretariat and admins write drafts: every staff endpoint refuses every other role."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from consult.accounts.models import Role
from consult.drafts.editing import start_new_version
from consult.drafts.models import Consultation
from consult.drafts.models import Item
from consult.drafts.models import Status
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_consultation
from tests.factories import make_user


def staff_requests(app, consultation):
    """Every (method, url) of the staff blueprint, with ids that exist."""
    goal = db.session.scalar(
        select(Item).where(Item.consultation_id == consultation.id, Item.key == "fa-1-goal-1")
    )
    alternative = goal.revisions[0].alternatives[0]
    values = {
        "slug": consultation.slug,
        "item_id": goal.id,
        "line_kind": "alternatives",
        "line_id": alternative.id,
        "number": 1,
    }
    endpoints = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("staff.")),
        key=lambda rule: rule.rule,
    )
    assert len(endpoints) >= 12
    with app.test_request_context():
        for rule in endpoints:
            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def snapshot(consultation):
    db.session.expire_all()
    c = db.session.get(Consultation, consultation.id)
    items = db.session.scalars(select(Item.key).where(Item.consultation_id == c.id)).all()
    return c.status, c.title_da, len(c.versions), sorted(items)


#: What a POST carries: enough for any staff form to act if the role check let it through.
ATTEMPT = {"status": "open", "title_da": "Overtaget", "direction": "up", "action": "delete"}


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.FACILITATOR, Role.RESPONDENT])
def test_other_roles_get_403_on_every_staff_endpoint(app, client, role):
    consultation = make_consultation(status=Status.DRAFT)
    before = snapshot(consultation)
    login(client, make_user(role))
    # A valid token (from the sign-out form every page has), so the refusal is the role's.
    data = {**ATTEMPT, "csrf_token": csrf_token(client, "/")}
    for method, url in staff_requests(app, consultation):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
    assert snapshot(consultation) == before


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    consultation = make_consultation(status=Status.DRAFT)
    before = snapshot(consultation)
    data = {**ATTEMPT, "csrf_token": csrf_token(client, "/account/login")}
    for method, url in staff_requests(app, consultation):
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url)
        assert "/account/login" in response.headers["Location"], (method, url)
    assert snapshot(consultation) == before


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ADMIN])
def test_secretariat_and_admins_get_every_page(app, client, role):
    consultation = make_consultation(status=Status.DRAFT)
    # With a working copy, so the pages about why an item changed have one to show.
    start_new_version(consultation, consultation.versions[0])
    login(client, make_user(role))
    for method, url in staff_requests(app, consultation):
        if method == "GET":
            assert client.get(url).status_code == 200, url


def test_the_staff_link_is_shown_only_to_those_who_may_edit(client):
    login(client, make_user(Role.MODERATOR))
    assert 'href="/staff/"' not in client.get("/").get_data(as_text=True)


def test_the_staff_link_is_shown_to_the_secretariat(client):
    login(client, make_user(Role.SECRETARIAT))
    assert 'href="/staff/"' in client.get("/").get_data(as_text=True)
