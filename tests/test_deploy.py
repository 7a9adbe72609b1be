"""The deployment files in deploy/: gunicorn's settings and access log, nginx's upload limit."""

from __future__ import annotations

import multiprocessing
import os
import re
import runpy
import secrets
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config as GunicornConfig

from consult.config import Config
from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"


def gunicorn_settings() -> dict:
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_sizes_itself_by_the_cpus_and_recycles_workers(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = gunicorn_settings()
    assert settings["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert settings["graceful_timeout"] < settings["timeout"]
    assert settings["max_requests"] > 0 and settings["max_requests_jitter"] > 0
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"


def test_gunicorn_accepts_the_file(tmp_path):
    env = {
        **os.environ,
        "CONSULT_SECRET_KEY": secrets.token_urlsafe(48),
        "CONSULT_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'check.db'}",
    }
    command = [sys.executable, "-m", "gunicorn", "--check-config"]
    command += ["-c", "deploy/gunicorn.conf.py", "consult:create_app()"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_access_log_shows_no_token_and_no_query_string():
    settings = gunicorn_settings()
    logger = settings["AccessLogWithoutTokens"](GunicornConfig())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/account/reset-password/s3cr3t-t0ken?lang=en",
        "PATH_INFO": "/account/reset-password/s3cr3t-t0ken",
        "QUERY_STRING": "lang=en",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://consult.example.dk/consultations/x/respond/link/abc.def?q=1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    atoms = logger.atoms(response, [], environ, timedelta(seconds=0))
    line = settings["access_log_format"] % atoms
    assert "s3cr3t" not in line and "lang=en" not in line
    assert '"GET /account/reset-password/[token] HTTP/1.1"' in line
    assert "abc.def" not in atoms["f"] and "q=1" not in atoms["f"]
    assert atoms["r"] == "GET /account/reset-password/[token] HTTP/1.1"
    redact = settings["redact"]
    assert redact("/sessions/record/tok") == "/sessions/record/[token]"
    assert redact("/account/confirm/tok/") == "/account/confirm/[token]/"
    assert redact("/consultations/x/respond/") == "/consultations/x/respond/"


def test_nginx_takes_uploads_as_large_as_the_app_does():
    conf = (DEPLOY / "nginx" / "consult.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", conf)
    assert size and int(size.group(1)) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH
    # The same token paths are masked in nginx's log as in gunicorn's.
    paths = gunicorn_settings()["TOKEN_PATHS"].pattern
    for path in ("respond/link", "account/confirm", "account/reset-password", "sessions/record"):
        assert path in conf and path in paths


def test_the_units_run_the_web_with_these_settings_and_the_worker():
    web = (DEPLOY / "systemd" / "consult-web.service").read_text()
    worker = (DEPLOY / "systemd" / "consult-worker.service").read_text()
    assert "gunicorn -c deploy/gunicorn.conf.py" in web
    assert "flask --app consult consult worker" in worker
    # Both stop later than the app's own graceful periods, so systemd never cuts them short.
    assert "TimeoutStopSec=40" in web and "TimeoutStopSec=45" in worker
    assert Config.JOBS_SHUTDOWN_SECONDS < 45
