"""Every domain's table models, imported in one place for Alembic, the app and the tests.

Each domain adds one import line here for its models (order does not matter to SQLAlchemy).
"""

# ruff: noqa: F401, I001
from nrs.municipalities.models import JobCentre, Municipality
from nrs.auth.models import LoginThrottle, RecoveryCode, Role, SsoIdentity, User
from nrs.audit.models import AuditEvent
from nrs.companies.models import Company, Contact
from nrs.sectors.models import FocusSector
from nrs.agreements.models import Agreement, AgreementKind
from nrs.joborders.models import HelpRequest, Hire, JobOrder, JobOrderEvent, JobOrderTally, PositionOutcome, Referral
from nrs.privacy.models import AccessLogEntry, AnonymisedReferral
from nrs.campaigns.models import Campaign, CampaignTarget, CampaignTargetEvent
from nrs.activities.models import Activity, ActivityKind, Task
from nrs.mail.models import OutboxMessage
from nrs.reports.models import MonthFigure, MonthFigureBuild, ReportSubscription
from nrs.scheduler.models import SchedulerRun
from nrs.notifications.models import Notification, NotificationSetting
from nrs.enquiries.models import Enquiry, EnquiryAttachment
from nrs.api.models import ApiToken
from nrs.savedfilters.models import SavedFilter
