"""Issue 15, point 6: staff sign in through OpenID Connect, against a real provider.

node-oidc-provider (npm, package.json) runs on 127.0.0.1 from ``provider_process``, with its
development login pages; the test's browser is a ``requests`` session on the provider's side
and the Flask test client on ours. Authlib fetches the discovery document and the keys, trades
the code (with PKCE) for tokens over HTTP and checks the ID token, as with Entra ID.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from consult.accounts import oidc
from consult.accounts.models import LoginSession
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.extensions import db
from tests.factories import make_user

ROOT = Path(__file__).parents[2]
PROVIDER = Path(__file__).parent / "oidc" / "provider.mjs"
CALLBACK = "http://consult.test/account/oidc/callback"
GROUP_ROLES = {"g-secretariat": "secretariat", "g-moderator": "moderator", "g-admin": "admin"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def provider_process(tmp_path_factory):
    """node-oidc-provider on a free port; yields its issuer and the groups file it reads."""
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("node and node_modules/oidc-provider are needed: run `npm install`")
    groups = tmp_path_factory.mktemp("oidc") / "groups.json"
    groups.write_text("{}")
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "REDIRECT_URI": CALLBACK, "GROUPS_FILE": str(groups)}
    process = subprocess.Popen(  # noqa: S603
        [node, str(PROVIDER)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode(errors="replace")
                pytest.fail(f"the OIDC provider did not start: {output}")
            time.sleep(0.1)
        yield issuer, groups
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def provider(app, provider_process, monkeypatch):
    """The app signs staff in through the provider while the test runs."""
    issuer, groups = provider_process
    # The provider speaks plain HTTP on 127.0.0.1; Entra ID is HTTPS and needs no such switch.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    settings = {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": "consult",
        "OIDC_CLIENT_SECRET": "consult-test-secret",
        "OIDC_GROUP_ROLES": GROUP_ROLES,
    }
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    oidc.init_app(app)

    def directory(**people: list[str]) -> None:
        groups.write_text(json.dumps(people))

    yield directory
    app.config.update(saved)
    oidc.init_app(app)


def _form(html: str) -> tuple[str, dict]:
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def sign_in_at_provider(client, login: str):
    """Walk the provider's login and consent pages as a browser would; return our answer."""
    start = client.get("/account/oidc/login")
    assert start.status_code == 302, start.status_code
    browser = requests.Session()
    issuer = "{0.scheme}://{0.netloc}".format(urlsplit(start.location))
    response = browser.get(start.location, allow_redirects=True, timeout=10)
    for _ in range(6):
        html = response.text
        action, fields = _form(html)
        url = issuer + action if action.startswith("/") else action
        if fields.get("prompt") == "login":
            fields.update(login=login, password="irrelevant")
        response = browser.post(url, data=fields, allow_redirects=False, timeout=10)
        while response.is_redirect:
            target = response.headers["Location"]
            if target.startswith(CALLBACK):
                browser.close()
                parts = urlsplit(target)
                return client.get(f"{parts.path}?{parts.query}")
            response = browser.get(
                target if target.startswith("http") else issuer + target,
                allow_redirects=False,
                timeout=10,
            )
    browser.close()
    raise AssertionError("the provider never sent us back")


def test_a_staff_member_signs_in_and_gets_the_role_of_their_group(client, provider):
    provider(anna=["g-secretariat", "unrelated"])
    answer = sign_in_at_provider(client, "anna")
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    user = db.session.scalar(select(User).where(User.email == "anna@region.example"))
    assert user is not None and user.role is Role.SECRETARIAT
    assert user.oidc_subject == "anna" and user.is_confirmed
    assert db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    # Signed in: the staff pages open, without a second factor asked (the provider does MFA).
    assert client.get("/staff/").status_code == 200


def test_the_role_follows_the_groups_at_every_sign_in(app, provider):
    provider(bo=["g-secretariat"])
    first = app.test_client()
    assert sign_in_at_provider(first, "bo").status_code == 302
    provider(bo=["g-moderator"])
    second = app.test_client()
    assert sign_in_at_provider(second, "bo").status_code == 302
    user = db.session.scalar(select(User).where(User.oidc_subject == "bo"))
    db.session.refresh(user)
    assert user.role is Role.MODERATOR
    # The change ended the earlier sign-in (as any role change does).
    assert first.get("/staff/").status_code in (302, 403)


def test_a_person_in_no_mapped_group_is_refused(client, provider):
    provider(cecilie=["g-kantinen"])
    answer = sign_in_at_provider(client, "cecilie")
    assert answer.status_code == 403
    assert "nogen af de grupper" in answer.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "cecilie@region.example")) is None


def test_an_existing_account_with_the_address_is_linked(client, provider):
    existing = make_user(Role.FACILITATOR, email="dorte@region.example")
    provider(dorte=["g-admin"])
    assert sign_in_at_provider(client, "dorte").status_code == 302
    db.session.refresh(existing)
    assert existing.oidc_subject == "dorte" and existing.role is Role.ADMIN


def test_a_forged_callback_is_refused(client, provider):
    answer = client.get("/account/oidc/callback?code=forged&state=forged")
    assert answer.status_code == 302 and answer.location.endswith("/account/login")
    assert db.session.scalar(select(LoginSession)) is None


def test_without_an_issuer_there_is_no_oidc_sign_in(client):
    assert client.get("/account/oidc/login").status_code == 404
    assert "oidc/login" not in client.get("/account/login").get_data(as_text=True)
