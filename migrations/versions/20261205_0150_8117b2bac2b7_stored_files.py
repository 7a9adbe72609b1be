"""stored files: letters and built reports in the database, in chunks (FILE_STORAGE=database)

Revision ID: 8117b2bac2b7
Revises: fdc6aab6791e
Create Date: 2026-12-05 00:14:32.325799

"""
from alembic import op
import sqlalchemy as sa

import consult.db


# revision identifiers, used by Alembic.
revision = '8117b2bac2b7'
down_revision = 'fdc6aab6791e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('created_at', consult.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('key', name=op.f('uq_stored_files_key'))
    )
    op.create_table('stored_chunks',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_stored_chunks_file_id_stored_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'number', name=op.f('pk_stored_chunks'))
    )


def downgrade():
    op.drop_table('stored_chunks')
    op.drop_table('stored_files')
