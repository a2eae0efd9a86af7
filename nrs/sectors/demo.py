"""Demo focus sectors: 2016's and this year's, plus two more sectors for campaigns."""

from __future__ import annotations

from nrs.clock import today
from nrs.sectors import services

FOCUS = (("Bygge og anlæg", "41,42,43"), ("Transport", "49-53"))
#: After summer 2016 campaigns also targeted these (not focus sectors for agreements).
EXTRA = (("Hotel og restauration", "55,56"), ("Industri", "10-33"))


def load(session, *, rng) -> None:
    for year in sorted({2016, today().year}):
        for name, codes in FOCUS + EXTRA:
            services.set_sector(session, by=None, year=year, name=name, codes=codes)
    session.flush()
