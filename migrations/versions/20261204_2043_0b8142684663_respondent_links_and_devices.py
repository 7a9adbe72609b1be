"""respondent links and devices: respond links work once, a one-off device can be forgotten

Links sent before this revision were signed, not stored: they open nothing any more, and the
page they lead to offers a new one. Respondents bound to an account that never confirmed its
address go free again: that binding let an unconfirmed account see a response given by link
to the same address. The account gets its respondent back once it confirms.

Revision ID: 0b8142684663
Revises: 6e99608addc3
Create Date: 2026-12-04 20:43:24.939319

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '0b8142684663'
down_revision = '6e99608addc3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('respondent_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('used_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_respondent_links_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_respondent_links_respondent_id_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_respondent_links_token_hash'))
    )
    with op.batch_alter_table('respondent_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_links_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondent_links_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('respondent_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('ended_at', consult.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_respondent_sessions_respondent_id_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_respondent_sessions_token_hash'))
    )
    with op.batch_alter_table('respondent_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_sessions_respondent_id'), ['respondent_id'], unique=False)

    op.execute(
        "UPDATE respondents SET user_id = NULL WHERE user_id IN "
        "(SELECT id FROM users WHERE email_confirmed_at IS NULL)"
    )



def downgrade():
    with op.batch_alter_table('respondent_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_sessions_respondent_id'))

    op.drop_table('respondent_sessions')
    with op.batch_alter_table('respondent_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_links_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_respondent_links_consultation_id'))

    op.drop_table('respondent_links')
