"""Issue 15, point 6: staff who sign in with a password add a TOTP code (pyotp).

Enrolment shows a QR code and the secret as text, asks for one code, then shows ten recovery
codes once. After that a password alone signs nobody in; a code from the app, or a recovery
code (once), does. Respondents are not asked.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from consult.accounts import totp
from consult.accounts.models import LoginSession
from consult.accounts.models import Role
from consult.db import utcnow
from consult.extensions import db
from tests.factories import PASSWORD
from tests.factories import csrf_token
from tests.factories import make_user
from tests.factories import sign_in


@pytest.fixture
def required(app):
    app.config["STAFF_TOTP_REQUIRED"] = True
    yield
    app.config["STAFF_TOTP_REQUIRED"] = False


def password_step(client, user):
    url = "/account/login"
    return client.post(
        url, data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client, url)}
    )


def send_code(client, url: str, code: str):
    return client.post(url, data={"code": code, "csrf_token": csrf_token(client, url)})


def signed_in(user) -> bool:
    return (
        db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id)) is not None
    )


def enrol(client, url: str = "/account/login/set-up-code") -> tuple[str, list[str]]:
    page = client.get(url).get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page  # the QR code, as an image the CSP allows
    secret = re.search(r"<code[^>]*>([A-Z2-7]{32})</code>", page).group(1)
    done = send_code(client, url, pyotp.TOTP(secret).now())
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_staff_enrol_at_their_first_sign_in_then_need_a_code(app, client, required):
    user = make_user(Role.SECRETARIAT)
    first = password_step(client, user)
    assert first.status_code == 302 and first.location.endswith("/account/login/set-up-code")
    assert not signed_in(user)  # the password alone is not enough
    assert send_code(client, "/account/login/set-up-code", "000000").status_code == 200
    secret, _codes = enrol(client)
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    # Stored sealed: the database alone does not give the second factor.
    assert secret not in user.totp_secret and totp.unseal(user.totp_secret) == secret
    assert signed_in(user)

    # The code that enrolled is used up; the next one (30 s later) signs in, once.
    again = app.test_client()
    step = password_step(again, user)
    assert step.location.endswith("/account/login/code")
    wrong = send_code(again, "/account/login/code", "123456")
    assert wrong.status_code == 200 and not wrong.location
    enrolled_code = pyotp.TOTP(secret).now()
    assert send_code(again, "/account/login/code", enrolled_code).status_code == 200
    with time_machine.travel(utcnow() + timedelta(seconds=30)):
        code = pyotp.TOTP(secret).now()
        right = send_code(again, "/account/login/code", code)
        assert right.status_code == 302
        assert again.get("/staff/").status_code == 200
        replay = app.test_client()
        password_step(replay, user)
        assert send_code(replay, "/account/login/code", code).status_code == 200
        assert not replay.get("/staff/").status_code == 200


def test_a_recovery_code_works_once(app, client, required):
    user = make_user(Role.MODERATOR)
    password_step(client, user)
    _, codes = enrol(client)
    browser = app.test_client()
    password_step(browser, user)
    assert send_code(browser, "/account/login/code", codes[0].upper()).status_code == 302
    other = app.test_client()
    password_step(other, user)
    reused = send_code(other, "/account/login/code", codes[0])
    assert reused.status_code == 200


def test_the_code_step_lapses(app, client, required):
    user = make_user(Role.ADMIN)
    password_step(client, user)
    secret, _ = enrol(client)
    browser = app.test_client()
    password_step(browser, user)
    url = "/account/login/code"
    token = csrf_token(browser, url)
    with time_machine.travel(utcnow().timestamp() + 600):
        code = pyotp.TOTP(secret).now()
        late = browser.post(url, data={"code": code, "csrf_token": token})
    assert late.status_code == 400 and "Log ind igen" in late.get_data(as_text=True)


def test_respondents_sign_in_with_a_password_alone(client, required):
    user = make_user(Role.RESPONDENT)
    assert password_step(client, user).status_code == 302
    assert signed_in(user)


def test_a_signed_in_staff_member_sets_it_up_from_the_account_page(client):
    user = make_user(Role.FACILITATOR)
    sign_in(client, user)
    page = client.get("/account/").get_data(as_text=True)
    assert "/account/two-step" in page
    enrol(client, "/account/two-step")
    db.session.refresh(user)
    assert user.totp_enabled_at is not None
    url = "/account/two-step/recovery-codes"
    renewed = client.post(url, data={"csrf_token": csrf_token(client, "/account/")})
    assert len(re.findall(r"<code>", renewed.get_data(as_text=True))) == 10


def test_a_secret_sealed_under_an_old_key_works_after_rotation_and_is_sealed_again(app):
    """SECRET_KEY rotated with the old key in SECRET_KEY_FALLBACKS: the code still works, and
    the secret is sealed under the new key; without the fallback nothing opens it."""
    user = make_user(Role.SECRETARIAT)
    secret = totp.new_secret()
    old_key = app.config["SECRET_KEY"]
    user.totp_secret = totp.seal(secret)
    user.totp_enabled_at = utcnow()
    new_key = "another-secret-key-that-is-long-enough-for-the-check-9876543210"
    app.config["SECRET_KEY"] = new_key
    try:
        assert totp.unseal(user.totp_secret) is None  # the old key is gone: nothing opens
        assert not totp.use_code(user, pyotp.TOTP(secret).now())
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert totp.use_code(user, pyotp.TOTP(secret).now())
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert totp.unseal(user.totp_secret) == secret  # sealed again under the new key
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = None
