"""analysis and invitations: tags, groups of near-identical input, replies, the høringsliste,
and Danish text search (SQLite FTS5 table, PostgreSQL GIN index on the danish tsvector)

Revision ID: 47ec7616117d
Revises: ed95dcc16e2d
Create Date: 2026-11-23 19:09:17.744951

"""
from alembic import op
import sqlalchemy as sa

import consult.db

# revision identifiers, used by Alembic.
revision = '47ec7616117d'
down_revision = 'ed95dcc16e2d'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('duplicate_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('is_campaign', sa.Boolean(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('sample', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_duplicate_groups_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_groups'))
    )
    with op.batch_alter_table('duplicate_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_groups_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('respondent_type_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_invitations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_type_id'], ['respondent_types.id'], name=op.f('fk_invitations_respondent_type_id_respondent_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('consultation_id', 'organisation', name=op.f('uq_invitations_consultation_id_organisation'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('disposition', sa.Enum('incorporated', 'partly', 'noted', 'not_incorporated', name='disposition', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('new', 'in_progress', 'drafted', 'approved', name='replystate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_replies_approved_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_replies_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_replies_written_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_replies'))
    )
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replies_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_tags_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('consultation_id', 'name', name=op.f('uq_tags_consultation_id_name'))
    )
    op.create_table('input_tags',
    sa.Column('input_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['input_id'], ['inputs.id'], name=op.f('fk_input_tags_input_id_inputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_input_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('input_id', 'tag_id', name=op.f('pk_input_tags'))
    )
    with op.batch_alter_table('input_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_input_tags_tag_id'), ['tag_id'], unique=False)

    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_group_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inputs_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inputs_duplicate_group_id'), ['duplicate_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inputs_reply_id'), ['reply_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_inputs_reply_id_replies'), 'replies', ['reply_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_inputs_assignee_id_users'), 'users', ['assignee_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_inputs_duplicate_group_id_duplicate_groups'), 'duplicate_groups', ['duplicate_group_id'], ['id'], ondelete='SET NULL')

    _create_search()

def _create_search():
    """Search structures the models do not describe (see consult/analysis/search.py)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS inputs_fts USING fts5(stems, tokenize='unicode61')"
        )
        # Existing input is stemmed once here; the app keeps the table in step afterwards.
        from consult.analysis.search import searchable

        rows = bind.exec_driver_sql("SELECT id, text, proposed_wording FROM inputs").all()
        if rows:
            bind.exec_driver_sql(
                "INSERT INTO inputs_fts (rowid, stems) VALUES (?, ?)",
                [(r[0], searchable(r[1] or "", r[2] or "")) for r in rows],
            )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_inputs_search ON inputs USING gin "
            "(to_tsvector('danish'::regconfig, coalesce(text, '') || ' ' || coalesce(proposed_wording, '')))"
        )

def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS inputs_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_inputs_search")
    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_inputs_duplicate_group_id_duplicate_groups'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_inputs_assignee_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_inputs_reply_id_replies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_inputs_reply_id'))
        batch_op.drop_index(batch_op.f('ix_inputs_duplicate_group_id'))
        batch_op.drop_index(batch_op.f('ix_inputs_assignee_id'))
        batch_op.drop_column('duplicate_group_id')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('reply_id')

    with op.batch_alter_table('input_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_input_tags_tag_id'))

    op.drop_table('input_tags')
    op.drop_table('tags')
    with op.batch_alter_table('replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replies_consultation_id'))

    op.drop_table('replies')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_consultation_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('duplicate_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_groups_consultation_id'))

    op.drop_table('duplicate_groups')
