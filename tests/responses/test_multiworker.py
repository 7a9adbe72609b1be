"""Several gunicorn workers on one SQLite file take concurrent submissions on a busy machine.

Real processes, real HTTP, the real database file and the production Argon2 parameters. Two
busy loops take both cores while 50 respondents sign in, answer two goals, and submit at
once: no answer may be a server error and no submission may be lost. Then two sends of one
form at the same moment are stored once.

It runs on SQLite only: PostgreSQL's row locks are raced in tests/responses/test_constraints.py
on both databases, and the production shape on PostgreSQL has a test of its own.
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

import argon2
import pytest
from sqlalchemy import func
from sqlalchemy import select

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db
from consult.responses.models import Input
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import ResponseState
from tests import helpers
from tests.factories import PASSWORD
from tests.factories import make_consultation
from tests.factories import make_user

pytestmark = [pytest.mark.no_db, pytest.mark.only_on("sqlite")]

SUBMITTERS = 50
WORKERS = 4
GOALS = ("fa-1-goal-1", "fa-2-goal-1")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, base: str, slug: str, emails: list[str], app, errors: list[str]):
        self.base, self.slug, self.emails, self.app, self.errors = base, slug, emails, app, errors

    def count(self, stmt):
        with self.app.app_context():
            try:
                return db.session.scalar(stmt)
            finally:
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="module")
def server():
    url = helpers.create_database("sqlite://", "workers")
    app = create_app(type("Workers", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    # Every account gets a hash made with the production parameters (RFC 9106, 64 MiB), so
    # each sign-in costs what it costs in production; one hash serves all of them.
    production_hash = argon2.PasswordHasher.from_parameters(
        argon2.profiles.RFC_9106_LOW_MEMORY
    ).hash(PASSWORD)
    with app.app_context():
        from flask_migrate import upgrade

        from consult.reference.seed import load_reference_data

        upgrade()
        load_reference_data()
        consultation = make_consultation(focus_areas=2, goals_per_area=2)
        emails = []
        for i in range(SUBMITTERS + 1):
            user = make_user(email=f"submitter{i}@example.dk")
            user.password_hash = production_hash
            emails.append(user.email)
        db.session.commit()
        slug = consultation.slug
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "CONSULT_SQLALCHEMY_DATABASE_URI": url,
        # The queue beside the database, not in the working tree's instance folder.
        "CONSULT_JOBS_URL": url.removesuffix(".db") + "-jobs.db",
        "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
        "CONSULT_LOGIN_RATE_LIMIT": '"10000 per minute"',
        "CONSULT_MAIL_RATE_LIMIT": '"10000 per minute"',
        # Warnings and errors only: stderr is read at the end, and a pipe filled with a line
        # per request would stall the workers that write to it.
        "CONSULT_LOG_LEVEL": '"WARNING"',
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS)]
    command += ["--worker-class", "gthread", "--threads", "4", "--timeout", "120"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "consult:create_app()"]
    process = subprocess.Popen(  # noqa: S603
        command, cwd=helpers.ROOT, env=env, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/", timeout=5):  # noqa: S310
                break
        except OSError:
            time.sleep(0.2)
    errors: list[str] = []
    try:
        yield Server(base, slug, emails, app, errors)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
        process.stderr.close()
        helpers.drop_database("sqlite://", url)
        helpers.drop_database("sqlite://", url.removesuffix(".db") + "-jobs.db")
        errors.append(stderr)
    assert "database is locked" not in stderr, stderr
    assert "Traceback" not in stderr, stderr


class Browser:
    """A cookie-keeping HTTP client that fills in the CSRF token like a browser would.

    Every status is recorded, so the test can count server errors on any request.
    """

    def __init__(self, base: str, statuses: list[int]):
        self.base, self.statuses = base, statuses
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, body: bytes | None = None) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                status, text = error.code, error.read().decode(errors="replace")
        self.statuses.append(status)
        return status, text

    def get(self, path: str) -> str:
        status, text = self.open(path)
        assert status == 200, (path, status)
        return text

    def post(self, path: str, data: dict, form_path: str | None = None) -> int:
        html = self.get(form_path or path)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
        body = urllib.parse.urlencode({**data, "csrf_token": token}).encode()
        return self.open(path, body)[0]


@pytest.fixture
def busy_cores():
    """Two busy loops, one per core, for as long as the test runs."""
    loops = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])  # noqa: S603
        for _ in range(2)
    ]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait(10)


def test_fifty_respondents_sign_in_and_submit_on_a_busy_machine(server, busy_cores):
    failures: list[str] = []
    statuses: list[int] = []
    barrier = threading.Barrier(SUBMITTERS)
    respond = f"/consultations/{server.slug}/respond"

    def submit(email: str):
        try:
            browser = Browser(server.base, statuses)
            assert browser.post("/account/login", {"email": email, "password": PASSWORD}) == 200
            barrier.wait(timeout=300)
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

    threads = [threading.Thread(target=submit, args=(e,)) for e in server.emails[:SUBMITTERS]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    server_errors = [s for s in statuses if s >= 500]
    assert not server_errors, f"{len(server_errors)} server errors; {failures[:3]}"
    assert not failures, failures[:5]
    submitted = server.count(
        select(func.count()).select_from(Response).where(Response.state == ResponseState.SUBMITTED)
    )
    inputs = server.count(select(func.count()).select_from(Input))
    assert (submitted, inputs) == (SUBMITTERS, SUBMITTERS * len(GOALS))


def test_a_double_click_on_send_is_stored_once(server):
    """Two sends of one form at the same moment, to different workers: one receipt, one event."""
    from consult.mail.models import OutboxMessage
    from consult.responses.models import ResponseEvent

    email = server.emails[SUBMITTERS]  # an account the other test leaves alone
    statuses: list[int] = []
    browser = Browser(server.base, statuses)
    assert browser.post("/account/login", {"email": email, "password": PASSWORD}) == 200
    respond = f"/consultations/{server.slug}/respond"
    citizen = re.search(r'<option value="(\d+)">Borger', browser.get(f"{respond}/about-you"))
    browser.post(f"{respond}/about-you", {"respondent_type": citizen.group(1)})
    # Two first saves of the same goal at once: one input.
    barrier = threading.Barrier(2)
    html = browser.get(f"{respond}/items/{GOALS[0]}")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    statuses.clear()

    def send(path, data):
        barrier.wait(timeout=30)
        browser.open(path, urllib.parse.urlencode({**data, "csrf_token": token}).encode())

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
    with server.app.app_context():
        response = db.session.scalars(
            select(Response).join(Response.respondent).where(Respondent.email == email)
        ).one()
        inputs = db.session.scalar(
            select(func.count()).select_from(Input).where(Input.response_id == response.id)
        )
        events = db.session.scalars(
            select(ResponseEvent.action).where(ResponseEvent.response_id == response.id)
        ).all()
        receipts = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.subject.contains(response.receipt_number))
        )
        state = response.state
        db.session.remove()
        db.engine.dispose()
    assert state is ResponseState.SUBMITTED
    assert inputs == 1 and events == ["submitted"] and receipts == 1
