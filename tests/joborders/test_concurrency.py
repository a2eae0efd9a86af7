"""Twenty people close the same order at the same moment: exactly one wins, nobody gets a 500."""

from __future__ import annotations

import threading
from datetime import date

from sqlmodel import Session, select

from nrs.db import begin_write, make_engine
from nrs.errors import StaleObjectError
from nrs.joborders import services
from nrs.joborders.models import Hire, JobOrder, JobOrderEvent
from tests.conftest import csrf_token, login

N = 20


def test_twenty_concurrent_closes_one_wins(app, database_url, session, make_job_order, make_user):
    users = [make_user("staff", 201, name=f"Konsulent {i}") for i in range(N)]
    order = make_job_order()
    order_id, seen = order.id, order.version
    engine = make_engine(database_url, pool_size=N + 2)
    barrier = threading.Barrier(N)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        with app.app_context(), Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                begin_write(s)
                mine = s.get(JobOrder, order_id)
                user = s.get(type(users[i]), users[i].id)
                if i % 2:
                    services.fill(s, mine, by=user, expected_version=seen, on_date=date(2016, 3, 20),
                                  hires=[services.NewHire(centre_id=user.job_centre_id, hired_on=date(2016, 3, 20))])
                else:
                    services.close_unfilled(s, mine, by=user, expected_version=seen, on_date=date(2016, 3, 20),
                                            unfilled_reason="no_candidates")
                s.commit()
                result = "won"
            except StaleObjectError as exc:
                s.rollback()
                result = "stale" if "Konsulent" in exc.message else f"stale without a name: {exc.message}"
            except Exception as exc:  # anything else would be a 500 in the browser
                s.rollback()
                result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()

    assert outcomes.count("won") == 1, outcomes
    assert outcomes.count("stale") == N - 1, outcomes
    closes = session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order_id,
                                                      JobOrderEvent.from_state.is_not(None))).all()
    assert len(closes) == 1
    order = session.get(JobOrder, order_id, populate_existing=True)
    assert order.version == seen + 1 and order.state == closes[0].to_state
    assert len(session.exec(select(Hire)).all()) == (1 if order.state == "filled" else 0)


def test_twenty_concurrent_http_posts_one_wins_the_rest_see_who(app, session, make_job_order, make_user):
    lead = make_user("staff", 201, name="Lone Lead")
    order = make_job_order()
    url = f"/jobordrer/{order.id}"
    clients = []
    for _ in range(N):
        c = app.test_client()
        assert login(c, lead.email).status_code == 302
        clients.append((c, csrf_token(c, url)))
    barrier = threading.Barrier(N)
    responses: list = [None] * N

    def post(i: int) -> None:
        c, token = clients[i]
        data = {"csrf_token": token, "unfilled-version": str(order.version), "unfilled-on_date": "20-03-2016",
                "unfilled-unfilled_reason": "no_candidates", "confirm": "1"}
        barrier.wait()
        r = c.post(f"{url}/ikke-besat", data=data)
        responses[i] = (r.status_code, r.get_data(as_text=True))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(N)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _ in responses)
    assert codes == [302] + [409] * (N - 1), codes
    for code, body in responses:
        if code == 409:
            assert "ændret i mellemtiden (af Lone Lead)" in body
            assert 'data-testid="state">Ikke besat' in body
    events = session.exec(select(JobOrderEvent).where(JobOrderEvent.job_order_id == order.id)).all()
    assert [e.to_state for e in events] == ["open", "unfilled"]
