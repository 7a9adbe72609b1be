"""Sign-in sessions: server-side and ended for real, timeouts, cookies, redirects, CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from consult import create_app
from consult.config import TestConfig
from consult.db import utcnow
from consult.extensions import db
from tests.factories import PASSWORD
from tests.factories import csrf_token
from tests.factories import login
from tests.factories import make_user

COOKIE = "consult_session"


def copy_cookie(source, target) -> None:
    """Give ``target`` the session cookie ``source`` has now, as a thief would."""
    domain = source.application.config["SERVER_NAME"]
    cookie = source.get_cookie(COOKIE, domain=domain)
    assert cookie is not None
    target.set_cookie(COOKIE, cookie.value, domain=domain)


def signed_in(client) -> bool:
    response = client.get("/account/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def logout(client):
    return client.post("/account/logout", data={"csrf_token": csrf_token(client, "/account/")})


def session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}="))


# --- signing out ------------------------------------------------------------------------------


def test_logout_is_post_only(client):
    login(client, make_user())
    assert client.get("/account/logout").status_code == 405
    assert signed_in(client)
    response = logout(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not signed_in(client)


def test_logout_says_so_and_keeps_the_language(client):
    login(client, make_user(locale="en"))
    logout(client)
    html = client.get("/").get_data(as_text=True)
    assert "You are signed out." in html and '<html lang="en">' in html


def test_a_cookie_copied_before_logout_no_longer_works(app, client):
    login(client, make_user())
    thief = app.test_client()
    copy_cookie(client, thief)
    assert signed_in(thief)
    logout(client)
    assert not signed_in(thief)


def test_a_cookie_from_before_sign_in_does_not_sign_anyone_in(app, client):
    """No session fixation: signing in starts a new session."""
    client.get("/account/login")
    planted = app.test_client()
    copy_cookie(client, planted)
    login(client, make_user())
    assert signed_in(client) and not signed_in(planted)


def test_changing_the_password_ends_every_other_session(app, client):
    user = make_user()
    login(client, user)
    other_device = app.test_client()
    login(other_device, user)
    thief = app.test_client()
    copy_cookie(other_device, thief)
    response = client.post(
        "/account/password",
        data={
            "password-current_password": PASSWORD,
            "password-password": "a brand new password",
            "password-password_confirm": "a brand new password",
            "csrf_token": csrf_token(client, "/account/"),
        },
    )
    assert response.status_code == 302
    assert signed_in(client)  # this browser stays signed in
    assert not signed_in(other_device) and not signed_in(thief)


def test_a_password_reset_ends_every_session(app, client, smtp_server, send_mail):
    user = make_user()
    login(client, user)
    thief = app.test_client()
    copy_cookie(client, thief)
    stranger = app.test_client()
    stranger.post(
        "/account/forgot-password",
        data={"email": user.email, "csrf_token": csrf_token(stranger, "/account/forgot-password")},
    )
    send_mail()
    link = smtp_server.link_to(user.email)
    stranger.post(
        link,
        data={
            "password": "another good password",
            "password_confirm": "another good password",
            "csrf_token": csrf_token(stranger, link),
        },
    )
    assert not signed_in(client) and not signed_in(thief)


def test_an_account_disabled_in_the_database_is_signed_out_at_once(client):
    user = make_user()
    login(client, user)
    user.is_disabled = True
    db.session.flush()
    assert not signed_in(client)


# --- timeouts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "idle_minutes"),
    [("secretariat", 30), ("admin", 30), ("respondent", 60 * 24)],
)
def test_sign_in_ends_after_idle_time(client, role, idle_minutes):
    now = utcnow()
    with time_machine.travel(now, tick=False):
        login(client, make_user(role))
    # Activity keeps the sign-in alive past the first idle period...
    for _ in range(2):
        now += timedelta(minutes=idle_minutes - 1)
        with time_machine.travel(now, tick=False):
            assert signed_in(client)
    # ...and a pause longer than the idle time ends it.
    with time_machine.travel(now + timedelta(minutes=idle_minutes + 1), tick=False):
        assert not signed_in(client)


def test_staff_sign_in_ends_after_absolute_limit_even_when_active(client):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login(client, make_user("moderator"))
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert signed_in(client), minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        assert not signed_in(client)


def test_an_expired_sign_in_leads_back_to_the_page_after_signing_in_again(client):
    user = make_user("admin")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        login(client, user)
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get("/account/users")
        assert response.headers["Location"] == "/account/login?next=/account/users"
        token = csrf_token(client, response.headers["Location"])
        response = client.post(
            response.headers["Location"],
            data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/account/users"


# --- redirects after sign-in ------------------------------------------------------------------

EVIL_TARGETS = [
    "https://evil.example",
    "http://evil.example/account/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http:/evil",
    "evil.example",
    " //evil.example",
    "/\r\nSet-Cookie:x=1",
    "/\t/evil.example",
]


def sign_in_with_next(client, user, target):
    return client.post(
        "/account/login",
        query_string={"next": target},
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(client, "/account/login"),
        },
    )


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_never_leaves_the_site(client, target):
    response = sign_in_with_next(client, make_user(), target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_next_never_leaves_the_site_when_already_signed_in(client, target):
    login(client, make_user())
    response = client.get("/account/login", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_staff_without_next_land_on_the_staff_area_even_after_an_evil_next(client):
    response = sign_in_with_next(client, make_user("secretariat"), "//evil.example")
    assert response.headers["Location"] == "/staff/"


@pytest.mark.parametrize("target", ["/account/?tab=1", "/consultations/x/", "/"])
def test_next_within_the_site_is_followed(client, target):
    response = sign_in_with_next(client, make_user(), target)
    assert response.headers["Location"] == target


# --- cookies and caching ----------------------------------------------------------------------


def test_session_cookie_flags_and_no_remember_cookie(client):
    response = login(client, make_user())
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


@pytest.mark.no_db
def test_session_cookie_is_secure_behind_tls():
    app = create_app(type("TLS", (TestConfig,), {"BEHIND_TLS": True}))
    response = app.test_client().get("/account/login", base_url="https://consult.test")
    cookie = session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_signed_in_pages_are_never_stored(client):
    assert "no-store" not in client.get("/account/login").headers.get("Cache-Control", "")
    response = login(client, make_user("admin"))
    assert response.headers["Cache-Control"] == "no-store"
    for url in ("/", "/account/", "/account/users"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


# --- CSRF -------------------------------------------------------------------------------------

TYPED = {
    "/account/login": {"email": "karen@example.dk", "password": "secret password 1"},
    "/account/register": {
        "name": "Karen Jensen",
        "email": "karen@example.dk",
        "password": "secret password 1",
        "password_confirm": "secret password 1",
    },
    "/account/forgot-password": {"email": "karen@example.dk"},
}


@pytest.mark.parametrize("url", TYPED)
def test_a_form_without_csrf_token_gets_a_friendly_page_with_what_was_typed(client, url):
    client.get("/?lang=en")
    response = client.post(url, data=TYPED[url])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Your form has expired" in html and "What you typed" in html
    assert "karen@example.dk" in html
    assert "secret password 1" not in html
    assert "Cache-Control" in response.headers and response.headers["Cache-Control"] == "no-store"


def test_a_wrong_csrf_token_is_refused_too(client):
    user = make_user()
    response = client.post(
        "/account/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400 and not signed_in(client)


def test_the_csrf_error_page_is_in_danish_by_default(client):
    response = client.post("/account/login", data={"email": "karen@example.dk", "password": "x"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Din formular er udløbet" in html and "karen@example.dk" in html


def test_the_csrf_token_lasts_as_long_as_the_session(client):
    user = make_user()
    token = csrf_token(client, "/account/login")
    with time_machine.travel(utcnow() + timedelta(hours=6)):
        response = client.post(
            "/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
    assert response.status_code == 302


def test_the_expired_form_page_names_fields_by_their_labels(client):
    client.get("/?lang=da")
    response = client.post(
        "/account/register",
        data={"name": "Karen Jensen", "email": "karen@example.dk", "key": "abc123"},
    )
    html = response.get_data(as_text=True)
    assert '<label for="typed-1">Navn (valgfrit)</label>' in html
    assert ">E-mail" in html and ">email<" not in html and ">name<" not in html
    assert "abc123" not in html  # a field the person never typed in is not shown
