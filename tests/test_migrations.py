"""Migrations: the head matches the models, and every revision goes down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade

from consult import create_app
from consult.config import TestConfig
from consult.db import include_in_migrations
from consult.extensions import db
from tests import helpers
from tests.helpers import DATABASE_URL


@pytest.fixture
def migration_app():
    url = helpers.create_database(DATABASE_URL, "migrations")
    app = create_app(type("MigrationConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        helpers.drop_database(DATABASE_URL, url)


def _revisions(app) -> list[str]:
    config = app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _diff(app) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": include_in_migrations,
            },
        )
        return compare_metadata(context, db.metadata)


@pytest.mark.no_db
def test_head_matches_models(migration_app):
    with migration_app.app_context():
        upgrade()
        assert _diff(migration_app) == []


@pytest.mark.no_db
def test_every_revision_goes_down_and_up_again(migration_app):
    with migration_app.app_context():
        revisions = _revisions(migration_app)
        assert revisions, "no migrations found"
        for revision in revisions:
            upgrade(revision=revision)
            downgrade(revision="-1")
            upgrade(revision=revision)
        downgrade(revision="base")
        upgrade()
        assert _diff(migration_app) == []


def test_migration_files_have_dated_names():
    import re
    from pathlib import Path

    versions = Path(__file__).parents[1] / "migrations" / "versions"
    names = [p.name for p in versions.glob("*.py")]
    assert names
    for name in names:
        assert re.match(r"^\d{8}_\d{4}_[0-9a-f]+_[a-z0-9_]+\.py$", name), name


@pytest.mark.no_db
def test_respondents_of_unconfirmed_accounts_go_free(migration_app):
    """Before 0b8142684663 an unconfirmed account was bound to the respondent of its address,
    and so saw a response someone gave by link; the migration undoes that binding."""
    from sqlalchemy import text

    now = "2026-11-01 12:00:00"
    with migration_app.app_context():
        upgrade(revision="6e99608addc3")
        with db.engine.begin() as connection:
            for user_id, email, confirmed in (
                (1, "hijack@example.dk", None),
                (2, "ok@example.dk", now),
            ):
                connection.execute(
                    text(
                        "INSERT INTO users (id, email, name, password_hash, role, is_disabled,"
                        " email_confirmed_at, password_changed_at, created_at, updated_at)"
                        " VALUES (:id, :email, '', 'x', 'respondent', false, :confirmed,"
                        " :now, :now, :now)"
                    ),
                    {"id": user_id, "email": email, "confirmed": confirmed, "now": now},
                )
                connection.execute(
                    text(
                        "INSERT INTO respondents (user_id, email, name, organisation, locale,"
                        " created_at, updated_at) VALUES (:id, :email, '', '', 'da', :now, :now)"
                    ),
                    {"id": user_id, "email": email, "now": now},
                )
        upgrade(revision="0b8142684663")
        with db.engine.connect() as connection:
            bound = dict(connection.execute(text("SELECT email, user_id FROM respondents")).all())
        db.engine.dispose()
    assert bound == {"hijack@example.dk": None, "ok@example.dk": 2}


@pytest.mark.no_db
def test_upgrading_keeps_every_row_that_points_at_a_changed_table(migration_app):
    """SQLite changes a CHECK by copying the table and dropping the old one; with foreign keys
    on, the drop would delete every version, item, response … of every consultation. Upgrading
    a database with a consultation in it keeps all of it."""
    from sqlalchemy import text

    now = "2026-11-01 12:00:00"
    with migration_app.app_context():
        upgrade(revision="964173d1b787")  # before the consultations' and users' CHECKs change
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO consultations (id, slug, title_da, title_en, summary_da,"
                    " summary_en, status, opens_at, closes_at, max_ranked_focus_areas,"
                    " max_ranked_goals, created_at, updated_at) VALUES (1, 'c', 'C', 'C', '',"
                    " '', 'open', :now, :later, 3, 2, :now, :now)"
                ),
                {"now": now, "later": "2026-12-01 12:00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO versions (id, consultation_id, number, label_da, label_en,"
                    " note_da, note_en, created_at) VALUES (1, 1, 1, '1. udkast', '', '', '',"
                    " :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, is_disabled,"
                    " email_confirmed_at, password_changed_at, created_at, updated_at)"
                    " VALUES (1, 'a@example.dk', '', 'x', 'secretariat', false, :now, :now,"
                    " :now, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO login_sessions (user_id, token_hash, created_at, last_seen_at)"
                    " VALUES (1, 'h', :now, :now)"
                ),
                {"now": now},
            )
        upgrade()
        with db.engine.connect() as connection:
            versions = connection.execute(text("SELECT count(*) FROM versions")).scalar()
            sessions = connection.execute(text("SELECT count(*) FROM login_sessions")).scalar()
            published = connection.execute(text("SELECT published_at FROM versions")).scalar()
        db.engine.dispose()
    assert (versions, sessions) == (1, 1) and published is not None


@pytest.mark.no_db
def test_general_comments_and_letters_move_into_inputs(migration_app):
    """a7907c3d2e46: a response's general comment becomes an input of kind comment, its letter
    gets an input of kind letter, and their contributions point at them; the downgrade puts
    the comment back."""
    from sqlalchemy import text

    from consult.analysis.search import stems

    now, later = "2026-11-01 12:00:00", "2026-12-01 12:00:00"
    rows = [
        "INSERT INTO consultations (id, slug, title_da, title_en, summary_da, summary_en, status,"
        " opens_at, closes_at, max_ranked_focus_areas, max_ranked_goals, created_at, updated_at)"
        " VALUES (1, 'c', 'C', 'C', '', '', 'open', :now, :later, 3, 2, :now, :now)",
        "INSERT INTO versions (id, consultation_id, number, label_da, label_en, note_da,"
        " note_en, created_at, published_at) VALUES (1, 1, 1, '1. udkast', '', '', '', :now,"
        " :now)",
        "INSERT INTO items (id, consultation_id, parent_id, position, kind, key, created_at)"
        " VALUES (1, 1, NULL, 0, 'goal', 'g', :now)",
        "INSERT INTO item_revisions (id, item_id, version_id, title_da, title_en, body_da,"
        " body_en, funds_note_da, funds_note_en, position) VALUES (1, 1, 1, 'Mål', '', '', '',"
        " '', '', 0)",
    ]
    rows = [(row, {}) for row in rows]
    rows += [
        (
            "INSERT INTO respondents (id, email, name, organisation, locale, created_at,"
            " updated_at) VALUES (:n, :email, '', :org, 'da', :now, :now)",
            {"n": n, "email": f"r{n}@example.dk", "org": f"Org {n}"},
        )
        for n in (1, 2, 3)
    ]
    # 1: a comment and a letter, both reviewed; 2: input on a goal only; 3: a draft's comment.
    rows += [
        (
            "INSERT INTO responses (id, consultation_id, respondent_id, channel, state, consent,"
            " general_comment, input_count, created_at, updated_at) VALUES (:n, 1, :n,"
            " 'online', :state, 'named', :comment, :count, :now, :now)",
            {"n": n, "state": state, "comment": comment, "count": count},
        )
        for n, state, comment, count in (
            (1, "submitted", "Generelt godt, men for dyrt.", 0),
            (2, "submitted", "", 1),
            (3, "draft", "Kladde.", 0),
        )
    ]
    rows += [
        (
            "INSERT INTO inputs (id, response_id, item_id, revision_id, stance, text,"
            " proposed_wording, position, created_at, updated_at) VALUES (1, 2, 1, 1,"
            " 'support', 'Et mål.', '', 0, :now, :now)",
            {},
        ),
        (
            "INSERT INTO letters (id, response_id, filename, size_bytes, sha256, storage_name,"
            " created_at, updated_at) VALUES (1, 1, 'brev.pdf', 10, 'ab', 'x.pdf', :now, :now)",
            {},
        ),
    ]
    rows += [
        (
            "INSERT INTO contributions (id, consultation_id, response_id, kind, input_id,"
            " letter_id, state, fingerprint, queued_at, is_redacted, note, report_count,"
            " is_notified) VALUES (:n, 1, :response, :kind, :input, :letter, 'published', 'f',"
            " :now, false, '', 0, false)",
            {"n": n, "response": response, "kind": kind, "input": input_id, "letter": letter},
        )
        for n, response, kind, input_id, letter in (
            (1, 1, "comment", None, None),
            (2, 1, "letter", None, 1),
            (3, 2, "input", 1, None),
        )
    ]
    with migration_app.app_context():
        upgrade(revision="35b8939d344c")
        with db.engine.begin() as connection:
            for row, params in rows:
                connection.execute(text(row), {"now": now, "later": later, **params})
            if connection.dialect.name == "postgresql":  # ids were given: move the sequence on
                connection.execute(text("SELECT setval('inputs_id_seq', 1)"))
        upgrade(revision="a7907c3d2e46")
        with db.engine.connect() as connection:
            inputs = connection.execute(
                text(
                    "SELECT response_id, kind, item_id, text FROM inputs ORDER BY response_id, kind"
                )
            ).all()
            pointed = connection.execute(
                text(
                    "SELECT c.kind, i.kind, i.response_id FROM contributions c"
                    " JOIN inputs i ON i.id = c.input_id ORDER BY c.id"
                )
            ).all()
            counts = connection.execute(text("SELECT input_count FROM responses ORDER BY id"))
            counts = [n for (n,) in counts]
            searchable = None
            if db.engine.dialect.name == "sqlite":
                searchable = connection.execute(
                    text(
                        "SELECT count(*) FROM inputs_fts WHERE inputs_fts MATCH :stem"
                        " AND rowid IN (SELECT id FROM inputs WHERE kind = 'comment')"
                    ),
                    {"stem": f'"{stems("dyrt")[0]}"'},
                ).scalar()
        downgrade(revision="35b8939d344c")
        with db.engine.connect() as connection:
            comments = connection.execute(
                text("SELECT general_comment FROM responses ORDER BY id")
            ).all()
            left = connection.execute(text("SELECT count(*) FROM inputs")).scalar()
        db.engine.dispose()
    assert inputs == [
        (1, "comment", None, "Generelt godt, men for dyrt."),
        (1, "letter", None, ""),
        (2, "goal", 1, "Et mål."),
        (3, "comment", None, "Kladde."),
    ]
    assert pointed == [("comment", "comment", 1), ("letter", "letter", 1), ("input", "goal", 2)]
    assert counts == [0, 1, 0]  # input on goals only, as before
    assert searchable in (None, 1)  # SQLite: the comment's words are in the FTS5 table
    assert [c for (c,) in comments] == ["Generelt godt, men for dyrt.", "", "Kladde."]
    assert left == 1


@pytest.mark.no_db
def test_totp_secrets_stored_in_the_clear_are_sealed(migration_app):
    """Before 5e1a7c0d9b3f a staff member's TOTP secret was stored as it is; the migration
    seals it, the sealed value opens to the same secret, and going down opens it again."""
    from sqlalchemy import text

    from consult.accounts import totp

    now = "2026-11-01 12:00:00"
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with migration_app.app_context():
        upgrade(revision="665f6be5e4af")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, role, is_disabled,"
                    " password_changed_at, created_at, updated_at, totp_secret)"
                    " VALUES (1, 'staff@example.dk', '', 'x', 'secretariat', false,"
                    " :now, :now, :now, :secret)"
                ),
                {"now": now, "secret": secret},
            )
        upgrade(revision="5e1a7c0d9b3f")
        with db.engine.connect() as connection:
            sealed = connection.execute(text("SELECT totp_secret FROM users")).scalar_one()
        assert secret not in sealed and totp.unseal(sealed) == secret
        downgrade(revision="665f6be5e4af")
        with db.engine.connect() as connection:
            opened = connection.execute(text("SELECT totp_secret FROM users")).scalar_one()
        db.engine.dispose()
    assert opened == secret


@pytest.mark.no_db
def test_each_revision_starts_with_its_items_position(migration_app):
    """35b8939d344c gives each version its own order: every revision existing before takes its
    item's position, and the rows that point at revisions (alternatives) stay."""
    from sqlalchemy import text

    now = "2026-11-01 12:00:00"
    with migration_app.app_context():
        upgrade(revision="5e1a7c0d9b3f")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO consultations (id, slug, title_da, title_en, summary_da,"
                    " summary_en, status, opens_at, closes_at, max_ranked_focus_areas,"
                    " max_ranked_goals, created_at, updated_at) VALUES (1, 'c', 'C', 'C', '',"
                    " '', 'open', :now, :later, 3, 2, :now, :now)"
                ),
                {"now": now, "later": "2026-12-01 12:00:00"},
            )
            for number in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO versions (id, consultation_id, number, label_da, label_en,"
                        " note_da, note_en, created_at, published_at) VALUES (:n, 1, :n, 'x',"
                        " '', '', '', :now, :now)"
                    ),
                    {"n": number, "now": now},
                )
            for item_id, parent, kind, position in (
                (1, None, "focus_area", 0),
                (2, 1, "goal", 2),
                (3, 1, "goal", 0),
                (4, 1, "initiative", 1),
            ):
                connection.execute(
                    text(
                        "INSERT INTO items (id, consultation_id, parent_id, kind, key, position,"
                        " created_at) VALUES (:id, 1, :parent, :kind, :key, :position, :now)"
                    ),
                    {
                        "id": item_id,
                        "parent": parent,
                        "kind": kind,
                        "key": f"item-{item_id}",
                        "position": position,
                        "now": now,
                    },
                )
                for version in (1, 2):
                    connection.execute(
                        text(
                            "INSERT INTO item_revisions (id, item_id, version_id, title_da,"
                            " title_en, body_da, body_en, funds_note_da, funds_note_en) VALUES"
                            " (:id, :item, :version, 't', '', '', '', '', '')"
                        ),
                        {"id": item_id * 10 + version, "item": item_id, "version": version},
                    )
            connection.execute(
                text(
                    "INSERT INTO alternatives (revision_id, position, text_da, text_en)"
                    " VALUES (21, 0, 'A', ''), (21, 1, 'B', '')"
                )
            )
        upgrade(revision="35b8939d344c")
        with db.engine.connect() as connection:
            positions = dict(
                connection.execute(text("SELECT id, position FROM item_revisions")).all()
            )
            alternatives = connection.execute(text("SELECT count(*) FROM alternatives")).scalar()
        downgrade(revision="-1")
        with db.engine.connect() as connection:
            items = connection.execute(text("SELECT count(*) FROM item_revisions")).scalar()
        db.engine.dispose()
    assert positions == {11: 0, 12: 0, 21: 2, 22: 2, 31: 0, 32: 0, 41: 1, 42: 1}
    assert alternatives == 2 and items == 8


@pytest.mark.no_db
def test_the_masked_text_of_existing_inputs_is_filled_in(migration_app):
    """57c36c8031c1 adds the inputs' stored masked text (CPR numbers masked, for the exports)
    and fills it for the inputs already there; going down and up again fills it again."""
    from sqlalchemy import text

    from consult.reference.seed import load_reference_data
    from tests.factories import make_consultation
    from tests.factories import make_response

    cpr = "230831-1457"
    with migration_app.app_context():
        upgrade()
        load_reference_data()
        c = make_consultation(focus_areas=1, goals_per_area=2)
        make_response(c, {"fa-1-goal-1": f"Mit nummer: {cpr}", "fa-1-goal-2": "Intet her."})
        db.session.commit()
        downgrade(revision="3c1d9e7a5b42")
        upgrade(revision="57c36c8031c1")
        with db.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT text, masked_text, masked_wording FROM inputs ORDER BY id")
            ).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in stored] == [
        (f"Mit nummer: {cpr}", "Mit nummer: […]", None),
        ("Intet her.", None, None),
    ]
