"""``flask consult storage import-files``: letters from the old letters folder into storage."""

from __future__ import annotations

import io
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from consult import storage
from consult.cli import consult_cli
from consult.extensions import db
from consult.reference.seed import load_reference_data
from consult.responses import letters
from consult.responses.models import Letter
from tests.factories import make_consultation
from tests.factories import make_response
from tests.helpers import PDF


def test_old_letters_are_copied_in_once_and_strangers_left_alone(app, ctx, store, tmp_path):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1, closes_in=timedelta(days=3))
    response = make_response(
        c, {}, type_code="patient-association", organisation="Hjerteforeningen", submit=False
    )
    letters.attach_letter(response, io.BytesIO(PDF), "brev.pdf")
    db.session.commit()
    name = db.session.scalar(select(Letter.storage_name))
    # As before the stored files: the letter lies in the old folder, not in storage.
    storage.delete(letters.key_of(name))
    db.session.commit()
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / name).write_bytes(PDF)
    (folder / "stranger.pdf").write_bytes(b"%PDF- not ours %%EOF")

    first = CliRunner().invoke(consult_cli, ["storage", "import-files", str(folder)])
    assert first.exit_code == 0, first.output
    assert "Copied 1 letters" in first.output and "1 files no letter" in first.output
    with storage.open(letters.key_of(name)) as f:
        assert f.read() == PDF
    assert storage.keys("letters/") == [letters.key_of(name)]
    again = CliRunner().invoke(consult_cli, ["storage", "import-files", str(folder)])
    assert again.exit_code == 0 and "Copied 0 letters, 1 were stored already" in again.output


def test_a_letter_without_its_file_is_reported(app, ctx, store, tmp_path):
    load_reference_data()
    c = make_consultation(focus_areas=1, goals_per_area=1, closes_in=timedelta(days=3))
    response = make_response(
        c, {}, type_code="patient-association", organisation="Hjerteforeningen", submit=False
    )
    letters.attach_letter(response, io.BytesIO(PDF), "brev.pdf")
    db.session.commit()
    storage.delete(letters.key_of(db.session.scalar(select(Letter.storage_name))))
    db.session.commit()
    (tmp_path / "letters").mkdir()
    result = CliRunner().invoke(consult_cli, ["storage", "import-files", str(tmp_path / "letters")])
    assert result.exit_code == 1 and "1 letters still have no file" in result.output
