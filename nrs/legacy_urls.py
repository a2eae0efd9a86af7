"""The English paths NRS had before its URLs went Danish (issue 18 item 10), kept as permanent redirects.

One table: each old rule and the endpoint now serving it. ``init_app`` adds each old rule to the URL
map as a redirect to that endpoint's current rule, so the redirect follows a later rename by itself.
Werkzeug answers 308 (a POST stays a POST, with its body) and keeps the query string. Registered
explicitly in ``create_app``, after the blueprints.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, abort

from nrs.security import access

#: Endpoint names of the redirects (they have no view: werkzeug redirects before dispatch).
PREFIX = "legacy."
#: (old rule, endpoint): every path that moved.
MOVED = (
    ("/admin/audit", "admin.audit"),
    ("/admin/outbox/", "mail.outbox"),
    ("/admin/outbox/<int:message_id>/resend", "mail.resend"),
    ("/admin/users", "admin.users"),
    ("/admin/users/<int:user_id>", "admin.user_edit"),
    ("/admin/users/<int:user_id>/totp/reset", "auth.totp_reset"),
    ("/admin/users/new", "admin.user_new"),
    ("/agreements/", "agreements.index"),
    ("/agreements/<int:agreement_id>", "agreements.detail"),
    ("/agreements/<int:agreement_id>/delete", "agreements.delete"),
    ("/agreements/<int:agreement_id>/document", "agreements.document"),
    ("/agreements/<int:agreement_id>/edit", "agreements.edit"),
    ("/agreements/company/<int:company_id>", "agreements.company"),
    ("/agreements/new", "agreements.new"),
    ("/campaigns/", "campaigns.index"),
    ("/campaigns/<int:campaign_id>", "campaigns.detail"),
    ("/campaigns/<int:campaign_id>/build", "campaigns.build"),
    ("/campaigns/<int:campaign_id>/export.<fmt>", "campaigns.export"),
    ("/campaigns/<int:campaign_id>/status/<status>", "campaigns.set_status"),
    ("/campaigns/new", "campaigns.new"),
    ("/campaigns/targets/<int:target_id>", "campaigns.target"),
    ("/campaigns/targets/<int:target_id>/lead", "campaigns.target_lead"),
    ("/campaigns/targets/<int:target_id>/link", "campaigns.target_link"),
    ("/campaigns/targets/<int:target_id>/remove", "campaigns.target_remove"),
    ("/campaigns/targets/<int:target_id>/restore", "campaigns.target_restore"),
    ("/campaigns/targets/<int:target_id>/status", "campaigns.target_status"),
    ("/companies/", "companies.index"),
    ("/companies/<int:company_id>", "companies.detail"),
    ("/companies/<int:company_id>/contact-person", "companies.contact_person"),
    ("/companies/<int:company_id>/contacts/<int:contact_id>", "companies.contact_edit"),
    ("/companies/<int:company_id>/contacts/<int:contact_id>/delete", "companies.contact_delete"),
    ("/companies/<int:company_id>/contacts/new", "companies.contact_new"),
    ("/companies/<int:company_id>/edit", "companies.edit"),
    ("/companies/<int:company_id>/lead", "companies.lead"),
    ("/companies/<int:company_id>/lead/rule", "companies.lead_rule"),
    ("/companies/import", "companies.import_file"),
    ("/companies/new", "companies.new"),
    ("/language/<lang>", "auth.language"),
    ("/logout", "auth.logout"),
    ("/password", "auth.password"),
    ("/privacy/access-log", "privacy.access_log"),
    ("/privacy/access-log/export", "privacy.access_log_export"),
    ("/privacy/contacts/<int:contact_id>", "privacy.contact"),
    ("/privacy/contacts/<int:contact_id>/erase", "privacy.contact_erase"),
    ("/privacy/contacts/<int:contact_id>/export", "privacy.contact_export"),
    ("/sectors/", "sectors.index"),
    ("/sectors/<int:sector_id>/delete", "sectors.delete"),
    ("/sectors/<int:sector_id>/edit", "sectors.edit"),
    ("/sectors/new", "sectors.new"),
)


def _to(endpoint: str):
    """Werkzeug's ``redirect_to``: the endpoint's URL for the matched values, with the query string
    (werkzeug's own string form drops it)."""

    def build(adapter, **values) -> str:
        url = adapter.build(endpoint, values)
        query = adapter.query_args
        if query and not isinstance(query, str):
            query = urlencode(query, doseq=True)
        return f"{url}?{query}" if query else url

    return build


@access("public")  # the redirect shows nothing; the page it leads to checks access
def _moved(**_values):
    """Never called (werkzeug redirects while matching); tools that walk the URL map (spectree) want a view."""
    abort(404)


def init_app(app: Flask) -> None:
    current = {rule.endpoint: rule for rule in app.url_map.iter_rules()}  # the methods each endpoint takes
    for old, endpoint in MOVED:
        now = current[endpoint]
        app.add_url_rule(old, endpoint=f"{PREFIX}{endpoint}", view_func=_moved, redirect_to=_to(endpoint),
                         methods=sorted(now.methods - {"HEAD", "OPTIONS"}))
