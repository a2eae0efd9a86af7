"""The reports page: the committee report for a period, and the status as of a chosen date."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from nrs import confirm, refcache
from nrs.clock import format_date, parse_date, today
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError
from nrs.joborders import occupations
from nrs.reports import charts, documents, scheduled
from nrs.reports.forms import EVERY_CHOICES, SubscriptionForm
from nrs.reports.models import ReportSubscription
from nrs.reports.panels import figures_html, figures_table
from nrs.reports.period import (
    PRESETS,
    Period,
    centre_by_code,
    centres,
    first_day,
    period_report,
    preset,
)
from nrs.reports.tables import key_figures, month_name, period_text, status_sentence, tables
from nrs.security import access

bp = Blueprint("reports", __name__, url_prefix="/rapporter")
bp.add_app_template_filter(month_name, "month")

PRESET_LABELS = {
    "this_month": _l("Denne måned"), "last_month": _l("Sidste måned"),
    "this_quarter": _l("Dette kvartal"), "last_quarter": _l("Sidste kvartal"),
    "this_half": _l("Dette halvår"), "last_half": _l("Sidste halvår"),
    "this_year": _l("I år"), "last_year": _l("Sidste år"), "since_start": _l("Siden NRS' start"),
}
DEFAULT_PRESET = "this_quarter"


def _period_from_args(session, args) -> tuple[Period, int | None, dict[str, str]]:
    """The period (a preset, or from–to typed as dd-mm-åååå) and centre asked for; errors by field."""
    errors: dict[str, str] = {}
    name = args.get("preset") or (None if args.get("from") or args.get("to") else DEFAULT_PRESET)
    period = preset(DEFAULT_PRESET, today=today(), first_day=first_day(session))
    if name:
        if name not in PRESETS:
            errors["preset"] = _("Vælg en af perioderne på listen.")
        else:
            period = preset(name, today=today(), first_day=first_day(session))
    else:
        days = {}
        for field in ("from", "to"):
            try:
                days[field] = parse_date(args.get(field, ""))
            except ValueError:
                errors[field] = _("Skriv datoen som dd-mm-åååå.")
        if not errors:
            if days["to"] < days["from"]:
                errors["to"] = _("Slutdatoen kan ikke ligge før startdatoen.")
            else:
                period = Period(days["from"], days["to"])
    centre_id = None
    if args.get("centre"):
        code = args["centre"]
        centre_id = centre_by_code(session, int(code)) if code.isdigit() else None
        if centre_id is None:
            errors["centre"] = _("Vælg et af de ni jobcentre.")
    return period, centre_id, errors


def _report(session, period: Period, centre_id: int | None) -> dict:
    return period_report(session, period, centre_id=centre_id,
                         response_days=current_app.config["NRS"].enquiry_response_working_days)


@bp.get("/")
@access("user")
def index():
    session = db_session()
    error = None
    as_of = today()
    if request.args.get("as_of"):
        try:
            as_of = parse_date(request.args["as_of"])
        except ValueError:
            error = True
    figures, rows = figures_table(session, as_of)
    period, centre_id, errors = _period_from_args(session, request.args)
    report = _report(session, period, centre_id)
    star_rows = [("total", report["star"]), *((g["group"], g) for g in report["star"]["by_group"])]
    names = centres(session)
    return render_template(
        "reports/index.html", as_of=as_of, figures=figures, figures_table=figures_html(rows), error=error,
        star_rows=star_rows, occupation_name=occupations.name,
        centre_names={str(code): name for code, name in names.values()},
        period=period, report=report, tables={t.key: t for t in tables(report)},
        charts={k: documents.data_uri(svg) for k, svg in charts.all_charts(report).items()},
        sentence=status_sentence(report), key_figures=key_figures(report), period_text=period_text(report),
        errors=errors, presets=PRESET_LABELS, centres=sorted(names.values()),
        from_text=request.args.get("from", format_date(period.start)),
        to_text=request.args.get("to", format_date(period.end)),
    ), (400 if error or errors else 200)


@bp.get("/periode.<fmt>")
@access("user")
def download(fmt: str):
    if fmt not in documents.FORMATS:
        abort(404)
    session = db_session()
    period, centre_id, errors = _period_from_args(session, request.args)
    if errors:
        return Response("\n".join(errors.values()), status=400, mimetype="text/plain")
    report = _report(session, period, centre_id)
    name = f"nrs-rapport-{period.start.isoformat()}-{period.end.isoformat()}.{fmt}"
    return Response(documents.render(fmt, session, report), mimetype=documents.FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- subscriptions: the report by e-mail after every month or quarter -----------------------------

def _subscription_form() -> SubscriptionForm:
    form = SubscriptionForm()
    form.centre_code.choices = [("", _("Hele NRS"))] + [(str(c.municipality_code), c.name)
                                                        for c in refcache.centres(db_session())]
    return form


@bp.route("/abonnementer", methods=["GET", "POST"])
@access("coordinator")
def subscriptions():
    """Who gets the period report by e-mail, and a form for a new list (``nrs.reports.scheduled``)."""
    s = db_session()
    form = _subscription_form()
    if request.method == "POST":
        if form.validate():
            code = (form.centre_code.data or "").strip()
            try:
                if code and not code.isdigit():
                    raise DomainError(_("Vælg et af de ni jobcentre."), field="centre_code")
                scheduled.subscribe(s, name=form.name.data, recipients=form.recipients.data, every=form.every.data,
                                    centre_code=int(code) if code else None, by=current_user)
            except DomainError as exc:
                form.show_error(exc, "recipients")
            else:
                flash(_("Abonnementet er oprettet. Rapporten sendes efter hver periode."), "success")
                return redirect(url_for(".subscriptions"))
    return render_template("reports/subscriptions.html", form=form, rows=scheduled.subscriptions(s),
                           centre_names=dict(form.centre_code.choices), every_labels=dict(EVERY_CHOICES)
                           ), (400 if form.errors else 200)


@bp.post("/abonnementer/<int:subscription_id>/stop")
@access("coordinator")
def subscription_stop(subscription_id: int):
    sub = get_or_404(ReportSubscription, subscription_id)
    scheduled.ensure_may_stop(db_session(), current_user, sub)
    confirm.ask(_("Listen %(name)s får ikke flere rapporter. Abonnementet bliver stående som stoppet.",
                  name=sub.name), yes=_("Ja, stop abonnementet"), back=url_for(".subscriptions"))
    scheduled.stop(db_session(), sub, by=current_user)
    flash(_("Abonnementet er stoppet."), "success")
    return redirect(url_for(".subscriptions"))
