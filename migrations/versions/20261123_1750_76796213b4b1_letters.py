"""letters: organisations' signed PDF letters, one per response

Revision ID: 76796213b4b1
Revises: aeb337dbb021
Create Date: 2026-11-23 17:50:04.833509

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '76796213b4b1'
down_revision = 'aeb337dbb021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=64), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', consult.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_letters_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters')),
    sa.UniqueConstraint('response_id', name=op.f('uq_letters_response_id')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_letters_storage_name'))
    )


def downgrade():
    op.drop_table('letters')
