"""moderated sessions: meetings, their agenda, groups, participants, inputs and feedback;
session responses (channel "session") have no e-mail and may say several things on one goal

Revision ID: ed95dcc16e2d
Revises: e134735996ac
Create Date: 2026-11-23 18:37:54.334114

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = 'ed95dcc16e2d'
down_revision = 'e134735996ac'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('state', sa.Enum('planned', 'live', 'confirming', 'confirmed', name='meetingstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('participant_count', sa.Integer(), nullable=False),
    sa.Column('join_code', sa.String(length=12), nullable=False),
    sa.Column('current_item_id', sa.Integer(), nullable=True),
    sa.Column('confirm_days', sa.Integer(), nullable=False),
    sa.Column('started_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('ended_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('confirm_by', consult.db.UTCDateTime(), nullable=True),
    sa.Column('confirmed_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_meetings_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['current_item_id'], ['items.id'], name=op.f('fk_meetings_current_item_id_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('join_code', name=op.f('uq_meetings_join_code'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('meeting_agenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_meeting_agenda_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_agenda_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_agenda')),
    sa.UniqueConstraint('meeting_id', 'item_id', name=op.f('uq_meeting_agenda_meeting_id_item_id'))
    )
    op.create_table('meeting_facilitators',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_facilitators_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_meeting_facilitators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', 'user_id', name=op.f('pk_meeting_facilitators'))
    )
    op.create_table('meeting_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('respondent_type_id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('participant_count', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_groups_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_type_id'], ['respondent_types.id'], name=op.f('fk_meeting_groups_respondent_type_id_respondent_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_groups'))
    )
    with op.batch_alter_table('meeting_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_groups_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('invited_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_participants_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_participants')),
    sa.UniqueConstraint('meeting_id', 'email', name=op.f('uq_meeting_participants_meeting_id_email'))
    )
    op.create_table('meeting_inputs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('stance', sa.Enum('support', 'support_with_changes', 'oppose', 'no_position', name='stance', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('proposed_wording', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('accepted', 'proposed', 'merged', 'discarded', name='inputstate', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('from_participant', sa.Boolean(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=False),
    sa.Column('resolved_at', consult.db.UTCDateTime(), nullable=True),
    sa.Column('input_id', sa.Integer(), nullable=True),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['meeting_groups.id'], name=op.f('fk_meeting_inputs_group_id_meeting_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['input_id'], ['inputs.id'], name=op.f('fk_meeting_inputs_input_id_inputs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_meeting_inputs_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_inputs_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['meeting_inputs.id'], name=op.f('fk_meeting_inputs_merged_into_id_meeting_inputs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revision_id'], ['item_revisions.id'], name=op.f('fk_meeting_inputs_revision_id_item_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_inputs'))
    )
    with op.batch_alter_table('meeting_inputs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_inputs_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('meeting_input_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('agree', 'comment', 'object', name='verdict', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_input_id'], ['meeting_inputs.id'], name=op.f('fk_meeting_feedback_meeting_input_id_meeting_inputs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['meeting_participants.id'], name=op.f('fk_meeting_feedback_participant_id_meeting_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_feedback')),
    sa.UniqueConstraint('participant_id', 'meeting_input_id', name=op.f('uq_meeting_feedback_participant_id_meeting_input_id'))
    )
    with op.batch_alter_table('meeting_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_feedback_meeting_input_id'), ['meeting_input_id'], unique=False)

    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_inputs_response_id_item_id'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_inputs_response_id_item_id_position'), ['response_id', 'item_id', 'position'])

    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=True)

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_responses_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_responses_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'], ondelete='SET NULL')



def downgrade():
    # The older schema cannot hold a respondent without an e-mail: session groups' responses go.
    op.execute("DELETE FROM respondents WHERE email IS NULL")
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_responses_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_responses_meeting_id'))
        batch_op.drop_column('meeting_id')

    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.alter_column('email',
               existing_type=sa.VARCHAR(length=254),
               nullable=False)

    with op.batch_alter_table('inputs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_inputs_response_id_item_id_position'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_inputs_response_id_item_id'), ['response_id', 'item_id'])
        batch_op.drop_column('position')

    with op.batch_alter_table('meeting_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_feedback_meeting_input_id'))

    op.drop_table('meeting_feedback')
    with op.batch_alter_table('meeting_inputs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_inputs_meeting_id'))

    op.drop_table('meeting_inputs')
    op.drop_table('meeting_participants')
    with op.batch_alter_table('meeting_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_groups_meeting_id'))

    op.drop_table('meeting_groups')
    op.drop_table('meeting_facilitators')
    op.drop_table('meeting_agenda')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_consultation_id'))

    op.drop_table('meetings')
