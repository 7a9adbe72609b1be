"""Several machines: two app servers that share only PostgreSQL, Redis and the stored files.

Two gunicorn processes on two ports, each with an instance folder of its own (so nothing can
pass through local disk), one ``flask consult worker``, PostgreSQL for the data, the login
sessions and the stored files (``FILE_STORAGE=database``; and S3 when an S3-compatible server
is installed), Redis for the job queue and the rate limits. Shown, as a reader and the staff
would meet it: a letter uploaded through A downloads through B; the report the worker built
is served by both; a staff sign-in on A counts on B; a rate limit counts requests to both.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from consult import create_app
from consult.accounts.models import Role
from consult.config import Config
from consult.drafts.models import Consultation
from consult.drafts.models import Status
from consult.extensions import db
from consult.moderation import services as moderation
from consult.moderation.models import Contribution
from consult.reference.models import Municipality
from consult.reference.models import RespondentType
from tests import helpers
from tests.factories import PASSWORD
from tests.factories import make_consultation
from tests.factories import make_response
from tests.factories import make_user

pytestmark = [pytest.mark.no_db, pytest.mark.only_on("postgresql")]

REDIS = "redis://127.0.0.1:6379/0"
#: The app as each machine runs it, with the instance folder its environment names.
MACHINE_APP = """
import os
from consult import create_app
app = create_app()
app.instance_path = os.environ["MACHINE_INSTANCE"]
"""
DEADLINE = 120


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """A cookie-keeping HTTP client (one cookie jar for both servers, like one browser), with
    a client address of its own (X-Forwarded-For, one trusted proxy) for the rate limits."""

    def __init__(self, address: str):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.address = address

    def open(self, url: str, body: bytes | None = None, headers=None) -> tuple[int, bytes, dict]:
        request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        request.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read(), dict(error.headers)

    def get(self, url: str) -> str:
        status, body, _ = self.open(url)
        assert status == 200, (url, status)
        return body.decode()

    def token(self, url: str) -> str:
        html = self.get(url)
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)

    def post(self, url: str, data: dict, form_url: str | None = None) -> int:
        body = {**data, "csrf_token": self.token(form_url or url)}
        return self.open(url, urllib.parse.urlencode(body).encode())[0]

    def upload(self, url: str, field: str, filename: str, content: bytes) -> int:
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{self.token(url)}\r\n".encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.open(url, b"".join(parts), headers)[0]


class Machines:
    def __init__(self, tmp_path: Path, storage_kind: str, s3=None):
        self.tmp = tmp_path
        self.url = helpers.create_database(helpers.DATABASE_URL, "machines")
        self.name = f"consult_machines_{uuid.uuid4().hex[:8]}"
        self.settings = {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "SECRET_KEY": secrets.token_urlsafe(48),
            "JOBS_URL": REDIS,
            "JOBS_NAME": self.name,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/1",
            "RATELIMIT_KEY_PREFIX": self.name,
            "LOGIN_RATE_LIMIT": "3 per minute",
            "PROXY_COUNT": 1,
            # The second factor has tests of its own; here a password signs staff in.
            "STAFF_TOTP_REQUIRED": False,
        }
        if storage_kind == "s3":
            bucket = f"machines-{uuid.uuid4().hex[:8]}"
            s3.backend(bucket)  # makes the bucket
            self.settings.update(s3.settings(), FILE_STORAGE=f"s3://{bucket}/consult")
        else:
            self.settings["FILE_STORAGE"] = "database"
        (tmp_path / "machine_app.py").write_text(MACHINE_APP)
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        self.app = create_app(type("Here", (Config,), {**self.settings, "TESTING": True}))
        with self.app.app_context():
            from flask_migrate import upgrade

            upgrade()

    def env(self, name: str) -> dict[str, str]:
        instance = self.tmp / f"instance-{name}"
        instance.mkdir()
        plain = {k: v if isinstance(v, str) else json.dumps(v) for k, v in self.settings.items()}
        return {
            **os.environ,
            **{f"CONSULT_{k}": v for k, v in plain.items()},
            "CONSULT_JOBS_HEARTBEAT_SECONDS": "0.5",
            "CONSULT_JOBS_POLL_SECONDS": "0.2",
            "MACHINE_INSTANCE": str(instance),
            "PYTHONPATH": f"{self.tmp}{os.pathsep}{helpers.ROOT}",
            "FLASK_APP": "machine_app:app",
        }

    def start(self, name: str, command: list[str]) -> None:
        log = self.tmp / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                command, cwd=helpers.ROOT, env=self.env(name), stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append((process, log))

    def server(self, name: str) -> str:
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "60"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "machine_app:app"]
        self.start(name, command)
        base = f"http://127.0.0.1:{port}"
        self.wait_for(f"server {name}", lambda: _answers(base))
        return base

    def worker(self) -> None:
        self.start("worker", [sys.executable, "-m", "flask", "consult", "worker"])

    def wait_for(self, what: str, condition) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            for process, log in self.processes:
                if process.poll() is not None:
                    pytest.fail(f"{log.stem} ended while waiting for {what}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"waited {DEADLINE} s for {what}")
            time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(log.read_text() for _process, log in self.processes)

    def close(self) -> None:
        for process, _log in self.processes:
            process.terminate()
        for process, _log in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        for url in (REDIS, "redis://127.0.0.1:6379/1"):
            conn = redis.Redis.from_url(url)
            keys = conn.keys(f"*{self.name}*")
            if keys:
                conn.delete(*keys)
            conn.close()
        helpers.drop_database(helpers.DATABASE_URL, self.url)


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - our server
            return True
    except OSError:
        return False


@pytest.fixture(params=["database", "s3"])
def machines(request, tmp_path):
    s3 = helpers.S3Server.start() if request.param == "s3" else None
    machines = Machines(tmp_path, request.param, s3)
    try:
        yield machines
    finally:
        machines.close()
        if s3 is not None:
            s3.stop()
    logs = machines.logs()
    assert "Traceback" not in logs, logs


def test_two_app_servers_share_letters_reports_sign_ins_and_rate_limits(machines):
    app = machines.app
    with app.app_context():
        from consult.reference.seed import load_reference_data

        load_reference_data()
        c = make_consultation(focus_areas=1, goals_per_area=1, closes_in=timedelta(days=3))
        make_response(c, {"fa-1-goal-1": "Et input fra en borger."}, name="Anna")
        moderation.publish(db.session.scalar(select(Contribution)), make_user(Role.MODERATOR))
        staff = make_user(Role.SECRETARIAT, email="sekretariat@example.dk")
        organisation = make_user(email="forening@example.dk")
        slug, staff_email, organisation_email = c.slug, staff.email, organisation.email
        type_id = db.session.scalar(
            select(RespondentType.id).where(RespondentType.code == "patient-association")
        )
        municipality = db.session.scalar(
            select(Municipality.id).where(Municipality.code == "hvidovre")
        )
        db.session.commit()
        db.session.remove()
    a, b = machines.server("a"), machines.server("b")

    # Rate limits count on both: three failed sign-ins allowed a minute, two on A and one on B,
    # so the fourth is refused on B although B has seen one.
    stranger = Client("10.0.0.9")
    wrong = {"email": "nobody@example.dk", "password": "not-the-password"}
    for base in (a, a, b):
        assert stranger.post(f"{base}/account/login", wrong) == 200
    assert stranger.post(f"{b}/account/login", wrong) == 429

    # A staff sign-in on A is a sign-in on B: the login session is in the database.
    secretariat = Client("10.0.0.1")
    exports = f"/staff/consultations/{slug}/exports/"
    assert 'name="password"' in Client("10.0.0.2").get(b + exports)  # not without signing in
    assert (
        secretariat.post(f"{a}/account/login", {"email": staff_email, "password": PASSWORD}) == 200
    )
    page = secretariat.get(b + exports)
    assert "<h1>Eksport" in page and 'name="password"' not in page

    # A letter uploaded through A downloads through B.
    org = Client("10.0.0.3")
    assert (
        org.post(f"{a}/account/login", {"email": organisation_email, "password": PASSWORD}) == 200
    )
    about = f"/consultations/{slug}/respond/about-you"
    assert org.post(a + about, {
        "respondent_type": str(type_id), "municipality": str(municipality), "cluster": "",
        "name": "", "organisation": "Hjerteforeningen",
    }) == 200  # fmt: skip
    letter = helpers.PDF.replace(b"%%EOF", f"% {uuid.uuid4().hex}\n%%EOF".encode())
    assert (
        org.upload(f"{a}/consultations/{slug}/respond/letter", "letter", "brev.pdf", letter) == 200
    )
    status, body, headers = org.open(f"{b}/consultations/{slug}/respond/letter/file")
    assert status == 200 and body == letter and headers["Content-Type"] == "application/pdf"

    # The report: published here, built by the worker, served by both.
    with app.app_context():
        consultation = db.session.scalar(select(Consultation).where(Consultation.slug == slug))
        consultation.status = Status.PUBLISHED  # queues the build (consult/exports/report_jobs)
        db.session.commit()
        db.session.remove()
    reader = Client("10.0.0.4")
    report = f"/consultations/{slug}/report/"
    assert "Rapporten er ved at blive lavet" in reader.get(a + report)
    assert reader.open(f"{b}{report}report.pdf")[0] == 503
    machines.worker()
    english = Client("10.0.0.5")  # ?lang= sticks to the session: a reader of its own

    def built() -> bool:  # Danish first, then English: wait for the last file of the job
        return english.open(f"{a}{report}report.docx?lang=en")[0] == 200

    machines.wait_for("the report", built)
    pdfs = [reader.open(f"{base}{report}report.pdf") for base in (a, b)]
    assert all(status == 200 and body.startswith(b"%PDF") for status, body, _ in pdfs)
    assert pdfs[0][1] == pdfs[1][1]
    for base in (a, b):
        page = reader.get(base + report)
        assert "Læs alle 1 offentliggjorte input" in page and "ved at blive" not in page
        status, body, _ = english.open(f"{base}{report}report.docx?lang=en")
        assert status == 200 and body.startswith(b"PK")
    # Nothing went through either machine's own disk.
    assert [p for p in machines.tmp.glob("instance-*/**/*") if p.is_file()] == []
