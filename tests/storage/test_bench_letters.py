"""bench/generate.py writes its letters' files through the configured storage."""

from __future__ import annotations

from sqlalchemy import select

from bench.generate import generate
from bench.generate import prepare
from consult import storage
from consult.extensions import db
from consult.responses.letters import key_of
from consult.responses.models import Letter


def test_every_generated_letter_has_its_file(app, ctx, store):
    prepare(days=30)
    generate(150, seed=1, batch_size=100)
    names = db.session.scalars(select(Letter.storage_name)).all()
    assert names  # organisations attach letters
    for name in names:
        with storage.open(key_of(name)) as f:
            assert f.read(5) == b"%PDF-"
    assert sorted(storage.keys("letters/")) == sorted(key_of(n) for n in names)
