"""Orders counted in positions (issue 14): each position ends in one outcome, the state follows from them,
and never more outcomes than positions, refused by the service and by the database."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from nrs.db import begin_write, make_engine
from nrs.errors import DomainError
from nrs.joborders import services
from nrs.joborders.models import JobOrder, JobOrderEvent, PositionOutcome, Referral
from nrs.joborders.states import JobOrderState
from tests.conftest import post_form
from tests.joborders.test_views import figure

D = date(2016, 3, 10)


def _hire(centre_id, on=D, referral_id=None):
    return services.NewOutcome("hired", hire=services.NewHire(centre_id, on, referral_id))


def test_hires_never_exceed_positions(session, make_job_order, centre_by_code):
    one = make_job_order(positions=1)
    allerod = centre_by_code(201).id
    with pytest.raises(DomainError, match="1 åbne stillinger"):
        services.fill(session, one, by=None, expected_version=one.version, on_date=D,
                      hires=[services.NewHire(allerod, D), services.NewHire(allerod, D)])
    session.rollback()
    three = make_job_order(positions=3)
    services.resolve_positions(session, three, by=None, expected_version=three.version, on_date=D,
                               outcomes=[_hire(allerod), _hire(allerod)])
    with pytest.raises(DomainError, match="1 åbne stillinger"):
        services.resolve_positions(session, three, by=None, expected_version=three.version, on_date=D,
                                   outcomes=[_hire(allerod), services.NewOutcome("withdrawn")])


def test_the_state_follows_from_the_positions(session, make_job_order, centre_by_code):
    egedal = centre_by_code(240).id
    order = make_job_order(positions=3)
    services.resolve_positions(session, order, by=None, expected_version=order.version, on_date=D,
                               outcomes=[_hire(egedal)])
    assert order.state == JobOrderState.open and services.position_counts(session, order).open == 2
    services.resolve_positions(session, order, by=None, expected_version=order.version, on_date=D,
                               outcomes=[services.NewOutcome("outside")])
    assert order.state == JobOrderState.open
    # "close unfilled" the last one: a referred candidate was hired, so the order is filled
    services.close_unfilled(session, order, by=None, expected_version=order.version, on_date=D,
                            unfilled_reason="no_candidates")
    assert order.state == JobOrderState.filled and order.closed_on == D
    events = session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order.id)
                          .order_by(JobOrderEvent.id)).all()
    assert [(e.from_state, e.to_state) for e in events][1:] == [("open", "open"), ("open", "open"), ("open", "filled")]

    withdrawn = make_job_order(positions=2)
    services.resolve_positions(session, withdrawn, by=None, expected_version=withdrawn.version, on_date=D,
                               outcomes=[services.NewOutcome("withdrawn")] * 2)
    assert withdrawn.state == JobOrderState.unfilled and withdrawn.unfilled_reason == "company_withdrew"


def test_closing_asks_what_happened_to_the_remaining_positions(session, make_job_order, centre_by_code):
    order = make_job_order(positions=3)
    with pytest.raises(DomainError, match="2 øvrige stillinger") as refused:
        services.fill(session, order, by=None, expected_version=order.version, on_date=D,
                      hires=[services.NewHire(centre_by_code(217).id, D)])
    assert refused.value.field == "remaining"
    session.rollback()
    order = session.get(JobOrder, order.id)
    services.fill(session, order, by=None, expected_version=order.version, on_date=D,
                  hires=[services.NewHire(centre_by_code(217).id, D)], remaining=services.NewOutcome("withdrawn"))
    assert order.state == JobOrderState.filled
    assert sorted(o.kind for o in services.live_outcomes(session, order.id)) == ["hired", "withdrawn", "withdrawn"]


def test_positions_cannot_drop_below_the_outcomes(session, make_job_order, centre_by_code):
    order = make_job_order(positions=3)
    services.resolve_positions(session, order, by=None, expected_version=order.version, on_date=D,
                               outcomes=[_hire(centre_by_code(201).id), services.NewOutcome("outside")])
    with pytest.raises(DomainError, match="2 stillinger har allerede et udfald"):
        services.update_job_order(session, order, by=None, expected_version=order.version, positions=2)
    services.update_job_order(session, order, by=None, expected_version=order.version, positions=4)
    assert services.position_counts(session, order).open == 2


def test_the_database_refuses_more_outcomes_than_positions(session, make_job_order):
    """Rows written around the services: a slot beyond the positions, a slot taken twice, positions
    lowered under a live slot; each is refused by the database itself."""
    order = make_job_order(positions=2)
    event_id = session.exec(select(JobOrderEvent.id).where(JobOrderEvent.job_order_id == order.id)).first()

    def outcome(slot, positions=2):
        return PositionOutcome(job_order_id=order.id, order_positions=positions, slot=slot, kind="withdrawn",
                               event_id=event_id, on_date=D)

    for bad in (outcome(3), outcome(3, positions=3)):  # beyond positions; a copy of positions that is not the order's
        session.add(bad)
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    session.add(outcome(2))
    session.commit()
    session.add(outcome(2))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    with pytest.raises(IntegrityError):
        session.execute(sa.text("UPDATE job_orders SET positions = 1 WHERE id = :id"), {"id": order.id})
    session.rollback()
    session.execute(sa.text("UPDATE job_orders SET positions = 5 WHERE id = :id"), {"id": order.id})
    assert session.execute(sa.select(PositionOutcome.order_positions)).scalars().all() == [5]  # follows the order


def test_concurrent_writers_never_fill_more_slots_than_positions(app, database_url, session, make_job_order):
    """Eight writers at once, each taking a slot of a 3-position order (two per slot, one beyond):
    whatever the interleaving, the database keeps exactly one live outcome per slot 1-3."""
    order = make_job_order(positions=3)
    order_id = order.id
    event_id = session.exec(select(JobOrderEvent.id).where(JobOrderEvent.job_order_id == order_id)).first()
    session.close()
    engine = make_engine(database_url, pool_size=10)
    barrier = threading.Barrier(8)
    results: list[str] = []

    def write(i: int) -> None:
        with app.app_context(), Session(engine) as s:
            barrier.wait()
            try:
                begin_write(s)
                s.add(PositionOutcome(job_order_id=order_id, order_positions=3, slot=i % 4 + 1, kind="outside",
                                      event_id=event_id, on_date=D))
                s.commit()
                results.append("written")
            except IntegrityError:
                s.rollback()
                results.append("refused")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    slots = sorted(session.execute(sa.select(PositionOutcome.slot).where(
        PositionOutcome.job_order_id == order_id)).scalars())
    assert slots == [1, 2, 3] and sorted(results) == ["refused"] * 5 + ["written"] * 3


def test_three_positions_two_hired_from_other_centres_third_withdrawn_in_the_browser(
        client, session, make_company, make_user, login_as, centre_by_code):
    """The issue's journey through the pages: referrals from Egedal and Helsingør, both hired, the
    third position withdrawn, in the positions form: filled 2 of 3; the front page counts 3 positions."""
    company = make_company(municipality_code=201)
    login_as("staff", 201)
    order = services.log_job_order(session, by=None, company=company, title="Lagerarbejder", positions=3,
                                   received_on=date(2016, 3, 1))
    for code in (240, 217):
        referral = services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(code).id,
                                         referred_on=date(2016, 3, 2))
        services.update_referral_outcome(session, referral, by=None, outcome="hired")
    session.commit()
    url = f"/jobordrer/{order.id}"
    page = client.get(url).get_data(as_text=True)
    assert "3 af 3 stillinger er stadig åbne" in page
    assert page.count('name="positions-positions-') and 'positions-positions-2-kind' in page
    refs = session.exec(select(Referral).order_by(Referral.id)).all()
    data = {"positions-version": str(order.version), "positions-on_date": "10-03-2016"}
    for i, referral in enumerate(refs):
        data.update({f"positions-positions-{i}-kind": "hired",
                     f"positions-positions-{i}-centre_id": str(referral.referring_centre_id),
                     f"positions-positions-{i}-hired_on": "10-03-2016",
                     f"positions-positions-{i}-referral_id": str(referral.id)})
    data["positions-positions-2-kind"] = "withdrawn"
    r = post_form(client, f"{url}/stillinger", data, form_url=url)
    assert r.status_code == 302, r.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="state">Besat' in page and "besat 2 af 3" in page
    assert re.search(r"Stilling 3: Trukket tilbage af virksomheden", page)
    front = client.get("/").get_data(as_text=True)
    assert figure(front, "NRS", "positions_received") == 3 and figure(front, "NRS", "positions_hired") == 2
    listing = client.get("/jobordrer/").get_data(as_text=True)
    assert "besat 2 af 3" in listing


def test_a_bad_positions_form_is_a_400_next_to_the_form(client, session, make_job_order, login_as):
    order = make_job_order(positions=2)
    login_as("staff", 201)
    url = f"/jobordrer/{order.id}"
    r = post_form(client, f"{url}/stillinger", {"positions-version": str(order.version),
                                                "positions-on_date": "10-03-2016",
                                                "positions-positions-0-kind": "hired"}, form_url=url)
    assert r.status_code == 400 and "Vælg jobcentret, hvis kandidat blev ansat." in r.get_data(as_text=True)
    r = post_form(client, f"{url}/stillinger", {"positions-version": str(order.version),
                                                "positions-on_date": "10-03-2016",
                                                "positions-positions-0-kind": "sacked"}, form_url=url)
    assert r.status_code == 400 and "Vælg et af udfaldene på listen." in r.get_data(as_text=True)
    assert session.get(JobOrder, order.id).state == JobOrderState.open


def test_occupational_group_is_suggested_from_the_title_and_kept_to_the_list(client, session, make_job_order,
                                                                             login_as):
    from nrs.joborders import occupations

    assert (occupations.suggest("Tømrer"), occupations.suggest("Social- og sundhedshjælper"),
            occupations.suggest("Chauffør til lastbil"), occupations.suggest("Xyz")) == ("7", "5", "8", None)
    assert len(occupations.GROUPS) == 10 and occupations.GROUPS["9"][1] == "Elementary occupations"
    order = make_job_order(title="Tømrer")
    with pytest.raises(DomainError, match="faggrupperne") as refused:
        services.update_job_order(session, order, by=None, expected_version=order.version, occupational_group="42")
    assert refused.value.field == "occupational_group"
    session.rollback()
    login_as("staff", 201)
    page = client.get(f"/jobordrer/{order.id}/ret").get_data(as_text=True)
    assert re.search(r'<option selected value="7">7 Håndværkspræget arbejde', page) \
        or re.search(r'<option[^>]*value="7"[^>]*selected', page)
    assert "forslag: Håndværkspræget arbejde" in client.get(f"/jobordrer/{order.id}").get_data(as_text=True)


def test_the_reports_page_names_nrs_fill_rate_apart_from_stars(client, session, make_job_order, login_as,
                                                               centre_by_code):
    """One order filled with a referred candidate, one closed unfilled after a referral, one without referrals:
    NRS's fill rate 50 % of the closed; STAR: formidlingsgrad 2 of 3, besættelsesgrad 1 of 2."""
    from datetime import timedelta

    from nrs.clock import today

    day = today() - timedelta(days=20)
    filled, unfilled, _quiet = (make_job_order(received_on=day) for _ in range(3))
    for order in (filled, unfilled):
        services.add_referral(session, order, by=None, referring_centre_id=centre_by_code(217).id, referred_on=day)
    referral = session.exec(select(Referral).where(Referral.job_order_id == filled.id)).one()
    services.fill(session, filled, by=None, expected_version=filled.version, on_date=day,
                  hires=[services.NewHire(referral.referring_centre_id, day, referral.id)])
    services.close_unfilled(session, unfilled, by=None, expected_version=unfilled.version, on_date=day,
                            unfilled_reason="no_candidates")
    session.commit()
    login_as("staff", 201)
    page = client.get("/rapporter/?preset=since_start").get_data(as_text=True)
    assert "Besat af lukkede (NRS)" in page and "Formidlingsgrad (STAR)" in page
    assert ">Besættelsesgrad<" not in page  # the old label, with another denominator, is gone
    row = re.search(r'<tr data-centre="NRS"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-key="fill_rate">50 %<', row)
    assert re.search(r'data-key="referral_rate">67 %<', row) and re.search(r'data-key="star_fill_rate">50 %<', row)
    star = re.search(r'data-testid="star">(.*?)</section>', page, re.S).group(1)
    assert re.search(r'data-key="referral_rate">67 %</td><td class="num" data-key="star_fill_rate">50 %<', star)
    front = client.get("/").get_data(as_text=True)  # STAR's rates read every order ever: not per front-page view
    assert 'data-testid="figures"' in front and 'data-key="referral_rate"' not in front
