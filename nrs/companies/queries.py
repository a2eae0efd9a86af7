"""Reading companies: the search behind the list, the company page's history, front-page counts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from nrs import refcache
from nrs.auth.models import User
from nrs.collation import danish
from nrs.companies.fields import fold
from nrs.companies.models import Company, Contact
from nrs.companies.search import (
    FEW,
    NEAR_BELOW,
    RANK_LIMIT,
    NameContains,
    exact_match_ids,
    exact_matches,
    ranking,
    terms,
)
from nrs.db import capped_count
from nrs.municipalities.models import Municipality
from nrs.sectors.queries import big_enough, prefix_condition

#: Sort keys of the list → columns (the name, in Danish order, breaks ties so pages are stable).
#: "best" is the closest match first for a text search, else the name (``search``).
SORTS = {
    "best": (danish(Company.name),),
    "name": (danish(Company.name),),
    "cvr": (Company.cvr,),
    "municipality": (Company.municipality_code, danish(Company.name)),
    "industry": (Company.industry_code, danish(Company.name)),
    "employees": (Company.employees_min, danish(Company.name)),
    "updated": (Company.updated_at,),
}
#: Counting past this many matches costs more than it tells anyone.
COUNT_CAP = 10_000


@dataclass
class Criteria:
    """What the list was asked for; built from the query string, every field optional."""

    q: str = ""
    cvr: str = ""
    municipality: int | None = None
    lead: str = ""  # a centre id, or "none" for companies without a lead
    industry: str = ""
    min_employees: int | None = None
    status: str = "active"  # active | ceased | all
    protected: str = ""  # "" | yes | no
    contact: str = ""  # "" | none
    sort: str = "best"
    desc: bool = False
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args) -> Criteria:
        c = cls(q=args.get("q", "").strip()[:100], cvr=re.sub(r"\D", "", args.get("cvr", ""))[:8],
                lead=args.get("lead", "").strip(), industry=args.get("industry", "").strip().replace(".", ""),
                status=args.get("status", "active"), protected=args.get("protected", ""),
                contact=args.get("contact", ""), sort=args.get("sort", "best"), desc=args.get("desc") == "1")
        c.municipality = args.get("municipality", type=int)
        c.min_employees = args.get("min_employees", type=int)
        if c.industry and not re.fullmatch(r"\d{1,6}", c.industry):
            c.problems.append("industry")
            c.industry = ""
        if c.sort not in SORTS:
            c.sort = "best"
        return c


def _by_name(criteria: Criteria, session: Session | None, *, near: bool = True):
    """The name condition of ``criteria.q`` and, if the matches are few enough, their ranking.
    ``near=False``: exact matches only, whatever their number."""
    folded = fold(criteria.q)
    if not folded:
        # Only punctuation ("%", "_", "&"): folding leaves nothing, so look for it as typed,
        # literally (an empty term would otherwise list every company).
        return Company.name.icontains(criteria.q, autoescape=True), None
    words = terms(folded)
    ids = None if session is None else exact_match_ids(session, words)
    count = len(ids) if ids is not None else 0 if session is None else exact_matches(session, words)
    few = session is None or count <= FEW.get(session.get_bind().dialect.name, 10_000)
    by_name = NameContains(words, few=few, near=near and count < NEAR_BELOW, ids=ids)
    if criteria.q.isdigit() and len(criteria.q) <= 8:  # a CVR number typed in the name box
        by_name = sa.or_(by_name, Company.cvr.startswith(criteria.q))
    return by_name, ranking(folded) if count <= RANK_LIMIT and criteria.sort == "best" else None


def search(criteria: Criteria, session: Session | None = None, *, near: bool = True):
    """``select(Company)`` for the criteria, sorted. Every filter has an index to use.

    With ``session``, the name index is first asked how many companies the words match, which
    decides how the database finds them and whether near matches (typos) are added and the
    matches ranked, closest first (``nrs.companies.search``). Without, it plans for few.
    ``near=False`` leaves the near matches out (a caller that has enough exact ones).
    """
    return _search(criteria, session, near=near)[0]


def _search(criteria: Criteria, session: Session | None, *, near: bool = True):
    """``search``'s statement and whether it is ranked (every match sorted by closeness)."""
    stmt = select(Company)
    ranked = None
    if criteria.q:
        by_name, ranked = _by_name(criteria, session, near=near)
        stmt = stmt.where(by_name)
    if criteria.cvr:
        stmt = stmt.where(Company.cvr == criteria.cvr if len(criteria.cvr) == 8
                          else Company.cvr.startswith(criteria.cvr))
    if criteria.municipality is not None:
        stmt = stmt.where(Company.municipality_code == criteria.municipality)
    if criteria.lead == "none":
        stmt = stmt.where(Company.lead_centre_id.is_(None))
    elif criteria.lead.isdigit():
        stmt = stmt.where(Company.lead_centre_id == int(criteria.lead))
    if criteria.industry:
        stmt = stmt.where(prefix_condition([criteria.industry]))
    if criteria.min_employees:
        stmt = stmt.where(big_enough(criteria.min_employees))
    if criteria.status == "active":
        stmt = stmt.where(Company.active.is_(True))
    elif criteria.status == "ceased":
        stmt = stmt.where(Company.active.is_(False))
    if criteria.protected == "yes":
        stmt = stmt.where(Company.advertising_protected.is_(True))
    elif criteria.protected == "no":
        stmt = stmt.where(Company.advertising_protected.is_(False))
    if criteria.contact == "none":
        stmt = stmt.where(Company.contact_user_id.is_(None))
    if ranked is not None:
        return stmt.order_by(*ranked), True
    if criteria.q and criteria.sort == "best":
        # Too many matches to rank: in the order of the folded name, which its index gives.
        return stmt.order_by(Company.name_search, Company.id), False
    columns = [c.desc() if criteria.desc else c.asc() for c in SORTS[criteria.sort]]
    return stmt.order_by(*columns, Company.id.desc() if criteria.desc else Company.id.asc()), False


def find_companies(session: Session, text: str, *, limit: int = 10, active_only: bool = True) -> list[Company]:
    """The companies a typed name (typos and any word order forgiven) or CVR number (or its first
    digits) finds, closest first: for a type-ahead or a search-and-pick. Empty text finds nothing."""
    criteria = Criteria(q=text.strip()[:100], status="active" if active_only else "all")
    if not criteria.q:
        return []
    return list(session.exec(search(criteria, session).limit(limit)))


@dataclass
class ResultPage:
    items: list
    page: int
    per_page: int
    #: Matches, counted up to COUNT_CAP + 1 only.
    counted: int

    @property
    def more_than_cap(self) -> bool:
        return self.counted > COUNT_CAP

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.counted

    @property
    def pages(self) -> int | None:
        return None if self.more_than_cap else max(1, -(-self.counted // self.per_page))


def page_of(session: Session, stmt, *, page: int, per_page: int = 50) -> ResultPage:
    """One page, with a count that stops at COUNT_CAP: on a million companies an exact count
    of an unfiltered list would scan them all on every page."""
    page = max(1, page)
    counted = capped_count(session, stmt.with_only_columns(Company.id), COUNT_CAP)
    items = list(session.exec(stmt.limit(per_page).offset((page - 1) * per_page)))
    return ResultPage(items=items, page=page, per_page=per_page, counted=counted)


def search_page(session: Session, criteria: Criteria, *, page: int, per_page: int = 50) -> ResultPage:
    """One page of ``search``. A ranked search (a few thousand matches at most, with near ones)
    is run once for the ids in rank order, which give the count and the page; counting it
    separately would find and check the near matches a second time."""
    stmt, ranked = _search(criteria, session)
    if not ranked:
        return page_of(session, stmt, page=page, per_page=per_page)
    page = max(1, page)
    ids = list(session.execute(stmt.with_only_columns(Company.id).limit(COUNT_CAP + 1)).scalars())
    wanted = ids[(page - 1) * per_page:page * per_page]
    found = {c.id: c for c in session.exec(select(Company).where(Company.id.in_(wanted)))} if wanted else {}
    return ResultPage(items=[found[i] for i in wanted if i in found], page=page, per_page=per_page,
                      counted=len(ids))


def municipality_names(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(Municipality.code, Municipality.name)).all())


def municipalities(session: Session) -> list[tuple[int, str, bool]]:
    """(code, name, NRS member) of every municipality: the company form's select."""
    return [tuple(row) for row in session.execute(
        sa.select(Municipality.code, Municipality.name, Municipality.nrs_member)).all()]


def centres(session: Session) -> tuple[refcache.Centre, ...]:
    """The job centres by name (the reference-data cache: the list and every company page ask)."""
    return refcache.centres(session)


def user_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def contacts(session: Session, company_id: int) -> list[Contact]:
    return list(session.exec(select(Contact).where(Contact.company_id == company_id).order_by(danish(Contact.name))))


def without_lead_count(session: Session) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(Company).where(Company.lead_centre_id.is_(None))
    ).scalar_one()


def needing_contact(session: Session, centre_id: int, *, limit: int = 10) -> tuple[list[Company], int]:
    """The centre's companies whose lead changed to it and that still have no contact person."""
    where = (Company.lead_centre_id == centre_id, Company.contact_user_id.is_(None),
             Company.lead_changed_at.is_not(None))
    total = session.execute(sa.select(sa.func.count()).select_from(Company).where(*where)).scalar_one()
    items = list(session.exec(select(Company).where(*where).order_by(Company.lead_changed_at.desc())
                              .limit(limit)))
    return items, total
