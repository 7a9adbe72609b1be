"""gunicorn for consult: ``gunicorn -c deploy/gunicorn.conf.py 'consult:create_app()'``.

Every value can be overridden with the usual GUNICORN_CMD_ARGS or the variables named below.
Slow work (exports, reports, duplicates, mail) runs in ``flask consult worker``, not here.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

# Behind nginx on the same machine (deploy/nginx/consult.conf).
bind = os.environ.get("CONSULT_BIND", "127.0.0.1:8000")

# Workers from the CPU count, as gunicorn recommends (2 × cores + 1), each with a few threads
# so a slow client or a streamed CSV does not hold a whole process.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("CONSULT_WEB_THREADS", 4))

# A worker silent for this long is restarted. Two minutes covers the slowest page and a
# streamed export; anything longer belongs in a job.
timeout = 120
# On a restart or deploy (SIGHUP, SIGTERM) requests under way get this long to finish.
graceful_timeout = 30
# nginx keeps connections to us open between requests.
keepalive = 5
# Restart each worker after about this many requests (jittered, so not all at once): it
# bounds the memory a long-lived process may gather.
max_requests = 1000
max_requests_jitter = 100

# Trust X-Forwarded-* only from nginx (set CONSULT_PROXY_COUNT=1 for the app's own ProxyFix).
forwarded_allow_ips = os.environ.get("CONSULT_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to journald through stdout/stderr under systemd.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The path without its query string (no ?lang… or search terms), no referrer: see below.
access_log_format = '%(h)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'

#: Paths that carry a secret: e-mailed links to a response, an account, a session's record,
#: a session's join code. The app's own JSON log finds them in its URL map (consult/logging.py);
#: tests/test_logging.py checks this list against it.
TOKEN_PATHS = re.compile(
    r"(/respond/link|/account/confirm|/account/reset-password|/account/time/resume"
    r"|/sessions/record|/join)/[^/?#\s]+"
)


def redact(path: str) -> str:
    """Return the path without its query string and with any token in it replaced."""
    return TOKEN_PATHS.sub(r"\1/[token]", path.split("?", 1)[0])


class AccessLogWithoutTokens(Logger):
    """gunicorn's logger, but the access log never shows a token or a query string."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = redact(atoms["U"] or "")
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["q"] = ""
        atoms["f"] = redact(atoms["f"] or "-")
        return atoms


logger_class = AccessLogWithoutTokens
