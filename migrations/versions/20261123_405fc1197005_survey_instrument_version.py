"""survey instrument version: raised by every edit of a survey's sections, questions and
options, so each web process can keep a checked copy of the instrument for submissions

Revision ID: 405fc1197005
Revises: 3325e5cf66f2
Create Date: 2026-11-23 00:29:19.377813

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())


# revision identifiers, used by Alembic.
revision = '405fc1197005'
down_revision = '3325e5cf66f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instrument_version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_column('instrument_version')

