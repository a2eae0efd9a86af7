"""Two people save the same company at the same moment: one wins, the other is told who did.

Real concurrent requests on both databases: both have read the company before either writes
(the barrier), which is where comparing versions in Python lets both through.
"""

from __future__ import annotations

import re
import threading

from sqlmodel import select

from nrs.audit.models import AuditEvent
from nrs.companies import services
from nrs.companies.models import Company
from tests.conftest import csrf_token, login

#: How long a request that has read the company waits for the other one to read it too. On
#: SQLite the second request cannot read before the first is done (it waits for the write
#: lock), so there the wait runs out and the requests take turns; nothing is asserted on time.
MEET = 3


def test_two_simultaneous_edits_one_wins_the_other_is_told(app, session, make_company, make_user, monkeypatch):
    company = make_company(name="Før ApS", municipality_code=201)
    editors = [make_user("staff", 201, name="Anna Andersen"), make_user("staff", 201, name="Bo Berg")]
    url = f"/virksomheder/{company.id}/ret"
    clients = []
    for editor in editors:
        c = app.test_client()
        assert login(c, editor.email).status_code == 302
        version = re.search(r'name="version"[^>]*value="(\d+)"', c.get(url).get_data(as_text=True)).group(1)
        clients.append((c, csrf_token(c, url), version))

    both_read = threading.Barrier(2)
    original = services.update_company

    def update_after_both_read(*args, **kwargs):
        try:
            both_read.wait(timeout=MEET)
        except threading.BrokenBarrierError:
            pass
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "update_company", update_after_both_read)
    responses: list = [None, None]

    def save(i: int) -> None:
        c, token, version = clients[i]
        r = c.post(url, data={"csrf_token": token, "version": version, "name": f"Efter {i} ApS",
                              "municipality_code": "201", "industry_code": "412000"})
        responses[i] = (r.status_code, r.get_data(as_text=True))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    codes = sorted(code for code, _body in responses)
    assert codes == [302, 409], codes
    winner = 0 if responses[0][0] == 302 else 1
    told = responses[1 - winner][1]
    assert f"ændret i mellemtiden (af {editors[winner].name})" in told
    session.expire_all()
    assert session.get(Company, company.id).name == f"Efter {winner} ApS"
    updates = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "company",
                                                    AuditEvent.action == "update")).all()
    assert [u.changes["name"] for u in updates] == [["Før ApS", f"Efter {winner} ApS"]]


def test_a_form_without_its_version_is_stale_not_saved(client, login_as, make_company, session):
    login_as("staff", centre=201)
    company = make_company(name="Før ApS", municipality_code=201)
    url = f"/virksomheder/{company.id}/ret"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "name": "Uden version ApS",
                                      "municipality_code": "201", "industry_code": "412000"})
    assert response.status_code == 409
    assert "ændret i mellemtiden" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Company, company.id).name == "Før ApS"
