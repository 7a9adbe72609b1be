"""Issue 15, point 5: logs are JSON lines with a request id, and hold no personal data.

A full journey runs with the app's real log handler (``consult.logging.configure``) writing
to a buffer: a person registers, confirms by the e-mailed link, signs in, answers, sends;
mail goes out through a real SMTP server; a moderator publishes and hides with a note; the
secretariat exports. A marker is planted in every field a person types. None may be in the
logs; the request lines (with the confirm link's token replaced) must be, so the search
cannot pass by reading nothing.
"""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from consult import logging as app_logging
from consult.accounts.models import Role
from consult.accounts.models import User
from consult.extensions import db
from consult.mail.models import OutboxMessage
from consult.moderation.models import Contribution
from consult.reference.seed import load_reference_data
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import post_form
from tests.factories import sign_in

MARKERS = {
    "email": "mrkmail.person@example.dk",
    "name": "MRKNAVN",
    "password": "MRKPASSWORD long enough",
    "organisation": "MRKORG",
    "input": "MRKINPUT teksten",
    "wording": "MRKWORDING forslag",
    "comment": "MRKCOMMENT kommentar",
    "note": "MRKNOTE fra moderator",
}


@pytest.fixture
def captured(app):
    """The app's real JSON handler, writing to a buffer while the test runs."""
    buffer = io.StringIO()
    handler = app_logging.configure(json=True, level="INFO", stream=buffer)
    yield buffer
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)


def journey(app, smtp_server, send_mail) -> str:
    """Register, confirm, respond, moderate, export; return the consultation's slug."""
    load_reference_data()
    c = make_consultation()
    client = app.test_client()
    url = "/account/register"
    client.post(
        url,
        data={
            "email": MARKERS["email"],
            "password": MARKERS["password"],
            "password_confirm": MARKERS["password"],
            "name": MARKERS["name"],
            "csrf_token": csrf_token(client, url),
        },
    )
    assert send_mail().exit_code == 0
    link = smtp_server.link_to(MARKERS["email"])
    assert "/account/confirm/" in link
    assert client.post(link, data={"csrf_token": csrf_token(client, link)}).status_code == 302
    url = "/account/login"
    signed = client.post(
        url,
        data={
            "email": MARKERS["email"],
            "password": MARKERS["password"],
            "csrf_token": csrf_token(client, url),
        },
    )
    assert signed.status_code == 302
    assert (
        about_me(client, c, name=MARKERS["name"], organisation=MARKERS["organisation"]).status_code
        == 302
    )
    base = f"/consultations/{c.slug}/respond"
    answer = post_form(
        client,
        f"{base}/items/fa-1-goal-1",
        {
            "stance": "support_with_changes",
            "importance": "3",
            "text": MARKERS["input"],
            "proposed_wording": MARKERS["wording"],
        },
    )
    assert answer.status_code == 302
    post_form(
        client, f"{base}/comment", {"general_comment": MARKERS["comment"], "consent": "named"}
    )
    summary = client.get(f"{base}/").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', summary).group(1)
    sent = client.post(
        f"{base}/submit", data={"key": key, "csrf_token": csrf_token(client, f"{base}/")}
    )
    assert sent.status_code == 302
    assert send_mail().exit_code == 0  # the receipt, quoting the input

    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    contributions = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
    assert len(contributions) == 2
    for contribution, action in zip(contributions, ("publish", "hide"), strict=True):
        page_url = f"/moderation/contributions/{contribution.id}"
        page = moderator.get(page_url)
        assert page.status_code == 200, (page.status_code, page.location)
        page = page.get_data(as_text=True)
        fingerprint = re.search(rf'name="{action}-fingerprint"[^>]*value="([^"]+)"', page)
        token = csrf_token(moderator, page_url)
        data = {f"{action}-fingerprint": fingerprint.group(1), "csrf_token": token}
        if action == "hide":
            data.update({"hide-reason": "personal_data", "hide-note": MARKERS["note"]})
        done = moderator.post(f"{page_url}/{action}", data=data)
        assert done.status_code == 302, done.status_code

    secretariat = app.test_client()
    sign_in(secretariat, make_user(Role.SECRETARIAT))
    export = secretariat.get(f"/staff/consultations/{c.slug}/exports/csv")
    assert export.status_code == 200 and MARKERS["input"] in export.get_data(as_text=True)
    return c.slug


def test_a_full_journey_leaves_no_personal_data_in_the_logs(app, captured, smtp_server, send_mail):
    journey(app, smtp_server, send_mail)
    # A failing statement with a marker in its values: hide_parameters keeps them out.
    try:
        with db.session.begin_nested():
            db.session.add(User(email=MARKERS["email"], password_hash="x", name=MARKERS["name"]))
    except IntegrityError:
        current_app.logger.exception("integrity error while testing the logs")
    assert current_app.extensions["sqlalchemy"].engine.hide_parameters
    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    requests = [line for line in lines if line.get("event") == "request"]
    # Positive controls: the lines are there, with ids, and the confirm link's token is hidden.
    assert len(requests) > 20
    assert all(re.fullmatch(r"[0-9a-f]{16}", r["request_id"]) for r in requests)
    assert any(r["path"] == "/account/confirm/[token]" for r in requests)
    assert any(r["endpoint"] == "exports.download" for r in requests)
    assert any("integrity error while testing the logs" in line["event"] for line in lines)
    assert db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.recipient == MARKERS["email"])
    )
    for field, marker in MARKERS.items():
        for word in (marker, marker.split()[0]):
            assert word.lower() not in text.lower(), f"the {field} reached the logs"
    assert "@example.dk" not in text


def test_every_route_with_a_secret_in_its_path_is_scrubbed(app):
    rules = app_logging.token_rules(app)
    assert "/account/confirm/<token>" in rules and "/join/<code>" in rules
    assert "/consultations/<slug>/respond/link/<token>" in rules
    for rule in rules:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: f"SECRET{m.group(1)}X9", rule)
        logged = app_logging.scrub(f"GET {path}?next=/a HTTP/1.1")
        assert "SECRETtokenX9" not in logged and "SECRETcodeX9" not in logged, logged
        assert "[token]" in logged and "next=" not in logged
    # A path with a slug keeps the slug: only secrets go.
    assert "/consultations/sa-2027/respond/link/[token]" in app_logging.scrub(
        "/consultations/sa-2027/respond/link/abc.DEF_123"
    )
    assert app_logging.scrub("mail til karen@example.dk sendt") == "mail til [email] sendt"


def test_each_answer_carries_its_request_id(client):
    answer = client.get("/legal/cookies")
    assert re.fullmatch(r"[0-9a-f]{16}", answer.headers["X-Request-Id"])
    given = client.get("/legal/cookies", headers={"X-Request-Id": "nginx-abc12345"})
    assert given.headers["X-Request-Id"] == "nginx-abc12345"
    odd = client.get("/legal/cookies", headers={"X-Request-Id": "<script>"})
    assert odd.headers["X-Request-Id"] != "<script>"


def test_gunicorn_and_nginx_hide_the_same_secrets_as_the_app(app):
    import runpy

    deploy = Path(__file__).parents[1] / "deploy"
    redact = runpy.run_path(str(deploy / "gunicorn.conf.py"))["redact"]
    conf = (deploy / "nginx" / "consult.conf").read_text()
    # The log map's regex, in Python's spelling of a named group.
    nginx = re.compile(re.search(r'"~(\^[^"]+)"', conf).group(1).replace("(?<", "(?P<"))
    for rule in app_logging.token_rules(app):
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: f"SECRET{m.group(1)}X9", rule)
        assert "SECRETtokenX9" not in redact(path) and "SECRETcodeX9" not in redact(path), rule
        match = nginx.match(path)
        assert match, f"nginx logs {rule} with its secret"
        assert "SECRET" not in match.group("consult_path").replace("SECRETslugX9", ""), rule
