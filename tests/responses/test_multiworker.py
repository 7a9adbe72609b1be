"""Several gunicorn workers take concurrent submissions without "database is locked".

Real processes, real HTTP, the real database file (or PostgreSQL in its run): each submitter
signs in, answers three goals, ranks and submits, all at once; then every row is counted.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import Response
from consult.responses.models import ResponseState
from tests import scratch
from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD
from tests.factories import make_consultation
from tests.factories import make_user

pytestmark = pytest.mark.no_db

SUBMITTERS = 12
GOALS = ("fa-1-goal-1", "fa-1-goal-2", "fa-2-goal-1")
ROOT = Path(__file__).parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server():
    url = scratch.create(DATABASE_URL, "workers")
    app = create_app(type("Workers", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        from flask_migrate import upgrade

        from consult.reference.seed import load_reference_data

        upgrade()
        load_reference_data()
        consultation = make_consultation(focus_areas=2, goals_per_area=2)
        emails = [make_user(email=f"submitter{i}@example.dk").email for i in range(SUBMITTERS)]
        db.session.commit()
        slug = consultation.slug
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "CONSULT_SQLALCHEMY_DATABASE_URI": url,
        "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
        "CONSULT_LOGIN_RATE_LIMIT": '"10000 per minute"',
        "CONSULT_MAIL_RATE_LIMIT": '"10000 per minute"',
    }
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "3",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "consult:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, slug, emails, app
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=15)
        scratch.drop(DATABASE_URL, url)
        assert "database is locked" not in errors, errors


class Browser:
    """A cookie-keeping HTTP client that fills in the CSRF token like a browser would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, form_path: str | None = None) -> int:
        html = self.get(form_path or path)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def test_concurrent_submitters_against_several_workers(server):
    base, slug, emails, app = server
    failures: list[str] = []
    barrier = threading.Barrier(SUBMITTERS)

    def submit(email: str):
        try:
            browser = Browser(base)
            browser.post("/account/login", {"email": email, "password": PASSWORD})
            barrier.wait(timeout=60)
            respond = f"/consultations/{slug}/respond"
            citizen = re.search(
                r'<option value="(\d+)">Borger', browser.get(f"{respond}/about-you")
            ).group(1)
            assert browser.post(f"{respond}/about-you", {"respondent_type": citizen}) == 200
            for key in GOALS:
                status = browser.post(
                    f"{respond}/items/{key}", {"stance": "support", "text": f"Input fra {email}"}
                )
                assert status == 200, status
            summary = browser.get(f"{respond}/")
            key = re.search(r'name="key" type="hidden" value="([^"]+)"', summary).group(1)
            assert browser.post(f"{respond}/submit", {"key": key}, f"{respond}/") == 200
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            failures.append(f"{email}: {exc!r}")

    threads = [threading.Thread(target=submit, args=(e,)) for e in emails]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not failures, failures
    with app.app_context():
        responses = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.state == ResponseState.SUBMITTED)
        )
        inputs = db.session.scalar(select(func.count()).select_from(Input))
        db.session.remove()
        db.engine.dispose()
    assert responses == SUBMITTERS
    assert inputs == SUBMITTERS * len(GOALS)


def test_a_double_click_on_send_is_stored_once(server):
    """Two sends of one form at the same moment, to different workers: one receipt, one event."""
    from consult.mail.models import OutboxMessage
    from consult.responses.models import ResponseEvent

    base, slug, emails, app = server
    browser = Browser(base)
    browser.post("/account/login", {"email": emails[0], "password": PASSWORD})
    respond = f"/consultations/{slug}/respond"
    citizen = re.search(r'<option value="(\d+)">Borger', browser.get(f"{respond}/about-you"))
    browser.post(f"{respond}/about-you", {"respondent_type": citizen.group(1)})
    # Two first saves of the same goal at once: one input.
    barrier = threading.Barrier(2)
    html = browser.get(f"{respond}/items/{GOALS[0]}")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def send(path, data):
        barrier.wait(timeout=30)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        with browser.opener.open(base + path, data=body, timeout=30) as response:
            statuses.append(response.status)

    statuses: list[int] = []
    for path, data in [
        (f"{respond}/items/{GOALS[0]}", {"stance": "support"}),
        (f"{respond}/submit", {"key": "one-form-one-key"}),
    ]:
        barrier.reset()
        threads = [threading.Thread(target=send, args=(path, data)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert statuses == [200, 200, 200, 200], statuses
    with app.app_context():
        (response,) = db.session.scalars(select(Response)).all()
        inputs = db.session.scalar(select(func.count()).select_from(Input))
        events = db.session.scalars(
            select(ResponseEvent.action).where(ResponseEvent.response_id == response.id)
        ).all()
        receipts = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.subject.contains(response.receipt_number))
        )
        db.session.remove()
        db.engine.dispose()
    assert response.state is ResponseState.SUBMITTED
    assert inputs == 1 and events == ["submitted"] and receipts == 1
