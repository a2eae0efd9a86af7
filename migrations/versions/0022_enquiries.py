"""enquiries (the front door: shared phone, shared mailbox, /kontakt) and their attachments

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-01

New tables only. ``enquiries.message_id`` is unique: one e-mail, one enquiry, however many
fetches read it.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('channel', sa.Enum('phone', 'mailbox', 'web', 'visit', 'jobservice', 'centre', name='enquirychannel', native_enum=False, length=32), nullable=False),
    sa.Column('subject', sa.Enum('vacancy', 'agreement', 'rotation', 'other', name='enquirysubject', native_enum=False, length=32), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('prospect_name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('prospect_cvr', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('cpr_masked', sa.Boolean(), nullable=False),
    sa.Column('lead_centre_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('new', 'taken', 'answered', 'closed', 'converted', name='enquirystatus', native_enum=False, length=16), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=True),
    sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('first_response_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('job_order_id', sa.Integer(), nullable=True),
    sa.Column('agreement_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=998), nullable=True),
    sa.Column('text_deleted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel IN ('phone', 'mailbox', 'web', 'visit', 'jobservice', 'centre')", name=op.f('ck_enquiries_channel_values')),
    sa.CheckConstraint("status IN ('new', 'taken', 'answered', 'closed', 'converted')", name=op.f('ck_enquiries_status_values')),
    sa.CheckConstraint("subject IN ('vacancy', 'agreement', 'rotation', 'other')", name=op.f('ck_enquiries_subject_values')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreements.id'], name=op.f('fk_enquiries_agreement_id_agreements')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_enquiries_company_id_companies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enquiries_created_by_id_users')),
    sa.ForeignKeyConstraint(['job_order_id'], ['job_orders.id'], name=op.f('fk_enquiries_job_order_id_job_orders')),
    sa.ForeignKeyConstraint(['lead_centre_id'], ['job_centres.id'], name=op.f('fk_enquiries_lead_centre_id_job_centres')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_enquiries_taken_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries')),
    sa.UniqueConstraint('message_id', name=op.f('uq_enquiries_message_id'))
    )
    op.create_index(op.f('ix_enquiries_agreement_id'), 'enquiries', ['agreement_id'], unique=False)
    op.create_index(op.f('ix_enquiries_closed_at'), 'enquiries', ['closed_at'], unique=False)
    op.create_index(op.f('ix_enquiries_company_id'), 'enquiries', ['company_id'], unique=False)
    op.create_index(op.f('ix_enquiries_job_order_id'), 'enquiries', ['job_order_id'], unique=False)
    op.create_index('ix_enquiries_queue', 'enquiries', ['lead_centre_id', 'status', 'received_at'], unique=False)
    op.create_index(op.f('ix_enquiries_received_at'), 'enquiries', ['received_at'], unique=False)
    op.create_index(op.f('ix_enquiries_taken_by_id'), 'enquiries', ['taken_by_id'], unique=False)

    op.create_table('enquiry_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enquiry_id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiries.id'], name=op.f('fk_enquiry_attachments_enquiry_id_enquiries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiry_attachments'))
    )
    op.create_index(op.f('ix_enquiry_attachments_enquiry_id'), 'enquiry_attachments', ['enquiry_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_enquiry_attachments_enquiry_id'), table_name='enquiry_attachments')

    op.drop_table('enquiry_attachments')
    op.drop_index(op.f('ix_enquiries_taken_by_id'), table_name='enquiries')
    op.drop_index(op.f('ix_enquiries_received_at'), table_name='enquiries')
    op.drop_index('ix_enquiries_queue', table_name='enquiries')
    op.drop_index(op.f('ix_enquiries_job_order_id'), table_name='enquiries')
    op.drop_index(op.f('ix_enquiries_company_id'), table_name='enquiries')
    op.drop_index(op.f('ix_enquiries_closed_at'), table_name='enquiries')
    op.drop_index(op.f('ix_enquiries_agreement_id'), table_name='enquiries')

    op.drop_table('enquiries')
