"""``/api/v1/``: read-only JSON for other systems (a data warehouse, a dashboard, Jobservice Danmark).

Each view validates its parameters with the model in ``nrs.api.schemas`` (spectree, which also
writes the OpenAPI document from the same decorators), reads through ``nrs.api.queries`` within
the key's centre scope and pages by key (``nrs.keyset``). The figures are the reports' own
functions, so ``/status`` is the object ``nrs reports status --json`` prints.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, json, render_template, request, url_for
from flask_babel import gettext as _
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree, Tag
from spectree.models import SecureType

from nrs.api import bodies, guard, queries
from nrs.api import schemas as sch
from nrs.campaigns.models import Campaign
from nrs.clock import today
from nrs.db import db_session
from nrs.joborders import queries as order_queries
from nrs.keyset import BadCursor, keyset_paginate
from nrs.reports import snapshots
from nrs.reports.period import Period, period_report
from nrs.security import access

#: The longest period one call may ask for (a report per month of it is part of the answer).
MAX_PERIOD_DAYS = 366 * 10


def _bad_parameters(req, resp, error, _instance, adapter):
    """spectree's refusal of a parameter, in the API's error shape (400, the parameters named)."""
    if error is None:
        return
    problems = [{"name": ".".join(str(p) for p in e.get("loc", ())) or "?", "problem": e.get("msg", "")}
                for e in adapter.validation_errors(error)]
    message = _("Ugyldig parameter: %(names)s.", names=", ".join(p["name"] for p in problems))
    resp.set_data(json.dumps({"error": {"status": 400, "message": message, "parameters": problems}}))
    resp.headers["Cache-Control"] = "no-store"


api = SpecTree(
    "flask", title="NRS API", version="1",
    description="Read-only access to NRS for other systems. Every call needs `Authorization: Bearer <key>`; "
                "keys are made with `nrs api-tokens create`.",
    mode="strict", annotations=False, validation_error_status=400, validation_error_model=sch.ErrorBody,
    before=_bad_parameters,
    # Plain schema names (one models module, no clashes), not spectree's hashed ones.
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(
        type=SecureType.HTTP, scheme="bearer", description="A key from `nrs api-tokens create`"))],
    security={"bearer": []},
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(guard.authenticate)
bp.after_request(guard.log_call)

ERRORS = {"HTTP_401": sch.ErrorBody, "HTTP_429": sch.ErrorBody}
COMPANIES, ORDERS, AGREEMENTS, CAMPAIGNS, FIGURES = (
    Tag(name="companies"), Tag(name="job orders"), Tag(name="agreements"), Tag(name="campaigns"),
    Tag(name="figures"))


def _scope() -> int | None:
    return g.api_token.job_centre_id


def _centre(code: int | None) -> int | None:
    """A centre's id from its municipality code; 400 when no job centre has that code."""
    if code is None:
        return None
    found = queries.centre_id(db_session(), code)
    if found is None:
        abort(400, description=_("Intet jobcenter har kommunekoden %(code)s.", code=code))
    return found


def _page(stmt, keys, query: sch.Paged, present) -> dict:
    try:
        page = keyset_paginate(db_session(), stmt, keys, after=query.after, per_page=query.limit)
    except BadCursor:
        abort(400, description=_("Parameteren after er ikke en side, API'et har givet."))
    return {"items": [present(*row) for row in page.items], "next": page.last if page.has_next else None}


# --- companies ------------------------------------------------------------------------------

@bp.get("/companies")
@access("token")
@api.validate(query=sch.CompanyQuery, resp=Response(HTTP_200=sch.CompanyPage, **ERRORS), tags=[COMPANIES])
def companies():
    """Companies, by name: search by part of the name or by CVR number."""
    q: sch.CompanyQuery = request.context.query
    s = db_session()
    codes = queries.centre_codes(s)
    stmt = queries.companies(s, scope=_scope(), q=q.q, cvr=q.cvr, municipality=q.municipality, status=q.status)
    return _page(stmt, queries.COMPANY_KEYS, q, lambda c: bodies.company(c, codes))


@bp.get("/companies/<int:company_id>")
@access("token")
@api.validate(resp=Response(HTTP_200=sch.Company, HTTP_404=sch.ErrorBody, **ERRORS), tags=[COMPANIES])
def company(company_id: int):
    """One company."""
    guard.note("read", "company", company_id)
    found = queries.company(db_session(), company_id, scope=_scope())
    if found is None:
        abort(404)
    return bodies.company(found, queries.centre_codes(db_session()))


# --- job orders -----------------------------------------------------------------------------

@bp.get("/job-orders")
@access("token")
@api.validate(query=sch.OrderQuery, resp=Response(HTTP_200=sch.OrderPage, **ERRORS), tags=[ORDERS])
def job_orders():
    """Job orders, with the filters and sort orders of the order list."""
    q: sch.OrderQuery = request.context.query
    s = db_session()
    flt = order_queries.OrderFilter(
        state=q.state.value if q.state else None, lead_centre_id=_centre(q.centre), sector_id=q.sector,
        company_id=q.company, agreement_id=q.agreement, received_from=q.received_from, received_to=q.received_to,
        sort=q.sort)
    guard.note("search", "job_order", None)
    codes = queries.centre_codes(s)
    stmt, keys = queries.orders(s, flt, scope=_scope())
    return _page(stmt, keys, q, lambda o, c, _centre: bodies.job_order(o, c, codes))


@bp.get("/job-orders/<int:order_id>")
@access("token")
@api.validate(resp=Response(HTTP_200=sch.JobOrder, HTTP_404=sch.ErrorBody, **ERRORS), tags=[ORDERS])
def job_order(order_id: int):
    """One job order; with its referrals when the key has the referrals scope."""
    s = db_session()
    with_referrals = g.api_token.referrals
    guard.note("read", "job_order_referrals" if with_referrals else "job_order", order_id)
    found = queries.order(s, order_id, scope=_scope())
    if found is None:
        abort(404)
    referrals = order_queries.referrals(s, order_id) if with_referrals else None
    return bodies.job_order(*found, queries.centre_codes(s), referrals)


# --- agreements -----------------------------------------------------------------------------

@bp.get("/agreements")
@access("token")
@api.validate(query=sch.AgreementQuery, resp=Response(HTTP_200=sch.AgreementPage, **ERRORS), tags=[AGREEMENTS])
def agreements():
    """Recruitment, cooperation and Jobservice Danmark agreements."""
    q: sch.AgreementQuery = request.context.query
    s = db_session()
    day = today()
    codes = queries.centre_codes(s)
    stmt = queries.agreements(s, scope=_scope(), day=day, centre_id=_centre(q.centre), kind=q.kind,
                              sector_id=q.sector, status=q.status, company_id=q.company)
    return _page(stmt, queries.AGREEMENT_KEYS, q,
                 lambda a, c, _sector, _centre, _contact: bodies.agreement(a, c, codes, day))


@bp.get("/agreements/<int:agreement_id>")
@access("token")
@api.validate(resp=Response(HTTP_200=sch.Agreement, HTTP_404=sch.ErrorBody, **ERRORS), tags=[AGREEMENTS])
def agreement(agreement_id: int):
    """One agreement."""
    guard.note("read", "agreement", agreement_id)
    s = db_session()
    found = queries.agreement(s, agreement_id, scope=_scope())
    if found is None:
        abort(404)
    return bodies.agreement(*found, queries.centre_codes(s), today())


# --- campaigns ------------------------------------------------------------------------------

@bp.get("/campaigns")
@access("token")
@api.validate(query=sch.CampaignQuery, resp=Response(HTTP_200=sch.CampaignPage, **ERRORS), tags=[CAMPAIGNS])
def campaigns():
    """Campaigns, newest first."""
    q: sch.CampaignQuery = request.context.query
    return _page(queries.campaigns(year=q.year, status=q.status), queries.CAMPAIGN_KEYS, q, bodies.campaign)


@bp.get("/campaigns/<int:campaign_id>/targets")
@access("token")
@api.validate(query=sch.TargetQuery, resp=Response(HTTP_200=sch.TargetPage, HTTP_404=sch.ErrorBody, **ERRORS),
              tags=[CAMPAIGNS])
def campaign_targets(campaign_id: int):
    """A campaign's list of companies to contact, and how far each lead centre has come."""
    q: sch.TargetQuery = request.context.query
    guard.note("search", "campaign_target", campaign_id)
    s = db_session()
    if s.get(Campaign, campaign_id) is None:
        abort(404)
    codes = queries.centre_codes(s)
    stmt = queries.targets(campaign_id, scope=_scope(), centre=_centre(q.centre), status=q.status)
    return _page(stmt, queries.TARGET_KEYS, q, lambda t, c, _centre, _contact: bodies.target(t, c, codes))


# --- figures --------------------------------------------------------------------------------

@bp.get("/status")
@access("token")
@api.validate(query=sch.StatusQuery, resp=Response(HTTP_200=sch.StatusFigures, **ERRORS), tags=[FIGURES])
def status():
    """The job-order figures as of a day: the object `nrs reports status --as-of D --json` prints."""
    q: sch.StatusQuery = request.context.query
    guard.note("read", "report", "status")
    s = db_session()
    return snapshots.status_as_of(s, q.as_of)


@bp.get("/period")
@access("token")
@api.validate(query=sch.PeriodQuery, resp=Response(HTTP_200=sch.PeriodReport, **ERRORS), tags=[FIGURES])
def period():
    """The committee report for a period: the object `nrs reports period --from --to --json` prints."""
    q: sch.PeriodQuery = request.context.query
    guard.note("read", "report", "period")
    if q.end < q.start:
        abort(400, description=_("Perioden slutter før den begynder."))
    if (q.end - q.start).days > MAX_PERIOD_DAYS:
        abort(400, description=_("En periode kan højst være %(n)s dage.", n=MAX_PERIOD_DAYS))
    return period_report(db_session(), Period(q.start, q.end), centre_id=_centre(q.centre),
                         response_days=current_app.config["NRS"].enquiry_response_working_days)


# --- the description ------------------------------------------------------------------------

@bp.get("/openapi.json")
@access("public")
def openapi():
    """The OpenAPI 3.1 document, generated from the views' decorators and models."""
    return api.spec


@bp.get("/docs")
@access("public")
def docs():
    """The document as a page, rendered here (no script from elsewhere)."""
    return render_template("api/docs.html", spec=api.spec, spec_url=url_for(".openapi"))
