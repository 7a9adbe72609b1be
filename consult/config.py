"""Configuration: defaults here, secrets and deployment settings from ``CONSULT_*`` variables."""

from __future__ import annotations

from datetime import timedelta


class Config:
    #: development | production. Development may generate a secret key; production refuses to.
    ENV = "production"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # default: sqlite file under instance/
    #: hide_parameters: a failed statement's values (input text, addresses) never reach an
    #: exception message or a log.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}

    # Languages and time
    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    BABEL_TRANSLATION_DIRECTORIES = "../translations"
    LANGUAGES = ("da", "en")

    # Sessions. The CSRF token lives as long as the session, so hours of writing are not lost.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_NAME = "consult_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # True behind TLS: set CONSULT_SESSION_COOKIE_SECURE=true
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    #: The browser cookie's own life; the server-side login session below is what counts.
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    #: Staff sign-ins end after this long without a request, and after the absolute limit.
    STAFF_IDLE_MINUTES = 30
    STAFF_ABSOLUTE_HOURS = 12
    #: Respondents write long answers; their sign-ins last longer.
    RESPONDENT_IDLE_MINUTES = 60 * 24
    RESPONDENT_ABSOLUTE_HOURS = 24 * 14
    #: Set when the app runs behind TLS: adds HSTS and Secure cookies.
    BEHIND_TLS = False
    #: Number of proxies in front of the app whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = 0

    #: The largest request the app reads at all; a letter may be up to LETTER_MAX_BYTES of it.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    #: How large an organisation's letter (PDF) may be.
    LETTER_MAX_BYTES = 10 * 1024 * 1024
    #: Where stored files (letters, built reports, finished exports) live, for every app
    #: server to reach: ``local`` keeps them in FILE_DIR (default instance/files), ``database``
    #: in the app's database, ``s3://bucket/prefix`` in S3 (the S3_* settings below). See
    #: ``consult.storage``.
    FILE_STORAGE = "local"
    FILE_DIR: str | None = None
    #: For ``FILE_STORAGE=s3://…``: the server (empty for AWS itself), its keys and region.
    S3_ENDPOINT_URL: str | None = None
    S3_ACCESS_KEY_ID: str | None = None
    S3_SECRET_ACCESS_KEY: str | None = None
    S3_REGION: str | None = None

    # Rate limits (Flask-Limiter). Use redis://127.0.0.1:6379 with several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    MAIL_RATE_LIMIT = "5 per minute;20 per hour"
    #: Participants' phones joining a session and sending input, per address.
    JOIN_RATE_LIMIT = "30 per minute;300 per hour"
    #: Reports of published input, per address.
    REPORT_RATE_LIMIT = "5 per minute;20 per day"
    #: The read API (/api/v1), per address across all of it.
    API_RATE_LIMIT = "120 per minute"

    # Mail, delivered from the outbox by the worker (each minute, and just after it is queued)
    # and by ``flask consult send-mail``.
    #: smtp, or console: print each message on the worker's output (``make run`` uses it).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "consult <no-reply@consult.localhost>"
    MAIL_MAX_ATTEMPTS = 10
    #: A sender's claim on a message it has not sent after this long (it died) lapses.
    MAIL_CLAIM_SECONDS = 600
    #: Links in e-mails are built from this when there is no request (CLI).
    SERVER_NAME: str | None = None
    PREFERRED_URL_SCHEME = "http"

    # Background jobs (consult/jobs): Huey's queue, and how workers notice one that died.
    #: Where the queue lives: sqlite:///path (default: instance/jobs.db, no server needed),
    #: redis://host:6379/0 or postgresql://user@host/db in production, memory:// in tests.
    JOBS_URL: str | None = None
    #: The queue's name: several sites may share one Redis under different names.
    JOBS_NAME = "consult"
    #: A running job's worker writes its heartbeat this often (0: never, for in-process tests).
    JOBS_HEARTBEAT_SECONDS = 10
    #: A running job whose heartbeat is older than this is taken to be lost and run again.
    JOBS_STALE_SECONDS = 60
    #: A queued job nobody took up for this long is handed to the queue again.
    JOBS_REDISPATCH_SECONDS = 300
    #: The pause before a failed job's second attempt; it doubles for each one after.
    JOBS_RETRY_SECONDS = 30
    #: How often an idle worker looks at a SQLite queue (Redis and PostgreSQL wake it at once).
    JOBS_POLL_SECONDS = 1.0
    #: On SIGTERM a worker finishes its job for at most this long, then stops anyway.
    JOBS_SHUTDOWN_SECONDS = 30
    #: More modules with @job functions to load (besides consult.jobs.registry.JOB_MODULES).
    JOBS_IMPORTS: tuple[str, ...] = ()

    #: Argon2id parameters: a profile of ``argon2.profiles`` (RFC 9106's low-memory choice:
    #: 64 MiB and 3 passes, about 0.1 s per hash on one core).
    ARGON2_PROFILE = "RFC_9106_LOW_MEMORY"

    #: Signed e-mail links expire after these many seconds.
    CONFIRM_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600
    #: A respond link works once, within two days; a used or stale one offers a fresh one.
    RESPOND_LINK_MAX_AGE = 2 * 24 * 3600

    # --- Privacy, retention, logs, staff sign-in (issue 15) ----------------------------------
    #: How long data is kept; ``flask consult purge`` (and the daily privacy.purge job) removes
    #: the rest. Days unless the name says months.
    RETENTION_OUTBOX_DAYS = 30  # bodies of sent mail; the row (when, to whom) stays
    RETENTION_LOGIN_SESSION_DAYS = 30  # ended or expired sign-ins
    RETENTION_RESPONDENT_LINK_DAYS = 30  # used or stale respond links, ended devices
    RETENTION_JOB_DAYS = 90  # finished (done or failed) job rows
    RETENTION_AUDIT_PERSONAL_DAYS = 365  # an audit event's note and details; the action stays
    #: One-off respondents' e-mail addresses, this many months after the memo is published.
    RETENTION_RESPONDENT_EMAIL_MONTHS = 6
    #: Organisations' letters (the PDF and its row), months after the memo is published.
    RETENTION_LETTER_MONTHS = 24
    #: Draw the memo's and the report's charts in a short-lived child process, so a worker never
    #: keeps matplotlib's ~45 MiB (consult/exports/chart_pngs.py).
    CHARTS_IN_CHILD = True

    #: When the daily purge runs (Europe/Copenhagen is not used: the worker's clock, UTC).
    PURGE_HOUR = 3

    #: The legal pages (privacy notice, accessibility statement, cookies), in Danish and
    #: English: ``{"da": "...", "en": "..."}`` for texts, plain strings otherwise. Set them as
    #: JSON in CONSULT_LEGAL_* variables (Flask parses JSON in prefixed variables).
    LEGAL_CONTROLLER = {
        "da": "Region Hovedstaden, Kongens Vænge 2, 3400 Hillerød, CVR 29190623",
        "en": "Capital Region of Denmark, Kongens Vænge 2, 3400 Hillerød, CVR 29190623",
    }
    LEGAL_DPO_EMAIL = "databeskyttelsesraadgiver@regionh.dk"
    LEGAL_DPO_PHONE = "38 66 50 00"
    LEGAL_CONTACT_EMAIL = "sundhedsaftale@regionh.dk"
    LEGAL_CONTACT_PHONE = "38 66 50 00"
    #: Known accessibility problems, one per line (empty: none known).
    LEGAL_ACCESSIBILITY_PROBLEMS: dict = {
        "da": "Grafer har en tabel med de samme tal ved siden af, men tabellerne kan være svære "
        "at overskue med skærmlæser.\nPDF-rapporten er ikke fuldt tagget.",
        "en": "Charts have a table with the same figures beside them, but the tables can be "
        "hard to follow with a screen reader.\nThe PDF report is not fully tagged.",
    }
    #: The statement's date (ISO) and its address in Digitaliseringsstyrelsen's WAS-Tool.
    LEGAL_ACCESSIBILITY_DATE = "2026-12-05"
    LEGAL_ACCESSIBILITY_WAS_URL = ""
    #: Where the accessibility statement stands: "full", "partial" or "none".
    LEGAL_ACCESSIBILITY_CONFORMANCE = "partial"

    #: Structured JSON logs on stderr (false: the plain lines a developer reads).
    LOG_JSON = True
    LOG_LEVEL = "INFO"

    #: Staff sign-in through OpenID Connect (Microsoft Entra ID or another provider). Off while
    #: OIDC_ISSUER is empty. The groups claim's values map to roles; the first match wins,
    #: in the order admin, secretariat, moderator, facilitator, approver.
    OIDC_ISSUER = ""  # e.g. https://login.microsoftonline.com/<tenant>/v2.0
    OIDC_CLIENT_ID = ""
    OIDC_CLIENT_SECRET = ""
    OIDC_SCOPES = "openid email profile"
    OIDC_GROUPS_CLAIM = "groups"
    OIDC_GROUP_ROLES: dict = {}  # {"<group id>": "secretariat", ...}
    #: The button's label on the sign-in page.
    OIDC_LABEL = "Microsoft Entra ID"
    #: Staff who sign in with a password must add a TOTP code (set false only for tests).
    STAFF_TOTP_REQUIRED = True
    TOTP_ISSUER = "Consult"


class TestConfig(Config):
    TESTING = True
    ENV = "testing"
    SECRET_KEY = "test-secret-key-that-is-long-enough-for-the-check-0123456789"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_ENABLED = True
    SERVER_NAME = "consult.test"
    #: Jobs wait in memory until a test runs them (the run_jobs fixture), with no heartbeat
    #: thread: the test's one connection is the only one there is.
    JOBS_URL = "memory://"
    JOBS_HEARTBEAT_SECONDS = 0
    #: Cheap hashes: the production parameters are tested once (tests/accounts/test_sign_in.py).
    ARGON2_PROFILE = "CHEAPEST"
    #: No TOTP for staff in most tests; tests/accounts/test_totp.py turns it on.
    STAFF_TOTP_REQUIRED = False
    LOG_JSON = False
    #: Charts in this process: a child per memo would only cost time (one test draws both ways).
    CHARTS_IN_CHILD = False
