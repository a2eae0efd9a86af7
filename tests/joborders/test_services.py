from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.errors import DomainError, Forbidden, StaleObjectError
from nrs.joborders import services
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent, Referral
from nrs.joborders.states import JobOrderState


def events(session, order):
    return session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order.id)
                        .order_by(JobOrderEvent.id)).all()


def test_logged_order_is_open_with_the_company_lead_and_a_received_event(app, session, make_company,
                                                                         make_user, centre_by_code):
    with app.test_request_context():
        user = make_user("staff", 201)
        company = make_company(municipality_code=219)
        order = services.log_job_order(session, by=user, company=company, title="Chauffør",
                                       received_on=date(2016, 3, 2))
        session.commit()
        assert order.state == JobOrderState.open and order.closed_on is None
        assert order.lead_centre_id == centre_by_code(219).id
        [event] = events(session, order)
        assert (event.from_state, event.to_state, event.on_date) == (None, JobOrderState.open, date(2016, 3, 2))
        assert session.exec(select(AuditEvent).where(AuditEvent.entity_type == "job_order")).first()


def test_another_lead_centre_needs_a_reason(app, session, make_company, make_user, centre_by_code):
    with app.test_request_context():
        user = make_user("staff", 201)
        company = make_company(municipality_code=201)
        with pytest.raises(DomainError) as exc:
            services.log_job_order(session, by=user, company=company, title="Kok", received_on=date(2016, 3, 2),
                                   lead_centre_id=centre_by_code(217).id)
        assert exc.value.field == "lead_reason"


def test_fill_then_reopen_then_unfilled_keeps_a_full_history(app, session, make_job_order, make_user,
                                                              centre_by_code):
    with app.test_request_context():
        staff = make_user("staff", 201)
        coordinator = make_user("coordinator", 201)
        order = make_job_order(state="open")
        services.fill(session, order, by=staff, expected_version=order.version, on_date=date(2016, 3, 20),
                      hires=[services.NewHire(centre_id=centre_by_code(217).id, hired_on=date(2016, 3, 20))])
        assert order.state == JobOrderState.filled and order.closed_on == date(2016, 3, 20)
        for refused in (staff, make_user("coordinator", 210)):  # the lead centre's coordinator reopens
            with pytest.raises(Forbidden, match="koordinator"):
                services.reopen(session, order, by=refused, expected_version=order.version,
                                on_date=date(2016, 3, 25), reason="Kandidaten sprang fra")
        with pytest.raises(DomainError, match="hvorfor"):
            services.reopen(session, order, by=coordinator, expected_version=order.version,
                            on_date=date(2016, 3, 25), reason=" ")
        services.reopen(session, order, by=coordinator, expected_version=order.version, on_date=date(2016, 3, 25),
                        reason="Kandidaten sprang fra")
        assert order.state == JobOrderState.open and order.closed_on is None
        services.close_unfilled(session, order, by=staff, expected_version=order.version,
                                on_date=date(2016, 4, 1), unfilled_reason="company_withdrew")
        session.commit()
        steps = [(e.from_state, e.to_state) for e in events(session, order)]
        assert steps == [(None, "open"), ("open", "filled"), ("filled", "open"), ("open", "unfilled")]
        assert len(session.exec(select(Hire)).all()) == 1


@pytest.mark.parametrize("to,kwargs,message", [
    ("filled", {}, "mindst én ansættelse"),
    ("unfilled", {}, "hvorfor"),
    ("unfilled", {"unfilled_reason": "other"}, "Beskriv"),
])
def test_closing_needs_hires_or_a_reason(app, session, make_job_order, to, kwargs, message):
    with app.test_request_context():
        order = make_job_order()
        with pytest.raises(DomainError, match=message):
            services.transition(session, order, by=None, to=to, expected_version=order.version,
                                on_date=date(2016, 3, 10), **kwargs)


def test_dates_cannot_go_back_in_history(app, session, make_job_order):
    with app.test_request_context():
        order = make_job_order(state="paused", paused_on=date(2016, 3, 10))
        with pytest.raises(DomainError, match="seneste ændring"):
            services.resume(session, order, by=None, expected_version=order.version, on_date=date(2016, 3, 9))
        with pytest.raises(DomainError, match="modtaget"):
            services.close_unfilled(session, order, by=None, expected_version=order.version,
                                    on_date=date(2016, 2, 1), unfilled_reason="no_candidates")


def test_illegal_transition_is_refused_in_danish(app, session, make_job_order):
    with app.test_request_context():
        order = make_job_order(state="unfilled")
        with pytest.raises(DomainError, match="genåbnes"):
            services.pause(session, order, by=None, expected_version=order.version, on_date=date(2016, 4, 1))


def test_database_check_backs_the_state_machine(session, make_job_order):
    order = make_job_order(state="open")
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(JobOrder).where(JobOrder.id == order.id).values(state="filled"))
    session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(JobOrder).where(JobOrder.id == order.id).values(closed_on=date(2016, 4, 1)))


def test_stale_version_names_who_changed_it(app, session, make_job_order, make_user):
    with app.test_request_context():
        anne = make_user("staff", 201, name="Anne Jensen")
        order = make_job_order()
        seen = order.version
        services.pause(session, order, by=anne, expected_version=seen, on_date=date(2016, 3, 5))
        session.commit()
        with pytest.raises(StaleObjectError) as exc:
            services.close_unfilled(session, order, by=None, expected_version=seen, on_date=date(2016, 3, 6),
                                    unfilled_reason="no_candidates")
        assert "Anne Jensen" in exc.value.message and exc.value.changed_by == "Anne Jensen"


def test_only_the_lead_centre_closes(app, session, make_job_order, make_user):
    with app.test_request_context():
        other = make_user("staff", 217)
        order = make_job_order()  # lead 201
        with pytest.raises(Forbidden, match="ansvarlige"):
            services.pause(session, order, by=other, expected_version=order.version, on_date=date(2016, 3, 5))


@pytest.mark.parametrize("text", ["010203-1234", "Borger 0102031234", "3112991234"])
def test_cpr_like_text_is_refused_everywhere(app, session, make_job_order, make_user, text):
    with app.test_request_context():
        user = make_user("staff", 217)
        order = make_job_order()
        with pytest.raises(DomainError, match="CPR"):
            services.add_referral(session, order, by=user, referred_on=date(2016, 3, 3), case_reference=text)
        with pytest.raises(DomainError, match="CPR"):
            services.add_referral(session, order, by=user, referred_on=date(2016, 3, 3), case_reference="S-1",
                                  note=f"ring til {text}")
        with pytest.raises(DomainError, match="CPR"):
            services.log_job_order(session, by=user, company=order_company(session, order), title="Kok",
                                   received_on=date(2016, 3, 1), requirements=text)
        assert session.exec(select(Referral)).all() == []


def order_company(session, order):
    from nrs.companies.models import Company

    return session.get(Company, order.company_id)


def test_referral_only_to_an_open_order_and_from_own_centre(app, session, make_job_order, make_user,
                                                            centre_by_code):
    with app.test_request_context():
        user = make_user("staff", 217)
        paused = make_job_order(state="paused")
        with pytest.raises(DomainError, match="åben"):
            services.add_referral(session, paused, by=user, referred_on=date(2016, 3, 7), case_reference="S-1")
        order = make_job_order()
        with pytest.raises(DomainError, match="eget jobcenter"):
            services.add_referral(session, order, by=user, referred_on=date(2016, 3, 7), case_reference="S-1",
                                  referring_centre_id=centre_by_code(219).id)
        referral = services.add_referral(session, order, by=user, referred_on=date(2016, 3, 7),
                                         case_reference="HEL-2016-117")
        assert referral.referring_centre_id == centre_by_code(217).id
        services.update_referral_outcome(session, referral, by=user, outcome="interview")
        assert referral.outcome == "interview"
