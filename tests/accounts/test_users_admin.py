"""The admin's users page: roles, disabling, paging, and who may see it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.accounts.models import Role
from consult.accounts.models import User
from consult.accounts.views import USERS_PER_PAGE
from consult.audit.models import AuditEvent
from consult.extensions import db
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user


@pytest.fixture
def admin(client):
    user = make_user("admin")
    login(client, user)
    return user


def set_role(client, user, role):
    return client.post(
        f"/account/users/{user.id}/role",
        data={f"u{user.id}-role": role, "csrf_token": csrf_token(client, "/account/users")},
    )


def set_role_with(client, user_id, role, token):
    return client.post(
        f"/account/users/{user_id}/role", data={f"u{user_id}-role": role, "csrf_token": token}
    )


def toggle(client, user):
    return client.post(
        f"/account/users/{user.id}/disable",
        data={"csrf_token": csrf_token(client, "/account/users")},
    )


def test_admin_changes_a_role(app, client, admin):
    target = make_user("respondent")
    elsewhere = app.test_client()
    login(elsewhere, target)
    response = set_role(client, target, "moderator")
    assert response.status_code == 302 and response.headers["Location"] == "/account/users"
    db.session.expire_all()
    assert target.role is Role.MODERATOR
    assert elsewhere.get("/account/").status_code == 302  # signed in again with the new rights
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.subject_id == target.id))
    assert event.action == "accounts.change_role" and event.actor_id == admin.id
    assert '"new": "moderator"' in event.details and '"old": "respondent"' in event.details


def test_an_unknown_role_is_refused(client, admin):
    target = make_user("respondent")
    set_role(client, target, "king")
    db.session.expire_all()
    assert target.role is Role.RESPONDENT


def test_an_admin_cannot_demote_themself_and_saving_their_own_role_keeps_them_in(client, admin):
    set_role(client, admin, "respondent")
    db.session.expire_all()
    assert admin.role is Role.ADMIN
    set_role(client, admin, "admin")
    assert client.get("/account/users").status_code == 200


def test_disabling_ends_the_users_sessions_and_enabling_lets_them_back(app, client, admin):
    target = make_user()
    elsewhere = app.test_client()
    login(elsewhere, target)
    assert toggle(client, target).status_code == 302
    db.session.expire_all()
    assert target.is_disabled
    assert elsewhere.get("/account/").status_code == 302
    assert "Disabled" in client.get("/account/users?lang=en").get_data(as_text=True)
    toggle(client, target)
    db.session.expire_all()
    assert not target.is_disabled
    login(elsewhere, target)


def test_an_admin_cannot_disable_themself(client, admin):
    toggle(client, admin)
    db.session.expire_all()
    assert not admin.is_disabled


def test_an_unknown_user_is_404(client, admin):
    token = csrf_token(client, "/account/users")
    assert set_role_with(client, 999_999, "admin", token).status_code == 404


def test_users_are_listed_a_page_at_a_time(client, admin):
    # Plain rows: hashing a real password for each would only make the test slow.
    db.session.add_all(
        User(email=f"u{n:03}@example.dk", password_hash="-") for n in range(USERS_PER_PAGE + 5)
    )
    db.session.flush()
    first = client.get("/account/users?lang=en").get_data(as_text=True)
    assert first.count("<tr>") == USERS_PER_PAGE + 1  # the heading row, then the users
    assert "u000@example.dk" in first and 'rel="next"' in first
    second = client.get("/account/users?page=2&lang=en").get_data(as_text=True)
    assert second.count("<tr>") == 6 + 1  # 55 made + the admin, minus the first page
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get("/account/users?page=-3").status_code == 200


@pytest.mark.parametrize("role", ["secretariat", "moderator", "facilitator", "respondent"])
def test_only_admins_manage_users(client, role):
    target = make_user()
    login(client, make_user(role))
    token = csrf_token(client, "/account/")
    assert client.get("/account/users").status_code == 403
    assert set_role_with(client, target.id, "admin", token).status_code == 403
    assert (
        client.post(f"/account/users/{target.id}/disable", data={"csrf_token": token}).status_code
        == 403
    )
    db.session.expire_all()
    assert target.role is Role.RESPONDENT and not target.is_disabled


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/users")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=/account/users"
    target = make_user()
    token = csrf_token(client, "/account/login")
    response = client.post(f"/account/users/{target.id}/disable", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/login")
    db.session.expire_all()
    assert not target.is_disabled
