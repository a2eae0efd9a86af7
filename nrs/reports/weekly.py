"""The weekly status e-mail: each opted-in user's centre for the past ISO week, beside NRS.

Counts and links only: no referral details, no company names, nothing about a citizen. The
figures come from the job-order history (``nrs.reports.queries``), so re-sending an old week
gives that week's figures. Admins (the steering group) get NRS with a row per centre.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select
from werkzeug.routing import BuildError

from nrs.activities.models import Task, open_task
from nrs.agreements.models import Agreement
from nrs.agreements.queries import ending_soon_condition
from nrs.auth.models import Role, User
from nrs.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignTarget,
    CampaignTargetEvent,
    TargetStatus,
)
from nrs.clock import COPENHAGEN, local, utcnow
from nrs.collation import danish
from nrs.companies.models import Company
from nrs.config import Settings
from nrs.enquiries import queries as enquiry_queries
from nrs.enquiries.queries import Figures as EnquiryFigures
from nrs.i18n import recipient_language
from nrs.joborders.deadlines import past_deadline_condition
from nrs.joborders.models import HelpRequest, Hire, JobOrder, Referral
from nrs.joborders.states import JobOrderState, filled_text
from nrs.mail.models import OutboxMessage
from nrs.mail.services import enqueue
from nrs.municipalities.models import JobCentre
from nrs.notifications import unsubscribe
from nrs.reports.queries import fill_statistics, hired_as_of, other_hires_stmt, states_as_of

#: An order open this many days without any referral is pointed out.
IDLE_DAYS = 14
#: Each list in the mail shows this many lines, then "and N more" with a link to the full list.
LIST_LIMIT = 25
KIND = "weekly"

#: The table rows, in order: attribute of Figures, Danish label, short column head.
ROWS = (
    ("received", _l("Jobordrer modtaget i ugen"), _l("Modt.")),
    ("filled", _l("Besat i ugen"), _l("Besat")),
    ("unfilled", _l("Ikke besat i ugen"), _l("Ikke b.")),
    ("open_at_end", _l("Åbne ved ugens slutning"), _l("Åbne")),
    ("fill_rate", _l("Besættelsesprocent (alle lukkede)"), _l("Bes.%")),
    ("idle_without_referral", _l("Åbne over 14 dage uden henvisning"), _l(">14 d.")),
    ("asking_for_help", _l("Beder om hjælp fra andre jobcentre"), _l("Hjælp")),
    ("hires_from_other_centres", _l("Ansat med kandidat fra andet jobcenter"), _l("Andre")),
    ("agreements_ending", _l("Aftaler der udløber inden for 60 dage"), _l("Aftaler")),
    ("past_deadline", _l("Åbne med overskredet frist"), _l("Frist")),
)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)


def parse_week(text: str) -> IsoWeek:
    """``2016-W13`` (or ``2016W13``, ``2016-13``) to an ISO week; refuses week 53 of a 52-week year."""
    raw = text.strip().upper().replace("W", "-").replace("--", "-")
    try:
        year, week = (int(p) for p in raw.split("-"))
        date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO week like 2016-W13") from None
    return IsoWeek(year, week)


def ensure_not_future(week: IsoWeek, now: datetime) -> None:
    """A week that has not begun has nothing to report: refused (the CLI and the preview)."""
    if week.monday > local(now).date():
        raise ValueError(f"uge {week} ligger i fremtiden; vælg en uge der er begyndt")


def previous_week(now: datetime) -> IsoWeek:
    """The ISO week before the one ``now`` falls in, in Copenhagen: on Monday, last week."""
    return IsoWeek.of(local(now).date() - timedelta(days=7))


@dataclass
class Figures:
    received: int = 0
    filled: int = 0
    unfilled: int = 0
    open_at_end: int = 0
    #: filled / closed as of the week's end, all time (the front page's fill rate).
    fill_rate: float | None = None
    idle_without_referral: int = 0
    asking_for_help: int = 0
    hires_from_other_centres: int = 0
    agreements_ending: int = 0
    #: Still open, deadline before the week's end (``nrs.joborders.deadlines``).
    past_deadline: int = 0

    @property
    def quiet(self) -> bool:
        """Nothing to put in a table: no order came, closed, stands open or ends."""
        return not (self.received or self.filled or self.unfilled or self.open_at_end
                    or self.hires_from_other_centres or self.agreements_ending)


@dataclass
class CampaignProgress:
    """One campaign's contacts in the week: targets whose status moved on in that week."""

    name: str
    contacted: int


@dataclass
class OrderLine:
    """One order in a list of the mail: what to act on, by title and company."""

    id: int
    title: str
    company: str
    lead_centre_id: int
    contact_user_id: int | None
    received_on: date
    holder: str = ""
    asking_centre: str = ""
    link: str = ""
    positions: int = 1
    #: hired positions live at the week's end
    hired: int = 0

    def days_open(self, end: date) -> int:
        return (end - self.received_on).days

    @property
    def filled(self) -> str:
        """ "besat 2 af 3" for an order of several positions (``states.filled_text``), else ""."""
        return filled_text(self.positions, self.hired)


@dataclass
class TaskLine:
    """One open task in the mail, by title and company, with its holder for a coordinator."""

    id: int
    title: str
    company: str
    due: date
    assignee_id: int
    holder: str
    centre_id: int
    link: str = ""


@dataclass
class WeekFigures:
    """Every centre's figures and NRS's for one week, computed once for all recipients."""

    week: IsoWeek
    nrs: Figures
    centres: list[tuple[JobCentre, Figures]]
    #: campaign contacts in the week: NRS-wide (key None) and per lead centre id
    campaigns: dict[int | None, list[CampaignProgress]] = field(default_factory=dict)
    #: open orders at the week's end received over IDLE_DAYS before it with no referral yet
    idle_orders: list[OrderLine] = field(default_factory=list)
    #: open orders asking the other centres for help at the week's end
    help_orders: list[OrderLine] = field(default_factory=list)
    #: tasks open on the Monday after the week, due by the Sunday after it: per holder, per centre
    tasks_by_user: dict[int, list[TaskLine]] = field(default_factory=dict)
    tasks_by_centre: dict[int, list[TaskLine]] = field(default_factory=dict)
    #: enquiries received in the week (``enquiries.queries.figures``): per lead centre id, NRS under None
    enquiries: dict[int | None, EnquiryFigures] = field(default_factory=dict)
    #: enquiries without a first response at the week's end: per lead centre id, NRS under "all"
    enquiries_waiting: dict = field(default_factory=dict)

    def enquiry_lines(self, centre_id: int | None) -> list[str]:
        """The coordinators' enquiry lines: their centre's (``None``: all of NRS, for the steering group)."""
        f = self.enquiries.get(centre_id) or EnquiryFigures(0, {}, {}, {}, 0, 0, None)
        waiting = self.enquiries_waiting.get("all" if centre_id is None else centre_id, 0)
        if not (f.total or waiting):
            return []  # no enquiry came and none waits: nothing to say
        return enquiry_queries.summary_lines(f, waiting)

    @property
    def next_monday(self) -> date:
        """The day the mail is read: overdue means due before it, this week up to six days after."""
        return self.week.sunday + timedelta(days=1)

    def of(self, centre_id: int) -> Figures:
        for centre, figures in self.centres:
            if centre.id == centre_id:
                return figures
        return Figures()


def compute(session: Session, week: IsoWeek) -> WeekFigures:
    """The week's figures per lead centre and for NRS, from the order history up to Sunday."""
    start, end = week.monday, week.sunday
    centres = list(session.exec(select(JobCentre).order_by(danish(JobCentre.name))))
    codes = {c.id: str(c.municipality_code) for c in centres}
    per: dict[int, Figures] = defaultdict(Figures)
    idle_ids, help_ids = [], []

    states = states_as_of(session, end)
    received = dict(session.execute(
        sa.select(JobOrder.id, JobOrder.received_on).where(JobOrder.received_on <= end)).all())
    referred = _first_referral(session, end)
    helped = _asking_for_help(session, end)
    for oid, (state, lead, since) in states.items():
        f = per[lead]
        if start <= received[oid] <= end:
            f.received += 1
        closed_in_week = start <= since <= end
        if state == JobOrderState.filled and closed_in_week:
            f.filled += 1
        elif state == JobOrderState.unfilled and closed_in_week:
            f.unfilled += 1
        elif state in (JobOrderState.open, JobOrderState.paused):
            f.open_at_end += 1
            if received[oid] <= end - timedelta(days=IDLE_DAYS) and oid not in referred:
                f.idle_without_referral += 1
                idle_ids.append(oid)
            if oid in helped:
                f.asking_for_help += 1
                help_ids.append(oid)
    for lead, n in session.execute(
        other_hires_stmt(end).where(Hire.hired_on >= start, Hire.hired_on <= end)
    ).all():
        per[lead].hires_from_other_centres += n
    for centre_id, n in _agreements_ending(session, end).items():
        per[centre_id].agreements_ending += n
    for lead, n in session.execute(
        sa.select(JobOrder.lead_centre_id, sa.func.count())
        .where(past_deadline_condition(end + timedelta(days=1))).group_by(JobOrder.lead_centre_id)
    ).all():
        per[lead].past_deadline += n

    rates = fill_statistics(session, as_of=end)
    for centre in centres:
        per[centre.id].fill_rate = rates.get(codes[centre.id], {}).get("fill_rate")
    nrs = Figures(fill_rate=rates.get("NRS", {}).get("fill_rate"))
    for name in ("received", "filled", "unfilled", "open_at_end", "idle_without_referral",
                 "asking_for_help", "hires_from_other_centres", "agreements_ending", "past_deadline"):
        setattr(nrs, name, sum(getattr(per[c.id], name) for c in centres))
    names = {c.id: _short(c.name) for c in centres}
    return WeekFigures(week=week, nrs=nrs, centres=[(c, per[c.id]) for c in centres],
                       campaigns=_campaigns(session, week),
                       idle_orders=_order_lines(session, idle_ids, names, end),
                       help_orders=_order_lines(session, help_ids, names, end),
                       **_tasks(session, end + timedelta(days=1)), **_enquiries(session, week))


def _enquiries(session: Session, week: IsoWeek) -> dict:
    """The week's enquiry figures (received, within the goal by the Monday after) and those waiting."""
    monday = week.sunday + timedelta(days=1)
    working_days = current_app.config["NRS"].enquiry_response_working_days
    at = datetime.combine(monday, time(0), tzinfo=COPENHAGEN).astimezone(UTC)
    return {"enquiries": enquiry_queries.figures_by_centre(session, start=week.monday, end=week.sunday,
                                                             today=week.sunday, working_days=working_days),
            "enquiries_waiting": enquiry_queries.waiting_at(session, at)}


def _tasks(session: Session, monday: date) -> dict:
    """Tasks open on ``monday`` (not done, or done later) and due by the Sunday after it."""
    start = datetime.combine(monday, time(0), tzinfo=COPENHAGEN).astimezone(UTC)
    by_user: dict[int, list[TaskLine]] = defaultdict(list)
    by_centre: dict[int, list[TaskLine]] = defaultdict(list)
    for tid, title, due, assignee, company, holder, centre in session.execute(
        sa.select(Task.id, Task.title, Task.due, Task.assignee_id, Company.name, User.name, User.job_centre_id)
        .join(Company, Company.id == Task.company_id).join(User, User.id == Task.assignee_id)
        .where(Task.due <= monday + timedelta(days=6), Task.created_at < start + timedelta(days=7),
               sa.or_(open_task(), Task.done_at >= start))
        .order_by(Task.due, Task.id)
    ).all():
        line = TaskLine(tid, title, company, due, assignee, holder, centre)
        by_user[assignee].append(line)
        by_centre[centre].append(line)
    return {"tasks_by_user": dict(by_user), "tasks_by_centre": dict(by_centre)}


def _order_lines(session: Session, ids: list[int], centre_names: dict[int, str], end: date) -> list[OrderLine]:
    """Title, company, holder and positions filled at ``end`` of the given orders, oldest first
    (two statements per 500)."""
    out = []
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        hired = hired_as_of(session, chunk, end)
        for oid, title, company, lead, contact, received, holder, positions in session.execute(
            sa.select(JobOrder.id, JobOrder.title, Company.name, JobOrder.lead_centre_id,
                      JobOrder.contact_user_id, JobOrder.received_on, User.name, JobOrder.positions)
            .join(Company, Company.id == JobOrder.company_id)
            .outerjoin(User, User.id == JobOrder.contact_user_id)
            .where(JobOrder.id.in_(chunk))
        ).all():
            out.append(OrderLine(oid, title, company, lead, contact, received, holder or "",
                                 asking_centre=centre_names.get(lead, ""), positions=positions,
                                 hired=hired.get(oid, 0)))
    return sorted(out, key=lambda o: (o.received_on, o.id))


def _first_referral(session: Session, end: date) -> set[int]:
    return set(session.execute(
        sa.select(Referral.job_order_id).where(Referral.referred_on <= end).distinct()
    ).scalars())


def _asking_for_help(session: Session, end: date) -> set[int]:
    """Orders with a help request made by the week's end and not yet answered."""
    cutoff = datetime.combine(end + timedelta(days=1), time(0), tzinfo=COPENHAGEN).astimezone(UTC)
    return set(session.execute(
        sa.select(HelpRequest.job_order_id)
        .where(HelpRequest.asked_at < cutoff, HelpRequest.resolved.is_(False)).distinct()
    ).scalars())


def _agreements_ending(session: Session, end: date) -> dict[int, int]:
    """Agreements ending within 60 days of the week's end, per coordinating centre."""
    return dict(session.execute(
        sa.select(Agreement.coordinating_centre_id, sa.func.count(Agreement.id))
        .where(ending_soon_condition(end)).group_by(Agreement.coordinating_centre_id)
    ).all())


def _campaigns(session: Session, week: IsoWeek) -> dict[int | None, list[CampaignProgress]]:
    """Targets contacted in the week per campaign, NRS-wide and per lead centre.

    A contact is a status change away from "not contacted" dated in the week (its status date,
    else when it was recorded). Campaigns not started by the week's end (drafts, a later start)
    and campaigns ended before it are left out; a started campaign with no contacts shows 0.
    """
    start, end = week.monday, week.sunday
    t0 = datetime.combine(start, time(0), tzinfo=COPENHAGEN).astimezone(UTC)
    t1 = datetime.combine(end + timedelta(days=1), time(0), tzinfo=COPENHAGEN).astimezone(UTC)
    campaigns = list(session.exec(
        select(Campaign).where(Campaign.status != CampaignStatus.draft,
                               sa.or_(Campaign.starts_on.is_(None), Campaign.starts_on <= end),
                               sa.or_(Campaign.ends_on.is_(None), Campaign.ends_on >= start))
        .order_by(Campaign.id)))
    if not campaigns:
        return {}
    ev = CampaignTargetEvent
    in_week = sa.or_(sa.and_(ev.status_on.is_not(None), ev.status_on >= start, ev.status_on <= end),
                     sa.and_(ev.status_on.is_(None), ev.at >= t0, ev.at < t1))
    counts = session.execute(
        sa.select(CampaignTarget.campaign_id, CampaignTarget.lead_centre_id,
                  sa.func.count(sa.distinct(CampaignTarget.id)))
        .join(ev, ev.target_id == CampaignTarget.id)
        .where(CampaignTarget.campaign_id.in_([c.id for c in campaigns]),
               ev.to_status != TargetStatus.not_contacted, in_week)
        .group_by(CampaignTarget.campaign_id, CampaignTarget.lead_centre_id)).all()
    per: dict[tuple[int, int | None], int] = {(cid, lead): n for cid, lead, n in counts}
    # a centre sees the campaigns it has targets on (0 contacts is news then, not noise)
    on_list = {tuple(r) for r in session.execute(
        sa.select(CampaignTarget.campaign_id, CampaignTarget.lead_centre_id)
        .where(CampaignTarget.campaign_id.in_([c.id for c in campaigns]),
               CampaignTarget.lead_centre_id.is_not(None)).distinct()).all()}
    out: dict[int | None, list[CampaignProgress]] = defaultdict(list)
    for campaign in campaigns:
        out[None].append(CampaignProgress(campaign.name, sum(n for (cid, _l), n in per.items()
                                                             if cid == campaign.id)))
        for cid, lead in sorted(on_list):
            if cid == campaign.id:
                out[lead].append(CampaignProgress(campaign.name, per.get((cid, lead), 0)))
    return dict(out)


@dataclass
class Rendered:
    key: str
    to: str
    subject: str
    text: str
    html: str
    unsubscribe: str = ""


def _adapter():
    parts = urlsplit(current_app.config["NRS"].base_url.rstrip("/"))
    return current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)


def _links() -> dict[str, str]:
    """Absolute links into the app, built from ``NRS_BASE_URL`` (no request needed)."""
    base = current_app.config["NRS"].base_url.rstrip("/")
    adapter = _adapter()

    def link(*endpoints: str) -> str:
        for endpoint in endpoints:
            try:
                return adapter.build(endpoint, {}, force_external=True)
            except BuildError:
                continue
        return base + "/"

    return {
        "home": link("home.index"),
        "orders": link("joborders.index", "home.index"),
        "help": link("joborders.help_wanted", "joborders.index", "home.index"),
        "agreements": link("agreements.index", "home.index"),
        "campaigns": link("campaigns.index", "home.index"),
        "settings": link("notifications.settings", "auth.password", "home.index"),
        "tasks": link("activities.tasks", "home.index"),
        "preview": link("notifications.weekly_preview", "home.index"),
    }


def order_link(order_id: int) -> str:
    return _adapter().build("joborders.detail", {"order_id": order_id}, force_external=True)


def task_link(task_id: int) -> str:
    return _adapter().build("activities.task", {"task_id": task_id}, force_external=True)


@dataclass
class Lists:
    """What one user should act on, by name: the mail's lists (counts are in the table)."""

    #: my open orders (coordinators: the centre's) over IDLE_DAYS old without a referral
    idle: list[OrderLine] = field(default_factory=list)
    #: other centres' orders asking for help, so mine to answer
    help: list[OrderLine] = field(default_factory=list)
    #: my tasks (coordinators: the centre's) due before the Monday the mail is read
    overdue: list[TaskLine] = field(default_factory=list)
    #: my own tasks due in the week the mail is read
    this_week: list[TaskLine] = field(default_factory=list)
    more_idle: int = 0
    more_help: int = 0
    more_overdue: int = 0


def lists_for(user: User, centre: JobCentre, figures: WeekFigures) -> Lists:
    """A consultant sees their own orders; a coordinator the centre's, with who holds each."""
    if user.role == Role.admin:
        return Lists()
    if user.role == Role.coordinator:
        idle = [o for o in figures.idle_orders if o.lead_centre_id == centre.id]
    else:
        idle = [o for o in figures.idle_orders if o.contact_user_id == user.id]
    help_ = [o for o in figures.help_orders if o.lead_centre_id != centre.id]
    for o in idle[:LIST_LIMIT] + help_[:LIST_LIMIT]:
        o.link = o.link or order_link(o.id)
    monday = figures.next_monday
    mine = figures.tasks_by_user.get(user.id, [])
    held = figures.tasks_by_centre.get(centre.id, []) if user.role == Role.coordinator else mine
    overdue = [t for t in held if t.due < monday]
    this_week = [t for t in mine if t.due >= monday]
    for t in overdue[:LIST_LIMIT] + this_week[:LIST_LIMIT]:
        t.link = t.link or task_link(t.id)
    return Lists(idle=idle[:LIST_LIMIT], help=help_[:LIST_LIMIT], overdue=overdue[:LIST_LIMIT],
                 this_week=this_week[:LIST_LIMIT], more_idle=max(len(idle) - LIST_LIMIT, 0),
                 more_help=max(len(help_) - LIST_LIMIT, 0), more_overdue=max(len(overdue) - LIST_LIMIT, 0))


def render_for(user: User, centre: JobCentre, figures: WeekFigures, links: dict) -> Rendered:
    """The user's mail, in the language they chose (the Monday job itself speaks Danish)."""
    with recipient_language(user):
        return _render_for(user, centre, figures, links)


def _render_for(user: User, centre: JobCentre, figures: WeekFigures, links: dict) -> Rendered:
    steering = user.role == Role.admin
    mine = figures.nrs if steering else figures.of(centre.id)
    lists = lists_for(user, centre, figures)
    unsubscribe_link = unsubscribe.link(user, "weekly")
    ctx = {
        "lists": lists,
        "coordinator": user.role == Role.coordinator,
        "end": figures.week.sunday,
        "next_monday": figures.next_monday,
        "unsubscribe_link": unsubscribe_link,
        "user": user,
        "centre": centre,
        "steering": steering,
        "week": figures.week,
        "mine": mine,
        "nrs": figures.nrs,
        "centres": figures.centres,
        "campaigns": figures.campaigns.get(None if steering else centre.id, []),
        # the enquiry figures are the coordinators' (and the steering group's, for all of NRS)
        "enquiry_lines": (figures.enquiry_lines(None if steering else centre.id)
                          if steering or user.role == Role.coordinator else []),
        "quiet": mine.quiet,
        "links": links,
        "idle_days": IDLE_DAYS,
        "rows": ROWS,
        # the plain-text table's first column: as wide as the longest label in this language
        "label_width": max(42, *(len(str(label)) for _attr, label, _head in ROWS)),
        "cell": _cell,
        "short": _short,
    }
    subject = render_template("email/weekly/subject.txt", **ctx).strip()
    return Rendered(
        key=f"{KIND}:{figures.week}:{user.email}",
        to=user.email,
        subject=" ".join(subject.split()),
        text=_tidy(render_template("email/weekly/body.txt", **ctx)),
        html=render_template("email/weekly/body.html", **ctx),
        unsubscribe=unsubscribe_link,
    )


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row: the template stays readable."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _short(name: str) -> str:
    """``Jobcenter Allerød`` → ``Allerød``: narrow enough for a plain-text column."""
    return name.removeprefix("Jobcenter ").strip()


def _cell(figures: Figures, attr: str) -> str:
    value = getattr(figures, attr)
    if attr == "fill_rate":
        return "–" if value is None else f"{round(100 * value)} %"
    return str(value)


def recipients(session: Session) -> list[tuple[User, JobCentre]]:
    """Active users who want the weekly e-mail, with their centre."""
    return list(session.exec(
        select(User, JobCentre).join(JobCentre, JobCentre.id == User.job_centre_id)
        .where(User.active.is_(True), User.weekly_email.is_(True)).order_by(User.email)
    ).all())


def render_all(session: Session, *, week: IsoWeek) -> list[Rendered]:
    people = recipients(session)
    if not people:
        return []
    figures = compute(session, week)
    links = _links()
    return [render_for(user, centre, figures, links) for user, centre in people]


def render_one(session: Session, user: User, *, week: IsoWeek) -> Rendered:
    """One user's mail for a week, as it would be sent (the preview in the browser)."""
    centre = session.get(JobCentre, user.job_centre_id)
    return render_for(user, centre, compute(session, week), _links())


def enqueue_weekly(session: Session, *, week: IsoWeek, now: datetime | None = None,
                   force: bool = False) -> list[OutboxMessage]:
    """Queue the week's message for every opted-in active user; a second call queues nothing new.

    The outbox's unique key ``weekly:<week>:<email>`` makes this idempotent; ``force`` queues
    the week again (``…#2``) for everyone.
    """
    now = now or utcnow()
    queued = []
    for m in render_all(session, week=week):
        message = enqueue(session, key=m.key, to=m.to, subject=m.subject, text=m.text,
                          html=m.html, now=now, force=force, unsubscribe=m.unsubscribe)
        if message is not None:
            queued.append(message)
    return queued


def weekly_job(session: Session, *, now: datetime, settings: Settings) -> None:
    """Monday morning: queue last week's status e-mail (the outbox job sends it)."""
    enqueue_weekly(session, week=previous_week(now), now=now)
