"""An organisation attaches a signed PDF letter; it is checked by content and kept private."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
import time_machine
from sqlalchemy import select

from consult import storage
from consult.db import utcnow
from consult.extensions import db
from consult.responses.models import Letter
from consult.responses.models import Response
from consult.responses.models import ResponseEvent
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_user
from tests.factories import post_form as post
from tests.factories import sign_in
from tests.helpers import PDF

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def organisation(citizen):
    client, c = citizen
    assert about_me(client, c, code="patient-association", organisation="Hjerteforeningen")
    return client, c


def stored_files(app) -> set[str]:
    with app.app_context():
        return {key.removeprefix("letters/") for key in storage.keys("letters/")}


def upload(client, c, content: bytes, name: str = "brev.pdf"):
    url = f"/consultations/{c.slug}/respond/letter"
    token = csrf_token(client, url)
    return client.post(
        url,
        data={"csrf_token": token, "letter": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_an_organisation_attaches_downloads_replaces_and_removes_its_letter(app, organisation):
    client, c = organisation
    before = stored_files(app)
    response = upload(client, c, PDF, "../../etc/Høringssvar fra os.pdf")
    assert response.status_code == 302
    letter = db.session.scalar(select(Letter))
    assert letter.filename == "Høringssvar fra os.pdf" and letter.size_bytes == len(PDF)
    # Stored under a random name outside the web root, not under the name sent.
    (added,) = stored_files(app) - before
    assert added == letter.storage_name and "Høringssvar" not in added
    assert not Path(app.static_folder, added).exists()
    download = client.get(f"/consultations/{c.slug}/respond/letter/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    summary = client.get(f"/consultations/{c.slug}/respond/").get_data(as_text=True)
    assert "Høringssvar fra os.pdf" in summary
    # Replacing keeps one letter and deletes the old file once committed.
    assert upload(client, c, PDF.replace(b"Catalog", b"Catalog "), "nyt.pdf").status_code == 302
    db.session.expire_all()
    assert [x.filename for x in db.session.scalars(select(Letter))] == ["nyt.pdf"]
    assert added not in stored_files(app)
    post(
        client,
        f"/consultations/{c.slug}/respond/letter/remove",
        {},
        f"/consultations/{c.slug}/respond/letter",
    )
    assert db.session.scalar(select(Letter)) is None
    assert stored_files(app) == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "brev.pdf", "The file is not a PDF"),
        (b"%PDF-1.4 but cut off", "brev.pdf", "The file is not a PDF"),
        (b"", "brev.pdf", "The file is empty."),
        (b"<script>alert(1)</script>%%EOF", "brev.pdf", "The file is not a PDF"),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_beside_the_field(
    app, organisation, content, name, message
):
    client, c = organisation
    before = stored_files(app)
    client.get("/?lang=en")
    response = upload(client, c, content, name)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'id="letter-error"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(Letter)) is None
    assert stored_files(app) == before


def test_a_letter_over_the_size_limit_is_refused_and_leaves_no_file(app, organisation):
    client, c = organisation
    client.get("/?lang=en")
    before = stored_files(app)
    saved = app.config["LETTER_MAX_BYTES"]
    app.config["LETTER_MAX_BYTES"] = 1024
    try:
        response = upload(client, c, PDF + b"%" * 2048 + b"\n%%EOF\n")
    finally:
        app.config["LETTER_MAX_BYTES"] = saved
    assert response.status_code == 200
    assert "The file is larger than 1 kB" in response.get_data(as_text=True)
    assert stored_files(app) == before and db.session.scalar(select(Letter)) is None


def test_a_huge_upload_gets_the_form_back_with_a_message(app, organisation):
    client, c = organisation
    client.get("/?lang=en")
    url = f"/consultations/{c.slug}/respond/letter"
    token = csrf_token(client, url)
    # A hand-built multipart body: the test client would spool this to an unclosed temp file.
    boundary = "consult-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f"--{boundary}\r\nContent-Disposition: form-data; "
            'name="letter"; filename="brev.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 1)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is larger than 10 MB" in html and 'id="letter"' in html


def test_only_organisations_attach_letters(citizen):
    client, c = citizen
    about_me(client, c)
    url = f"/consultations/{c.slug}/respond/letter"
    assert client.get(url).status_code == 302
    token = csrf_token(client, f"/consultations/{c.slug}/respond/")
    response = client.post(
        url,
        data={"csrf_token": token, "letter": (io.BytesIO(PDF), "brev.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Letter)) is None


def test_nobody_else_can_download_the_letter(app, client, organisation):
    own_client, c = organisation
    upload(own_client, c, PDF)
    url = f"/consultations/{c.slug}/respond/letter/file"
    # Someone else signed in has their own response, without a letter.
    other = app.test_client()
    sign_in(other, make_user(email="anden@example.dk"))
    assert other.get(url).status_code == 404
    # A visitor who is nobody is asked who they are.
    stranger = app.test_client()
    assert stranger.get(url).status_code == 302


def test_the_letter_is_part_of_the_history_and_the_receipt(organisation, smtp_server, send_mail):
    client, c = organisation
    base = f"/consultations/{c.slug}/respond"
    post(client, f"{base}/items/fa-1-goal-1", {"stance": "support"})
    summary = client.get(base + "/").get_data(as_text=True)
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    post(client, f"{base}/submit", {"key": key}, base + "/")
    upload(client, c, PDF, "vores brev.pdf")
    response = db.session.scalar(select(Response))
    events = db.session.scalars(
        select(ResponseEvent).where(ResponseEvent.response_id == response.id)
    ).all()
    assert [e.action for e in events] == ["submitted", "edited"]
    assert "vores brev.pdf" in events[-1].snapshot
    summary = client.get(base + "/").get_data(as_text=True)
    key = summary.split('name="key" type="hidden" value="')[1].split('"')[0]
    post(client, f"{base}/submit", {"key": key}, base + "/")
    send_mail()
    body = smtp_server.last_to("borger@example.dk").get_payload(decode=True).decode()
    assert "vores brev.pdf" in body


def test_no_letter_after_the_deadline(organisation):
    client, c = organisation
    c.closes_at = utcnow() + timedelta(minutes=30)
    db.session.flush()
    url = f"/consultations/{c.slug}/respond/letter"
    client.get("/?lang=en")
    token = csrf_token(client, url)
    with time_machine.travel(c.closes_at + timedelta(seconds=1), tick=False):
        response = client.post(
            url,
            data={"csrf_token": token, "letter": (io.BytesIO(PDF), "brev.pdf")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 200 and "The deadline has passed" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Letter)) is None


#: Bidi embeddings, overrides, isolates and marks, and other characters that draw nothing.
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\ufeff\x07"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("faktura\u202efdp.exe", "fakturafdp.exe.pdf"),
        ("\u2067Høringssvar\u2069\u200e.pdf", "Høringssvar.pdf"),
        ("brev" + INVISIBLE + ".pdf", "brev.pdf"),
    ],
)
def test_a_letter_name_loses_its_invisible_characters(organisation, sent, shown):
    client, c = organisation
    assert upload(client, c, PDF, sent).status_code == 302
    assert db.session.scalar(select(Letter)).filename == shown
    download = client.get(f"/consultations/{c.slug}/respond/letter/file")
    disposition = unquote(download.headers["Content-Disposition"])
    download.close()
    assert shown in disposition
    assert not set(INVISIBLE) & set(disposition)


def test_a_name_stored_before_the_rule_is_cleaned_on_the_way_out(organisation):
    client, c = organisation
    upload(client, c, PDF)
    db.session.scalar(select(Letter)).filename = "faktura\u202efdp.exe"
    db.session.flush()
    download = client.get(f"/consultations/{c.slug}/respond/letter/file")
    disposition = unquote(download.headers["Content-Disposition"])
    download.close()
    assert "fakturafdp.exe.pdf" in disposition and "\u202e" not in disposition


def test_no_cache_keeps_a_letter(organisation):
    client, c = organisation
    upload(client, c, PDF)
    download = client.get(f"/consultations/{c.slug}/respond/letter/file")
    download.close()
    assert download.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in download.headers
