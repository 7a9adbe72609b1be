"""Helpers shared by the tests: scratch databases, sample files, LibreOffice and the browser.

Fixtures live in the conftest files and data in tests/factories.py; everything else that more
than one test module uses is here, so no test module imports another.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import select
from sqlalchemy.engine import make_url

from consult.drafts.models import Version
from consult.drafts.services import current_version
from consult.drafts.services import load_tree
from consult.exports.views import REPORT_FILES
from consult.extensions import db
from consult.moderation.models import Contribution
from consult.responses.models import Respondent
from consult.responses.models import Response
from consult.responses.models import Stance

ROOT = Path(__file__).parents[1]

#: The database the suite runs on: SQLite in memory, or PostgreSQL in CI's second run.
DATABASE_URL = os.environ.get("CONSULT_TEST_DATABASE_URL") or "sqlite://"


# --- scratch databases, for tests that need one of their own (migrations, live servers) --------


def describe(url: str) -> str:
    parsed = make_url(url)
    return f"{parsed.get_backend_name()} {parsed.database or '(memory)'}"


def is_postgres(url: str = DATABASE_URL) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def create_database(base_url: str, label: str) -> str:
    """Create an empty database next to ``base_url``; return its URL."""
    if not is_postgres(base_url):
        fd, path = tempfile.mkstemp(prefix=f"consult-{label}-", suffix=".db")
        os.close(fd)
        return f"sqlite:///{path}"
    name = f"consult_{label}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_database(base_url: str, url: str) -> None:
    """Drop a database made by ``create_database``."""
    if not is_postgres(base_url):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            if path and os.path.exists(path + suffix):
                os.unlink(path + suffix)
        return
    name = make_url(url).database
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# --- real worker processes (flask consult worker, send-mail) ------------------------------------


class Scratch:
    """A database and a job queue of their own for real processes (``flask consult …``), and
    an app in this process to look at them with.

    The queue is Huey's SQLite file on the SQLite run (the ``make run`` shape) and Redis on the
    PostgreSQL run (the production shape). Workers beat every 0.2 s and count as lost after 2 s.
    """

    #: Generous: two cores shared with other work; a test that waits this long has failed.
    DEADLINE = 90
    STALE_SECONDS = 2

    def __init__(self, tmp_path: Path, imports: list[str] = ()):
        from consult import create_app
        from consult.config import TestConfig
        from consult.extensions import db

        self.url = create_database(DATABASE_URL, "jobs")
        if is_postgres():
            self.queue_url = "redis://127.0.0.1:6379/0"
        else:
            self.queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
        self.queue_name = f"consult_test_{uuid.uuid4().hex[:8]}"
        settings = {
            "SQLALCHEMY_DATABASE_URI": self.url,
            "JOBS_URL": self.queue_url,
            "JOBS_NAME": self.queue_name,
        }
        self.app = create_app(type("Scratch", (TestConfig,), settings))
        with self.app.app_context():
            db.create_all()
        self.logs = tmp_path
        self.env = {
            **os.environ,
            "FLASK_APP": "consult",
            "CONSULT_SQLALCHEMY_DATABASE_URI": self.url,
            "CONSULT_SECRET_KEY": TestConfig.SECRET_KEY,
            "CONSULT_JOBS_URL": self.queue_url,
            "CONSULT_JOBS_NAME": self.queue_name,
            "CONSULT_JOBS_IMPORTS": json.dumps(list(imports)),
            "CONSULT_JOBS_HEARTBEAT_SECONDS": "0.2",
            "CONSULT_JOBS_STALE_SECONDS": str(self.STALE_SECONDS),
            "CONSULT_JOBS_POLL_SECONDS": "0.2",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str, name: str = "worker") -> subprocess.Popen:
        """Start ``flask consult *args``; its output goes to a log file (``output()``)."""
        log = (self.logs / f"{name}-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "flask", "consult", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def output(self, process: subprocess.Popen) -> str:
        index = self.processes.index(process)
        return next(self.logs.glob(f"*-{index}.log")).read_text()

    def job(self, job_id: int):
        """Return the Job row as the database has it now."""
        from consult.extensions import db
        from consult.jobs.models import Job

        with self.app.app_context():
            job = db.session.get(Job, job_id)
            db.session.expunge(job)
            return job

    def wait_for(self, what: str, condition: Callable[[], bool]) -> None:
        """Wait until ``condition()``; fail when a process dies or after DEADLINE seconds."""
        deadline = time.monotonic() + self.DEADLINE
        while not condition():
            for process in self.processes:
                if process.poll() not in (None, -signal.SIGKILL):
                    pytest.fail(
                        f"a process ended while waiting for {what}:\n{self.output(process)}"
                    )
            if time.monotonic() > deadline:
                pytest.fail(f"waited {self.DEADLINE} s for {what}")
            time.sleep(0.1)

    def close(self) -> None:
        from consult.extensions import db
        from consult.jobs.queue import job_queue

        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait()
        with self.app.app_context():
            job_queue.current.huey.flush()
            if self.queue_url.startswith("redis"):
                storage = job_queue.current.huey.storage
                keys = storage.conn.keys(f"huey.*{self.queue_name}*")
                if keys:
                    storage.conn.delete(*keys)
                storage.pool.disconnect()
            else:
                job_queue.current.huey.storage.close()
            db.engine.dispose()
        drop_database(DATABASE_URL, self.url)


# --- an S3-compatible server (the storage tests, the several-machines test) -------------------


class S3Server:
    """moto's standalone S3 server (``moto_server``, PyPI's ``moto[server]``) in a process of
    its own on a free port: real HTTP, real S3 requests. ``S3Server.start()`` skips the test,
    saying why, when it is not installed."""

    KEYS = {
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test-secret",
        "S3_REGION": "eu-north-1",
    }

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url

    @classmethod
    def start(cls) -> S3Server:
        import socket

        program = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
        if not Path(program).exists():
            pytest.skip("no S3-compatible server: install the test extras (moto[server])")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [program, "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        server = cls(process, f"http://127.0.0.1:{port}")
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return server
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)
        server.stop()
        pytest.fail("moto_server did not start listening")

    def settings(self) -> dict[str, str]:
        """The S3_* settings that reach this server."""
        return {**self.KEYS, "S3_ENDPOINT_URL": self.url}

    def backend(self, bucket: str, prefix: str = "consult"):
        """An S3 backend made the way the app makes it, on a new bucket."""
        from consult.storage.s3 import S3Backend

        fake = type("App", (), {"config": self.settings()})()
        backend = S3Backend.from_app(fake, f"s3://{bucket}/{prefix}")
        backend.client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": self.KEYS["S3_REGION"]}
        )
        return backend

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


# --- sample input -----------------------------------------------------------------------------

#: The smallest file our letter check accepts as a PDF.
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

#: Input that a spreadsheet would run as a formula, or that breaks CSV, per goal key.
DANGEROUS = {
    "fa-1-goal-1": '=HYPERLINK("http://example.com/x","Klik")',
    "fa-1-goal-2": "+45 22 33 44 55 er mit nummer",
    # PostgreSQL refuses NUL (the forms strip it); these control characters it stores.
    "fa-2-goal-1": "-1 til hele planen\x07\x0b\x1b og @SUM(A1)",
    "fa-2-goal-2": "\tTabulator først",
}


def type_id(code: str) -> int:
    """Return the id of the respondent type with ``code`` (reference data must be loaded)."""
    from sqlalchemy import select

    from consult.extensions import db
    from consult.reference.models import RespondentType

    return db.session.scalar(select(RespondentType.id).where(RespondentType.code == code))


# --- LibreOffice: open a file the way a person's machine would --------------------------------

LIBREOFFICE = "/usr/bin/libreoffice"


def libreoffice_convert(source: Path, to: str, outdir: Path) -> subprocess.CompletedProcess:
    """Convert ``source`` with the filter ``to`` into ``outdir``, with a profile of its own.

    Skips the test where LibreOffice is missing (``make test`` says how to install it); fails
    when the conversion does.
    """
    if shutil.which(LIBREOFFICE) is None:
        pytest.skip(
            f"LibreOffice is not installed at {LIBREOFFICE}: "
            "sudo apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui"
        )
    profile = (outdir.parent / f"lo-profile-{outdir.name}").as_uri()
    result = subprocess.run(
        [
            LIBREOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


# --- the browser ----------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "da-DK"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "da-DK",
}


@cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `make test` (it runs npm install)")
    return AXE.read_text(encoding="utf-8")


def check_axe(page) -> None:
    """Assert zero WCAG 2.1 A/AA violations on the current page."""
    # evaluate() runs outside the page's CSP, which rightly refuses an inline <script>
    # (add_script_tag); test_csp_refuses_inline_script shows the difference.
    page.evaluate(_axe_source())
    violations = page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })).violations"""
    )
    if violations:
        lines = [
            f"- {v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): {v['help']}\n  "
            + json.dumps([n["target"] for n in v["nodes"][:4]], ensure_ascii=False)
            for v in violations
        ]
        pytest.fail(f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(lines))


def sign_in_as(page, live_server, role: str) -> None:
    """Sign in through the Danish login form as the demo account of ``role``."""
    email, password = live_server.logins[role]
    page.goto("/account/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


def link_in_last_mail_to(live_server, address: str, marker: str = "/respond/link/") -> str:
    """Return the link containing ``marker`` in the newest mail queued for ``address``."""
    from sqlalchemy import select

    from consult.extensions import db
    from consult.mail.models import OutboxMessage

    with live_server.app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id.desc())
        ).first()
        db.session.remove()
    return next(word for word in body.split() if marker in word)


# --- reading every output back as text ---------------------------------------------------
# Files are opened the way their formats are meant to be read: XLSX as the zip of XML it is
# (shared strings and the sheets' inline strings), DOCX with python-docx (paragraphs, tables,
# headers and footers), PDF with pypdf. The raw XML goes along too, so nothing hides in a part
# the reader does not look at.

XLSX_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

#: Public GET endpoints whose address holds a secret (a token, a join code): they show a
#: person their own things, never published input, so the walk cannot and need not visit them.
NEEDS_A_SECRET = {
    "accounts.confirm_email",
    "accounts.reset_password",
    "responses.open_link",
    "participate.speak",
    "participate.now_on",
    "participate.review_record",
}


@dataclass
class Output:
    endpoint: str
    url: str
    status: int
    #: Everything it says, case folded: markers are searched for whatever their case.
    text: str

    @property
    def squeezed(self) -> str:
        """The text without any white space: "22 33 44 55" and a PDF's wrapped lines alike."""
        return "".join(self.text.split())


def says(output: Output, marker: str) -> bool:
    """Whether ``output`` holds ``marker`` (any case, any spacing)."""
    marker = marker.casefold()
    return marker in output.text or "".join(marker.split()) in output.squeezed


def xlsx_text(data: bytes) -> list[str]:
    """Every string in a workbook: its shared strings and the sheets' inline strings."""
    strings = []
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet"):
                root = ElementTree.fromstring(book.read(name))  # noqa: S314 - our own file
                strings += [t.text or "" for t in root.iter(f"{XLSX_MAIN}t")]
    return strings


def docx_text(data: bytes) -> list[str]:
    """Every paragraph of a Word document: body, tables, headers and footers."""
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        texts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    texts += [document.core_properties.title or "", document.core_properties.subject or ""]
    return texts


def pdf_text(data: bytes) -> list[str]:
    """Every page's text of a PDF, and its metadata."""
    reader = PdfReader(io.BytesIO(data))
    return [page.extract_text() for page in reader.pages] + [
        str(v) for v in (reader.metadata or {}).values()
    ]


def file_text(data: bytes, kind: str) -> str:
    """All the text a file holds, read as its format is read; ``kind`` is its extension."""
    parts = []
    if kind == "pdf" or data.startswith(b"%PDF"):
        parts.append(data.decode("latin-1"))  # an uncompressed PDF (a letter) reads as it is
        try:
            parts += pdf_text(data)
        except PdfReadError:
            pass  # not every %PDF file is a whole PDF: the tests' letters are a few lines
    elif data.startswith(b"PK"):
        if kind == "xlsx":
            parts += xlsx_text(data)
        elif kind == "docx":
            parts += docx_text(data)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            xml = [package.read(n).decode("utf-8") for n in package.namelist() if ".xml" in n]
        parts += xml + [re.sub(r"<[^>]+>", "", part) for part in xml]
    else:
        parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def readable(response) -> str:
    """Return all the text an HTTP response carries: its headers and its body, in any format."""
    kind = {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    }.get(response.mimetype, "")
    return str(response.headers) + "\n" + file_text(response.get_data(), kind)


def fetch(client, url: str, endpoint: str = "", lang: str | None = None) -> Output:
    """GET ``url`` (in ``lang``, when given) and read all of the answer."""
    if lang:
        url = f"{url}{'&' if '?' in url else '?'}lang={lang}"
    response = client.get(url)
    try:
        return Output(endpoint, url, response.status_code, readable(response).casefold())
    finally:
        response.close()


def public_get_rules(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if "GET" in rule.methods and hasattr(view, "access") and view.access is None:
            yield rule


def public_urls(app, consultation, *, variants: bool = True) -> list[tuple[str, str]]:
    """Every public GET address of the consultation, found in the URL map, with each filter."""
    c = consultation
    tree = load_tree(current_version(c))
    types = db.session.scalars(
        select(Respondent.respondent_type_id)
        .join(Response, Response.respondent_id == Respondent.id)
        .where(Response.consultation_id == c.id)
        .distinct()
    ).all()
    values = {
        "slug": [c.slug],
        "key": list(tree.by_key),
        # Every response and contribution, public or not: an address is easy to guess.
        "response_id": db.session.scalars(
            select(Response.id).where(Response.consultation_id == c.id)
        ).all(),
        "contribution_id": db.session.scalars(
            select(Contribution.id).where(Contribution.consultation_id == c.id)
        ).all(),
        "kind": sorted({kind for kind, _fmt in REPORT_FILES}),
        "fmt": sorted({fmt for _kind, fmt in REPORT_FILES}),
        "path": ["consultations/nope"],
        # Every version, working copies too (a number is easy to guess).
        "number": db.session.scalars(
            select(Version.number).where(Version.consultation_id == c.id)
        ).all(),
    }
    commentable = {node.key for node in tree.commentable()}
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in public_get_rules(app):
        if rule.endpoint in NEEDS_A_SECRET:
            continue
        names = sorted(rule.arguments)
        missing = set(names) - set(values)
        assert not missing, f"{rule.endpoint} takes {missing}: tell this test what to try"
        for combo in product(*(values[name] for name in names)):
            args = dict(zip(names, combo, strict=True))
            url = adapter.build(rule.endpoint, args, method="GET")
            urls.append((rule.endpoint, url))
            if not variants:
                continue
            if rule.endpoint == "published.list_inputs" and args["key"] in commentable:
                urls += [(rule.endpoint, f"{url}?stance={s.value}") for s in Stance]
                urls += [(rule.endpoint, f"{url}?type={t}") for t in types]
                urls += [(rule.endpoint, f"{url}?page=2")]
            elif url.endswith(".csv"):
                urls.append((rule.endpoint, f"{url}?delimiter=comma"))
    return urls


def api_pages(client, slug: str, lang: str = "da", headers=None) -> list[Output]:
    """The API's input, two to a page, following the pages to the end."""
    outputs, page, pages = [], 1, 1
    while page <= pages:
        url = f"/api/v1/consultations/{slug}/inputs?per_page=2&page={page}&lang={lang}"
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, (url, response.status_code)
        pages = response.get_json()["pages"]
        text = readable(response).casefold()
        outputs.append(Output("api.list_inputs", url, response.status_code, text))
        page += 1
    return outputs


def read_public(app, consultation) -> list[Output]:
    """Fetch every public output as an anonymous visitor, in Danish and in English.

    The public report is built first, as a worker would (pages never build it).
    """
    from consult.exports.report_jobs import build_reports

    build_reports(consultation)
    outputs = []
    for lang in ("da", "en"):
        client = app.test_client()  # a fresh visitor: ?lang= sticks to the session
        # The filters work the same in either language: once is enough.
        urls = public_urls(app, consultation, variants=lang == "da")
        outputs += [fetch(client, url, endpoint, lang) for endpoint, url in urls]
        outputs += api_pages(client, consultation.slug, lang)
    return outputs


def found(outputs: list[Output], url_part: str) -> list[Output]:
    matching = [o for o in outputs if url_part in o.url]
    assert matching, f"nothing fetched at {url_part}"
    return matching


def assert_holds(outputs: list[Output], url_part: str, *markers: str) -> None:
    for output in found(outputs, url_part):
        assert output.status == 200, (output.url, output.status)
        missing = [m for m in markers if not says(output, m)]
        assert not missing, f"{output.url} lacks {missing}"
