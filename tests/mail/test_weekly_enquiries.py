"""The coordinators' weekly mail carries the week's enquiry figures (issue 16 item 5), in Danish and English."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from nrs.auth.models import User
from nrs.db import session_scope
from nrs.enquiries import services
from nrs.reports import weekly
from tests.mail.weekly_data import WEEK

HILLEROD = 219


def add_enquiries(engine, make_company, settings):
    """Hillerød, week 13 of 2016: a call answered within the goal, a mail answered too late, a web
    message past its goal and still waiting at the week's end; and a call for Allerød (not Hillerød's)."""
    hillerod = make_company(name="Hillerød Rør ApS", municipality_code=HILLEROD, postal_code="3400", city="Hillerød")
    allerod = make_company(name="Allerød Rør ApS", municipality_code=201)
    monday = datetime(2016, 3, 28, 8, tzinfo=UTC)  # 2016-03-28 is Easter Monday: the goal is Wednesday
    with session_scope(engine) as s:
        def add(company, channel, at):
            return services.create_enquiry(s, by=None, channel=channel, company=company, text="Hej",
                                           settings=settings, received_at=at, notify=False)
        add(hillerod, "phone", monday + timedelta(days=1)).first_response_at = monday + timedelta(days=1, hours=3)
        add(hillerod, "mailbox", monday + timedelta(days=1)).first_response_at = monday + timedelta(days=5)
        add(hillerod, "web", monday + timedelta(days=2))
        add(allerod, "phone", monday + timedelta(days=2))


def messages(app, engine) -> dict[str, weekly.Rendered]:
    """The week's mails; each in its recipient's language, whatever the job's own (English here)."""
    with app.app_context(), session_scope(engine) as s, force_locale("en"):
        return {m.to: m for m in weekly.render_all(s, week=weekly.parse_week(WEEK))}


def test_the_coordinator_gets_the_centres_enquiry_figures(app, engine, week_data, make_company, settings):
    add_enquiries(engine, make_company, settings)
    mail = messages(app, engine)
    ole = mail["ole@hillerod.test"].text  # Hillerød's coordinator
    assert "Henvendelser modtaget i ugen: 3 (Fælles telefon 1, Fælles postkasse 1, Kontaktformular 1)" in ole
    assert "Besvaret inden for målet: 33 % (1 af 3)" in ole
    assert "Venter stadig på første svar ved ugens slutning: 1" in ole
    assert "Besvaret inden for målet" in mail["ole@hillerod.test"].html
    # the steering group sees all of NRS; a consultant sees no enquiry figures
    assert "Henvendelser modtaget i ugen: 4" in mail["styregruppe@nrs.test"].text
    assert "Henvendelser modtaget i ugen" not in mail["karen@allerod.test"].text


def test_the_enquiry_figures_in_english(app, engine, week_data, make_company, settings):
    add_enquiries(engine, make_company, settings)
    with session_scope(engine) as s:
        s.execute(sa.update(User).where(User.email == "ole@hillerod.test").values(locale="en"))
    ole = messages(app, engine)["ole@hillerod.test"].text
    assert "Enquiries received in the week: 3 (Shared phone line 1, Shared mailbox 1, Web form 1)" in ole
    assert "Answered within the goal: 33 % (1 of 3)" in ole
    assert "Still waiting for a first response at the end of the week: 1" in ole
    assert "Enquiries:" in ole and "Henvendelser modtaget" not in ole
