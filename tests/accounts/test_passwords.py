"""Forgotten password (a link that works once and expires) and changing the password."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func
from sqlalchemy import select

from consult.accounts.passwords import verify_password
from consult.db import utcnow
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests.factories import PASSWORD
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user

NEW = "another good password"


def ask_for_reset(client, email, **kwargs):
    return client.post(
        "/account/forgot-password",
        data={"email": email, "csrf_token": csrf_token(client, "/account/forgot-password")},
        **kwargs,
    )


def choose(client, link, password=NEW, confirm=None):
    return client.post(
        link,
        data={
            "password": password,
            "password_confirm": confirm or password,
            # Not from the link's own page: it is a 400 page once the link is dead.
            "csrf_token": csrf_token(client, "/account/forgot-password"),
        },
    )


def reset_link(client, smtp_server, send_mail, user) -> str:
    assert ask_for_reset(client, user.email).status_code == 200
    assert send_mail().exit_code == 0
    return smtp_server.link_to(user.email)


def test_reset_link_works_once(app, client, smtp_server, send_mail):
    user = make_user(confirmed=False)
    link = reset_link(client, smtp_server, send_mail, user)
    assert link.startswith("/account/reset-password/")
    page = client.get(link).get_data(as_text=True)
    assert 'autocomplete="new-password"' in page
    response = choose(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW) and not verify_password(
        user.password_hash, PASSWORD
    )
    assert user.is_confirmed  # the link proved the address
    login(client, user, NEW)
    # Used once: the link no longer opens, and posting to it changes nothing.
    assert client.get(link).status_code == 400
    assert choose(app.test_client(), link, "yet another password").status_code == 400
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW)


def test_reset_link_expires(app, client, smtp_server, send_mail):
    user = make_user()
    link = reset_link(client, smtp_server, send_mail, user)
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["RESET_TOKEN_MAX_AGE"] - 60)):
        assert client.get(link).status_code == 200
    with time_machine.travel(utcnow() + timedelta(seconds=app.config["RESET_TOKEN_MAX_AGE"] + 60)):
        assert client.get(link).status_code == 400
        assert choose(client, link).status_code == 400
    db.session.expire_all()
    assert verify_password(user.password_hash, PASSWORD)


def test_an_older_reset_link_dies_when_a_newer_one_is_used(client, smtp_server, send_mail):
    user = make_user()
    first = reset_link(client, smtp_server, send_mail, user)
    with time_machine.travel(utcnow() + timedelta(seconds=2)):
        second = reset_link(client, smtp_server, send_mail, user)
        assert first != second
        assert choose(client, second).status_code == 302
    assert client.get(first).status_code == 400


def test_reset_validates_the_new_password(client, smtp_server, send_mail):
    user = make_user()
    link = reset_link(client, smtp_server, send_mail, user)
    html = choose(client, link + "?lang=en", "short").get_data(as_text=True)
    assert "at least 10" in html
    html = choose(client, link + "?lang=en", NEW, "not the same one").get_data(as_text=True)
    assert "not the same" in html
    db.session.expire_all()
    assert verify_password(user.password_hash, PASSWORD)


def test_forgot_password_answers_the_same_for_unknown_addresses(client, smtp_server, send_mail):
    make_user(email="known@example.dk")
    disabled = make_user(email="disabled@example.dk")
    disabled.is_disabled = True
    db.session.flush()
    pages = [
        ask_for_reset(client, email).get_data(as_text=True).replace(email, "X")
        for email in ("known@example.dk", "unknown@example.dk", "disabled@example.dk")
    ]
    assert pages[0] == pages[1] == pages[2]
    send_mail()
    assert [m["To"] for m in smtp_server.messages] == ["known@example.dk"]


def test_forgot_password_is_rate_limited(app, client):
    limit = int(app.config["MAIL_RATE_LIMIT"].split()[0])
    statuses = [ask_for_reset(client, f"p{i}@example.dk").status_code for i in range(limit + 1)]
    assert statuses == [200] * limit + [429]


def test_the_reset_mail_is_in_the_owners_language(client, smtp_server, send_mail):
    danish = make_user(locale="da")
    english = make_user(locale="en")
    ask_for_reset(client, danish.email, query_string={"lang": "en"})
    ask_for_reset(client, english.email, query_string={"lang": "da"})
    send_mail()
    assert smtp_server.subject_to(danish.email) == "Vælg en ny adgangskode"
    assert smtp_server.subject_to(english.email) == "Choose a new password"
    body = smtp_server.last_to(english.email).get_payload(decode=True).decode()
    assert "The link works once" in body


def test_changing_the_password(client):
    user = make_user()
    login(client, user)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": PASSWORD,
            "password-password": NEW,
            "password-password_confirm": NEW,
            "csrf_token": csrf_token(client, "/account/"),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    db.session.expire_all()
    assert verify_password(user.password_hash, NEW)


def test_wrong_current_password_does_not_change_it(client):
    user = make_user()
    login(client, user)
    response = client.post(
        "/account/password?lang=en",
        data={
            "password-current_password": "not my password",
            "password-password": NEW,
            "password-password_confirm": NEW,
            "csrf_token": csrf_token(client, "/account/"),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The current password is wrong." in html and 'aria-invalid="true"' in html
    assert NEW not in html and "not my password" not in html
    db.session.expire_all()
    assert verify_password(user.password_hash, PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
