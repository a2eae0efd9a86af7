from __future__ import annotations

from datetime import date

from sqlmodel import Field, SQLModel

from nrs.locking import VERSIONED
from nrs.refdata import read_csv
from nrs.yesno import yes_no

#: The nine NRS municipalities, from the reference data (``nrs_member``): the one list of them.
NRS_MUNICIPALITIES: tuple[int, ...] = tuple(sorted(
    int(row["kommunekode"]) for row in read_csv("municipalities.csv") if yes_no(row["nrs_member"])
))


class Municipality(SQLModel, table=True):
    """One of Denmark's 98 municipalities (plus Christiansø), keyed by its kommunekode."""

    __tablename__ = "municipalities"

    #: kommunekode as a number (201 = "0201"); shown with three digits.
    code: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(max_length=80)
    region_code: int
    nrs_member: bool = Field(default=False)


class JobCentre(SQLModel, table=True):
    """The job centre of one NRS municipality; it leads the companies located there."""

    __tablename__ = "job_centres"

    id: int | None = Field(default=None, primary_key=True)
    municipality_code: int = Field(foreign_key="municipalities.code", unique=True)
    name: str = Field(max_length=120)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    #: The day the centre began registering in NRS: an order received earlier is refused
    #: (``nrs.joborders.dates``). The nine joined in December 2015.
    joined_on: date = Field(default=date(2015, 12, 1), sa_column_kwargs={"server_default": "2015-12-01"})
    #: Compared in every UPDATE (the admin page's edit of ``joined_on``), see ``nrs.locking``.
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    __mapper_args__ = VERSIONED
