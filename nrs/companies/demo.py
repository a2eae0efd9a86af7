"""Demo companies: a few thousand across the nine municipalities and their neighbours.

Written through the import service (bulk, so ``nrs demo`` stays quick) and so through the one
lead rule; each led company then gets a contact person from its lead centre's staff.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs.auth.models import Role, User
from nrs.clock import utcnow
from nrs.companies.models import Company, CompanySource, Contact
from nrs.companies.services import CentreCache, assign_lead, import_companies
from nrs.demo_names import FIRST, LAST
from nrs.refdata import read_csv
from nrs.yesno import yes_no

COMPANIES = 3000
#: Municipality → share of the companies. Furesø, Rudersdal and Ballerup are neighbours outside NRS.
WHERE = {201: 9, 210: 12, 217: 18, 219: 17, 223: 8, 240: 12, 250: 13, 260: 9, 270: 12, 190: 5, 230: 6, 151: 2}
TOWNS = {201: "Allerød", 210: "Fredensborg", 217: "Helsingør", 219: "Hillerød", 223: "Hørsholm", 240: "Egedal",
         250: "Frederikssund", 260: "Halsnæs", 270: "Gribskov", 190: "Furesø", 230: "Rudersdal", 151: "Ballerup"}
STREETS = ("Stationsvej", "Industrivej", "Hovedgaden", "Kongevejen", "Erhvervsvej", "Møllevej", "Strandvejen",
           "Håndværkervej", "Slotsgade", "Engvej", "Teglværksvej", "Fabriksvej")
#: Trade words by two-digit DB07 group, for names that look like the trade.
TRADES = {
    "41": ("Byg", "Entreprise", "Byggeselskab", "Totalentreprise"), "42": ("Anlæg", "Kloak & Anlæg", "Vej & Park"),
    "43": ("Tømrer", "Murer", "VVS", "El-service", "Malerfirma", "Tagdækning", "Snedkeri"),
    "49": ("Vognmand", "Transport", "Taxa", "Bus", "Fragt"), "50": ("Færgefart", "Bådtransport"),
    "52": ("Logistik", "Lager & Spedition", "Terminal"), "53": ("Kurerservice", "Budservice"),
    "55": ("Hotel", "Kro", "Badehotel"), "56": ("Restaurant", "Café", "Pizzeria", "Catering"),
    "47": ("Handel", "Supermarked", "Boligudstyr"), "62": ("IT", "Data", "Software"),
    "86": ("Klinik", "Tandlæge", "Fysioterapi"), "88": ("Plejehjem", "Dagtilbud"),
    "10": ("Bageri", "Slagteri", "Fødevarer"), "25": ("Maskinfabrik", "Smedie", "Metal"),
}
FORMS = ("ApS", "ApS", "ApS", "A/S", "I/S", "K/S", "")
#: (low, high) employee bands as CVR reports them, with how common each is.
BANDS = [((0, 0), 8), ((1, 1), 14), ((2, 4), 22), ((5, 9), 18), ((10, 19), 15), ((20, 49), 11),
         ((50, 99), 5), ((100, 199), 3), ((200, 499), 1), (None, 3)]
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def _cvr(rng, taken: set[str]) -> str:
    while True:
        base = str(rng.randint(1000000, 9999999))
        check = (-sum(int(d) * w for d, w in zip(base, WEIGHTS, strict=False))) % 11
        cvr = base + str(check)
        if check < 10 and cvr not in taken:
            taken.add(cvr)
            return cvr


def _industry_codes() -> list[tuple[list[str], int]]:
    """Current DB07 codes in groups with weights: construction (41-43) about a quarter, transport
    (49-53) a fifth, the trades North Zealand is full of next, then everything else."""
    codes = [r["branchekode"] for r in read_csv("db07_6digit.csv") if yes_no(r["current"])
             and r["branchekode"] != "999999"]
    construction = [c for c in codes if c[:2] in ("41", "42", "43")]
    transport = [c for c in codes if c[:2] in ("49", "50", "51", "52", "53")]
    common = [c for c in codes if c[:2] in ("47", "55", "56", "62", "86", "88", "10", "25", "46", "68", "69")]
    return [(construction, 25), (transport, 20), (common, 30), (codes, 25)]


def _postal(rng, code: int, postal: dict[int, list[tuple[str, str]]]) -> tuple[str, str]:
    return rng.choice(postal.get(code) or [("", TOWNS[code])])


def load(session: Session, *, rng) -> None:
    postal: dict[int, list[tuple[str, str]]] = {}
    for row in read_csv("postnumre_nrs.csv"):
        for code in row["kommunekoder"].split(";"):
            postal.setdefault(int(code), []).append((row["postnr"], row["bynavn"]))
    groups = _industry_codes()
    places = list(WHERE)
    band_values = [b for b, _w in BANDS]
    band_weights = [w for _b, w in BANDS]
    taken: set[str] = set()
    rows = []
    for i in range(COMPANIES):
        municipality = rng.choices(places, weights=[WHERE[p] for p in places])[0]
        industry = rng.choice(rng.choices([g for g, _w in groups], weights=[w for _g, w in groups])[0])
        postal_code, city = _postal(rng, municipality, postal)
        trade = rng.choice(TRADES.get(industry[:2], ("Service", "Consult", "Partner")))
        owner = rng.choice([rng.choice(LAST), city, TOWNS[municipality], "Nordsjællands", "Kyst", "Arresø",
                            "Esrum", "Kronborg"])
        name = " ".join(p for p in (owner, trade, rng.choice(FORMS)) if p)
        band = rng.choices(band_values, weights=band_weights)[0]
        rows.append({
            "cvr": _cvr(rng, taken), "name": name,
            "address": f"{rng.choice(STREETS)} {rng.randint(1, 120)}", "postal_code": postal_code, "city": city,
            "municipality_code": municipality, "industry_code": industry,
            "employees_min": band[0] if band else None, "employees_max": band[1] if band else None,
            "active": rng.random() > 0.07, "advertising_protected": rng.random() < 0.15,
            "phone": f"{rng.choice('4457')}{rng.randint(0, 9999999):07d}",
            "email": f"kontakt{i}@{owner.lower().replace(' ', '').replace('æ', 'ae').replace('ø', 'oe').replace('å', 'aa')}.dk"
            if rng.random() < 0.6 else "",
        })
    import_companies(session, rows, by=None, source=CompanySource.demo)

    staff: dict[int, list[int]] = {}
    for user in session.exec(select(User).where(User.role == Role.staff, User.active.is_(True))):
        staff.setdefault(user.job_centre_id, []).append(user.id)
    led = session.execute(sa.select(Company.id, Company.lead_centre_id).where(Company.lead_centre_id.is_not(None))
                          .order_by(Company.id)).all()
    # A few companies just moved into a centre: their coordinator is asked for a contact person.
    moved = {company_id for company_id, _c in rng.sample(led, min(12, len(led)))}
    updates = [{"b_id": company_id, "b_user": rng.choice(staff[centre]) if centre in staff else None}
               for company_id, centre in led if company_id not in moved]
    if updates:  # Core executemany: the ORM would send versioned rows one statement each
        t = Company.__table__
        session.execute(t.update().where(t.c.id == sa.bindparam("b_id")).values(contact_user_id=sa.bindparam("b_user")),
                        updates)
    if moved:
        session.execute(sa.update(Company).where(Company.id.in_(moved)).values(lead_changed_at=utcnow()))

    contacts = []
    for company_id, _centre in rng.sample(led, len(led) // 3):
        contacts.append({"company_id": company_id, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                         "role": rng.choice(("Direktør", "Indehaver", "HR-ansvarlig", "Driftsleder", "Værkfører")),
                         "phone": f"{rng.choice('234')}{rng.randint(0, 9999999):07d}", "email": "",
                         "created_at": utcnow(), "updated_at": utcnow()})
    if contacts:
        session.execute(sa.insert(Contact), contacts)

    # Two agreed exceptions to the municipality rule, through the one lead function.
    centres = CentreCache(session)
    for company in session.exec(select(Company).where(Company.municipality_code.in_((190, 230)))
                                .order_by(Company.id).limit(2)):
        assign_lead(session, company, by=None, centres=centres,
                    override_centre_id=centres.centre_id(201 if company.municipality_code == 190 else 223),
                    reason="Aftalt mellem jobcentrene: afdelingen ligger i Nordsjælland")
    session.flush()
