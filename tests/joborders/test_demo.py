from __future__ import annotations

from sqlmodel import select

from nrs.joborders.models import Hire, JobOrder, JobOrderEvent, Referral


def test_demo_has_orders_in_every_state_with_referrals_from_several_centres(cli_run, session, client, login_as):
    r = cli_run("demo")
    assert r.exit_code == 0, r.output
    orders = session.exec(select(JobOrder)).all()
    assert len(orders) >= 30
    assert {o.state for o in orders} == {"open", "paused", "filled", "unfilled"}
    referrals = session.exec(select(Referral)).all()
    assert len({r.referring_centre_id for r in referrals}) >= 5
    assert session.exec(select(Hire)).all()
    reopened = session.exec(select(JobOrderEvent).where(JobOrderEvent.from_state.in_(["filled", "unfilled"]))).all()
    assert reopened
    login_as("coordinator", 219)
    for url in ["/", "/jobordrer/", "/jobordrer/?format=xlsx", "/jobordrer/hjaelp", "/rapporter/",
                *(f"/jobordrer/{o.id}" for o in orders[:10])]:
        assert client.get(url).status_code == 200, url
