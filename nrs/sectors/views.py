"""Focus sectors per year: everyone reads them, the steering group (admin) names them."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from nrs import confirm
from nrs.auth.models import Role
from nrs.clock import today
from nrs.db import db_session, get_or_404
from nrs.errors import DomainError, StaleObjectError
from nrs.sectors import queries, services
from nrs.sectors.forms import DeleteForm, SectorForm
from nrs.sectors.models import FocusSector
from nrs.security import access, has_role

bp = Blueprint("sectors", __name__, url_prefix="/sektorer")


@bp.get("/")
@access("user")
def index():
    s = db_session()
    years = queries.sector_years(s)
    year = request.args.get("year", type=int)
    shown = [year] if year else years
    rows = []
    for y in shown:
        for sector in queries.sectors_for_year(s, y):
            count = s.execute(
                sa.select(sa.func.count()).select_from(
                    queries.matching_companies(prefixes=sector.prefixes).subquery()
                )
            ).scalar_one()
            rows.append((sector, count))
    return render_template(
        "sectors/index.html", rows=rows, years=years, year=year,
        is_admin=has_role(current_user, Role.admin), delete_form=DeleteForm(),
    )


def _save(form: SectorForm, sector: FocusSector | None):
    s = db_session()
    try:
        if sector is None:
            saved = services.set_sector(s, by=current_user, year=form.year.data, name=form.name.data,
                                        codes=form.codes.data)
        else:
            saved = services.update_sector(s, sector, by=current_user, year=form.year.data,
                                           name=form.name.data, codes=form.codes.data, version=form.version.data)
    except StaleObjectError:
        raise
    except DomainError as exc:
        form.show_error(exc, "codes")
        return None
    return saved


@bp.route("/ny", methods=["GET", "POST"])
@access("admin")
def new():
    form = SectorForm()
    if request.method == "GET":
        form.year.data = today().year
    if request.method == "POST" and form.validate():
        sector = _save(form, None)
        if sector is not None:
            flash(_("Fokusbranchen %(n)s (%(y)d) er gemt.", n=sector.name, y=sector.year), "success")
            return redirect(url_for(".index", year=sector.year))
    status = 400 if request.method == "POST" else 200
    return render_template("sectors/form.html", form=form, sector=None), status


@bp.route("/<int:sector_id>/ret", methods=["GET", "POST"])
@access("admin")
def edit(sector_id: int):
    sector = get_or_404(FocusSector, sector_id)
    form = SectorForm(obj=sector)
    if request.method == "GET":
        form.version.data = sector.version
    if request.method == "POST" and form.validate():
        try:
            saved = _save(form, sector)
        except StaleObjectError as exc:
            sector = get_or_404(FocusSector, sector_id)
            form = SectorForm(obj=sector, formdata=None)
            form.version.data = sector.version
            return render_template("sectors/form.html", form=form, sector=sector, stale=exc.message), 409
        if saved is not None:
            flash(_("Fokusbranchen %(n)s (%(y)d) er gemt.", n=sector.name, y=sector.year), "success")
            return redirect(url_for(".index", year=sector.year))
    status = 400 if request.method == "POST" else 200
    return render_template("sectors/form.html", form=form, sector=sector), status


@bp.post("/<int:sector_id>/slet")
@access("admin")
def delete(sector_id: int):
    s = db_session()
    sector = get_or_404(FocusSector, sector_id)
    year = sector.year
    if not DeleteForm().validate():
        flash(_("Formularen er udløbet. Prøv igen."), "error")
        return redirect(url_for(".index", year=year))
    try:
        services.ensure_deletable(s, sector)  # refused before the question, not after
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index", year=year))
    confirm.ask(_("Fokusbranchen %(n)s (%(y)d) slettes. Det kan ikke fortrydes.", n=sector.name, y=year),
                yes=_("Ja, slet fokusbranchen"), back=url_for(".index", year=year))
    try:
        services.delete_sector(s, sector, by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Fokusbranchen er slettet."), "success")
    return redirect(url_for(".index", year=year))


def _set_retired(sector_id: int, retired: bool):
    sector = get_or_404(FocusSector, sector_id)
    if not DeleteForm().validate():
        flash(_("Formularen er udløbet. Prøv igen."), "error")
    else:
        services.set_retired(db_session(), sector, by=current_user, retired=retired)
        flash(_("Fokusbranchen %(n)s er trukket tilbage.", n=sector.name) if retired
              else _("Fokusbranchen %(n)s tilbydes igen.", n=sector.name), "success")
    return redirect(url_for(".index", year=sector.year))


@bp.post("/<int:sector_id>/retire")
@access("admin")
def retire(sector_id: int):
    return _set_retired(sector_id, True)


@bp.post("/<int:sector_id>/unretire")
@access("admin")
def unretire(sector_id: int):
    return _set_retired(sector_id, False)
