"""goal_corrections: trainers mark a goal-checker verdict 「判定が違う」

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'goal_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_key', sa.String(length=64), nullable=False),
        sa.Column('checker_verdict', sa.String(length=10), nullable=False),
        sa.Column('label', sa.String(length=10), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('trainer_id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("label IN ('means', 'outcome', 'borderline')",
                           name=op.f('ck_goal_corrections_label')),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'],
                                name=op.f('fk_goal_corrections_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['trainer_id'], ['users.id'],
                                name=op.f('fk_goal_corrections_trainer_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_corrections')),
    )
    with op.batch_alter_table('goal_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_corrections_cohort_id'), ['cohort_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_goal_corrections_text_key'), ['text_key'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_goal_corrections_trainer_id'), ['trainer_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('goal_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_corrections_trainer_id'))
        batch_op.drop_index(batch_op.f('ix_goal_corrections_text_key'))
        batch_op.drop_index(batch_op.f('ix_goal_corrections_cohort_id'))
    op.drop_table('goal_corrections')
