"""moderation and audit log: contributions under review, their flags, public reports, audit events

Revision ID: e134735996ac
Revises: 76796213b4b1
Create Date: 2026-11-23 18:05:05.790091

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = 'e134735996ac'
down_revision = '76796213b4b1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject_type', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_audit_events_consultation_id_consultations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_consultation_at', ['consultation_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_subject', ['subject_type', 'subject_id'], unique=False)

    op.create_table('contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('input', 'comment', 'letter', name='contributionkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('input_id', sa.Integer(), nullable=True),
    sa.Column('letter_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'published', 'hidden', 'withheld', name='moderationstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('queued_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('reviewed_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('public_text', sa.Text(), nullable=True),
    sa.Column('public_wording', sa.Text(), nullable=True),
    sa.Column('is_redacted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Enum('personal_data', 'offensive', 'off_topic', 'spam', 'other', name='hidereason', native_enum=False, create_constraint=True, length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('report_count', sa.Integer(), nullable=False),
    sa.Column('is_notified', sa.Boolean(), nullable=False),
    sa.CheckConstraint("(kind = 'input') = (input_id IS NOT NULL) AND (kind = 'letter') = (letter_id IS NOT NULL)", name=op.f('ck_contributions_one_source')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_contributions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['input_id'], ['inputs.id'], name=op.f('fk_contributions_input_id_inputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_contributions_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_contributions_letter_id_letters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_contributions_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_contributions_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contributions')),
    sa.UniqueConstraint('input_id', name=op.f('uq_contributions_input_id')),
    sa.UniqueConstraint('letter_id', name=op.f('uq_contributions_letter_id'))
    )
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.create_index('ix_contributions_consultation_state', ['consultation_id', 'state'], unique=False)
        batch_op.create_index('ix_contributions_item_state', ['item_id', 'state'], unique=False)
        batch_op.create_index('ix_contributions_queue', ['state', 'queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_contributions_response_id'), ['response_id'], unique=False)

    op.create_table('contribution_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=10), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_contribution_flags_contribution_id_contributions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contribution_flags'))
    )
    with op.batch_alter_table('contribution_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contribution_flags_contribution_id'), ['contribution_id'], unique=False)
        batch_op.create_index('ix_contribution_flags_kind', ['kind', 'contribution_id'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contribution_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('personal_data', 'offensive', 'off_topic', 'spam', 'other', name='hidereason', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('reporter_key', sa.String(length=64), nullable=True),
    sa.Column('is_resolved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['contribution_id'], ['contributions.id'], name=op.f('fk_reports_contribution_id_contributions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('contribution_id', 'reporter_key', name=op.f('uq_reports_contribution_id_reporter_key'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_contribution_id'), ['contribution_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_contribution_id'))

    op.drop_table('reports')
    with op.batch_alter_table('contribution_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_contribution_flags_kind')
        batch_op.drop_index(batch_op.f('ix_contribution_flags_contribution_id'))

    op.drop_table('contribution_flags')
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contributions_response_id'))
        batch_op.drop_index('ix_contributions_queue')
        batch_op.drop_index('ix_contributions_item_state')
        batch_op.drop_index('ix_contributions_consultation_state')

    op.drop_table('contributions')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_subject')
        batch_op.drop_index('ix_audit_events_consultation_at')

    op.drop_table('audit_events')
