"""tasks: the assignee's index ends with the id, the lists' tie-breaker

A user's task list and "Mit arbejde" sort by due date, then id. With the index ending at the due
date, PostgreSQL read every task of the first due date and sorted them (403 rows for 21 at
national scale); with the id in it the rows come in the lists' order.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06
"""
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tasks_assignee_done_due_id', 'tasks', ['assignee_id', 'done', 'due', 'id'])
    op.drop_index('ix_tasks_assignee_done_due', table_name='tasks')


def downgrade() -> None:
    op.create_index('ix_tasks_assignee_done_due', 'tasks', ['assignee_id', 'done', 'due'])
    op.drop_index('ix_tasks_assignee_done_due_id', table_name='tasks')
