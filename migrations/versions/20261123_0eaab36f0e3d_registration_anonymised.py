"""registration anonymised: a registration whose person was erased (account deleted with
contributions kept, or guest details past their retention period) keeps its status for the counts

Revision ID: 0eaab36f0e3d
Revises: 405fc1197005
Create Date: 2026-11-23 00:33:25.649664

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy import Text  # noqa: F401  (JSONB columns render astext_type=Text())


# revision identifiers, used by Alembic.
revision = '0eaab36f0e3d'
down_revision = '405fc1197005'
branch_labels = None
depends_on = None


OLD = "user_id IS NOT NULL OR guest_email IS NOT NULL OR is_walk_in"
NEW = OLD + " OR anonymised_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table('focus_registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('has_person', type_='check')
        batch_op.create_check_constraint('has_person', NEW)


def downgrade():
    op.execute("DELETE FROM focus_registration WHERE anonymised_at IS NOT NULL "
               "AND user_id IS NULL AND guest_email IS NULL AND NOT is_walk_in")
    with op.batch_alter_table('focus_registration', schema=None) as batch_op:
        batch_op.drop_constraint('has_person', type_='check')
        batch_op.create_check_constraint('has_person', OLD)
        batch_op.drop_column('anonymised_at')
