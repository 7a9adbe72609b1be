"""Letters go through the stored files, on every backend: upload, download, replace, remove."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from consult import storage
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses.models import Letter
from tests.factories import about_me
from tests.factories import csrf_token
from tests.factories import make_consultation
from tests.factories import make_user
from tests.factories import sign_in
from tests.helpers import PDF


def _upload(client, slug: str, content: bytes):
    url = f"/consultations/{slug}/respond/letter"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "letter": (io.BytesIO(content), "brev.pdf")},
        content_type="multipart/form-data",
    )


def _get(client, url: str):
    """GET and read it all, closing the streamed answer before the next request."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _letters(app) -> list[str]:
    with app.app_context():
        return storage.keys("letters/")


def test_a_letter_is_stored_sent_replaced_and_removed(app, client, store):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1, closes_in=timedelta(days=3))
    sign_in(client, make_user(email="forening@example.dk"))
    assert about_me(client, c, code="patient-association", organisation="Hjerteforeningen")

    assert _upload(client, c.slug, PDF).status_code == 302
    letter = db.session.scalar(select(Letter))
    assert _letters(app) == [f"letters/{letter.storage_name}"]
    download = _get(client, f"/consultations/{c.slug}/respond/letter/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "private, no-store"

    second = PDF.replace(b"%%EOF", b"% two\n%%EOF")
    assert _upload(client, c.slug, second).status_code == 302
    db.session.expire_all()
    letter = db.session.scalar(select(Letter))
    # The replaced file is gone; only the new one is stored.
    assert _letters(app) == [f"letters/{letter.storage_name}"]
    assert _get(client, f"/consultations/{c.slug}/respond/letter/file").data == second

    # A refused file leaves nothing behind.
    assert _upload(client, c.slug, b"not a pdf at all").status_code == 200
    assert _letters(app) == [f"letters/{letter.storage_name}"]

    url = f"/consultations/{c.slug}/respond/letter/remove"
    client.post(url, data={"csrf_token": csrf_token(client, f"/consultations/{c.slug}/respond/")})
    assert db.session.scalar(select(Letter)) is None
    assert _letters(app) == []


def test_a_row_whose_file_is_gone_is_a_404(app, client, store):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1, closes_in=timedelta(days=3))
    sign_in(client, make_user(email="forening@example.dk"))
    assert about_me(client, c, code="patient-association", organisation="Hjerteforeningen")
    assert _upload(client, c.slug, PDF).status_code == 302
    letter = db.session.scalar(select(Letter))
    with app.app_context():
        storage.delete(f"letters/{letter.storage_name}")
        db.session.commit()
    assert _get(client, f"/consultations/{c.slug}/respond/letter/file").status_code == 404
