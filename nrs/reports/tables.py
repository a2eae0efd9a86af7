"""The period report as tables and sentences: one layout for the page, the workbook and the PDF.

Cells keep their Python type (int, date, str) so that the page formats them the Danish way
and the workbook stores numbers as numbers and dates as dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_date as babel_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nrs.agreements.models import AgreementKind
from nrs.clock import format_date
from nrs.enquiries.models import EnquiryChannel
from nrs.joborders import occupations
from nrs.reports.period import OTHER

#: The order figures' columns: key and Danish head.
ORDER_COLUMNS = (
    ("orders_open_at_start", _l("Åbne ved start")),
    ("orders_received", _l("Modtaget")),
    ("orders_filled", _l("Besat")),
    ("orders_unfilled", _l("Ikke besat")),
    ("orders_reopened", _l("Genåbnet")),
    ("orders_open_at_end", _l("Åbne ved slut")),
)
#: The same in positions (``nrs.reports.period.POSITION_KEYS``).
POSITION_COLUMNS = (
    ("positions_open_at_start", _l("Åbne ved start")),
    ("positions_received", _l("Modtaget")),
    ("positions_hired", _l("Besat")),
    ("positions_other", _l("Anden udgang")),
    ("positions_reopened", _l("Genåbnet")),
    ("positions_open_at_end", _l("Åbne ved slut")),
)


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    #: Which row (index) is a total, shown in bold.
    total_rows: tuple[int, ...] = ()
    #: The workbook's sheet name when the title is too long for one (31 characters, no ``:``).
    sheet: str = ""


def month_name(day: date) -> str:
    """``marts 2016``."""
    return babel_date(day, "LLLL yyyy", locale="da")


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _orders(f: dict, columns=ORDER_COLUMNS) -> list[int]:
    return [f.get(k, 0) for k, _label in columns]


def _pct(rate: float | None) -> float | None:
    """A rate as a percentage with one decimal (a number in the workbook, "66,7" on the page)."""
    return None if rate is None else round(rate * 100, 1)


def _group_name(group: str | None) -> str:
    if group is None:
        return _("Uden faggruppe")
    return f"{group} {occupations.name(group)}".strip()


def tables(report: dict) -> list[Table]:
    """Per centre, per sector, per month, agreements and campaigns, in the order a committee reads them."""
    heads = [str(label) for _k, label in ORDER_COLUMNS]
    centres = Table("centres", _("Jobordrer pr. jobcenter"),
                    [_("Jobcenter"), _("Kommunekode"), *heads, _("Ansættelser"), _("Heraf fra andet jobcenter")],
                    total_rows=(0,))
    centres.rows.append(["NRS", "", *_orders(report), report["hires"], report["hires_from_other_centres"]])
    for code, f in report["by_centre"].items():
        centres.rows.append([f["name"], int(code), *_orders(f), f["hires"], f["hires_from_other_centres"]])

    sectors = Table("sectors", _("Jobordrer pr. fokusbranche"), [_("Fokusbranche"), *heads])
    for key, f in report["by_sector"].items():
        sectors.rows.append([_sector_name(key), *_orders(f)])

    position_heads = [str(label) for _k, label in POSITION_COLUMNS]
    position_centres = Table("position_centres", _("Stillinger pr. jobcenter"),
                             [_("Jobcenter"), _("Kommunekode"), *position_heads], total_rows=(0,))
    position_centres.rows.append(["NRS", "", *_orders(report, POSITION_COLUMNS)])
    for code, f in report["by_centre"].items():
        position_centres.rows.append([f["name"], int(code), *_orders(f, POSITION_COLUMNS)])
    position_sectors = Table("position_sectors", _("Stillinger pr. fokusbranche"), [_("Fokusbranche"), *position_heads])
    for key, f in report["by_sector"].items():
        position_sectors.rows.append([_sector_name(key), *_orders(f, POSITION_COLUMNS)])

    months = Table("months", _("Jobordrer pr. måned"), [_("Måned"), *heads])
    for m in report.get("by_month", []):
        months.rows.append([_d(m["from"]).replace(day=1), *_orders(m)])

    agreements = Table("agreements", _("Aftaler"), [_("Aftaletype"), _("Aktive ved slut"), _("Indgået i perioden")],
                       total_rows=(len(AgreementKind),))
    for kind in AgreementKind:
        agreements.rows.append([str(kind.label), report["agreements_active_at_end_by_kind"][kind.value],
                                report["agreements_signed_by_kind"][kind.value]])
    agreements.rows.append([_("I alt"), report["agreements_active_at_end"], report["agreements_signed"]])

    campaigns = Table("campaigns", _("Kampagner i perioden"),
                      [_("Kampagne"), _("Start"), _("Slut"), _("Virksomheder"), _("Kontaktet"), _("Møder"),
                       _("Jobordrer"), _("Aftaler")])
    for c in report["campaigns"]:
        campaigns.rows.append([c["name"], c["starts_on"] and _d(c["starts_on"]), c["ends_on"] and _d(c["ends_on"]),
                               c["targets"], c["contacted"], c["meetings"], c["job_orders"], c["agreements"]])
    return [centres, sectors, months, position_centres, position_sectors, agreements, campaigns,
            _star_table(report["star"]), _enquiry_table(report)]


def _sector_name(key: str) -> str:
    return _("Øvrige brancher") if key == OTHER else key


def _star_table(figures: dict) -> Table:
    """STAR's measure of the orders created in the period, by occupational group, the total first."""
    t = Table("star", _("STAR's jobordremåling: jobordrer oprettet i perioden"),
              [_("Faggruppe"), _("Jobordrer"), _("Stillinger"), _("Med henviste kandidater"),
               _("Endt med ansættelse af en henvist"), _("Formidlingsgrad (STAR), %"), _("Besættelsesgrad (STAR), %")],
              total_rows=(0,), sheet=_("STAR's jobordremåling"))
    for name, c in [(_("I alt"), figures), *((_group_name(g["group"]), g) for g in figures["by_group"])]:
        t.rows.append([name, c["orders"], c["positions"], c["with_referrals"], c["with_referred_hire"],
                       _pct(c["referral_rate"]), _pct(c["star_fill_rate"])])
    return t


def _enquiry_table(report: dict) -> Table:
    """Enquiries received in the period by channel, with the response goal beside the total."""
    f = report["enquiries"]
    t = Table("enquiries", _("Henvendelser pr. kanal"), [_("Kanal"), _("Modtaget")], total_rows=(0,))
    t.rows.append([_("I alt"), f["received"]])
    for channel in EnquiryChannel:
        if f["by_channel"].get(channel.value):
            t.rows.append([str(channel.label), f["by_channel"][channel.value]])
    return t


def period_text(report: dict) -> str:
    return f"{format_date(_d(report['from']))} – {format_date(_d(report['to']))}"


def status_sentence(report: dict) -> str:
    """The seed's status item for the period: "Ved udgangen af marts 2016 var der modtaget 32 jobordrer. …"."""
    end = _d(report["to"])
    when = (_("Ved udgangen af %(m)s", m=month_name(end)) if (end + timedelta(days=1)).day == 1
            else _("Pr. %(d)s", d=format_date(end)))
    if report["orders_open_at_start"] or report["orders_reopened"]:
        first = _("%(when)s var der i perioden modtaget %(n)s jobordrer, og %(s)s var åbne ved periodens start.",
                  when=when, n=report["orders_received"], s=report["orders_open_at_start"])
    else:
        first = _("%(when)s var der modtaget %(n)s jobordrer.", when=when, n=report["orders_received"])
    rest = _("%(x)s jobordrer er lukket med ansættelse af en ledig fra en af de 9 kommuner, %(y)s er lukket uden "
             "resultat og %(z)s er endnu ikke afsluttede.",
             x=report["orders_filled"], y=report["orders_unfilled"], z=report["orders_open_at_end"])
    return f"{first} {rest}"


def key_figures(report: dict) -> list[tuple[str, int]]:
    return [
        (_("Åbne ved periodens start"), report["orders_open_at_start"]),
        (_("Modtaget i perioden"), report["orders_received"]),
        (_("Lukket med ansættelse"), report["orders_filled"]),
        (_("Lukket uden resultat"), report["orders_unfilled"]),
        (_("Genåbnet"), report["orders_reopened"]),
        (_("Åbne ved periodens slutning"), report["orders_open_at_end"]),
        (_("Annulleret i perioden (registreret ved en fejl, tæller ikke med ovenfor)"), report["orders_cancelled"]),
        (_("Stillinger modtaget i perioden"), report["positions_received"]),
        (_("Stillinger besat i perioden"), report["positions_hired"]),
        (_("Stillinger åbne ved periodens slutning"), report["positions_open_at_end"]),
        (_("Ansættelser med kandidat fra et andet jobcenter end det ansvarlige"), report["hires_from_other_centres"]),
        (_("Aktive aftaler ved periodens slutning"), report["agreements_active_at_end"]),
        (_("Aftaler indgået i perioden"), report["agreements_signed"]),
        (_("Henvendelser modtaget i perioden"), report["enquiries"]["received"]),
        (_("Henvendelser besvaret inden for svarfristen"), report["enquiries"]["answered_within_goal"]),
    ]
