"""Every domain's table models, imported in one place for Alembic, the app and the tests."""

# ruff: noqa: F401
from nrs.municipalities.models import JobCentre, Municipality  # isort: skip
from nrs.auth.models import LoginThrottle, Role, User  # isort: skip
from nrs.audit.models import AuditEvent
from nrs.companies.models import Company, Contact
from nrs.sectors.models import FocusSector

# Domains added later register their models here, in migration order.
