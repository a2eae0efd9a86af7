"""Enums with a Danish label, and the CHECK constraint that keeps a column to an enum's values.

One base class instead of a label dict beside every enum: a member is declared with its label,
``staff = "staff", _l("Virksomhedskonsulent")``, so a member cannot be added without one.
"""

from __future__ import annotations

from enum import Enum, StrEnum

import sqlalchemy as sa
from flask_babel.speaklater import LazyString


class LabelledEnum(StrEnum):
    """A ``StrEnum`` whose members carry ``.label``, translated when shown (English mode works).

    The value is what the database stores; the label is what a user reads.
    """

    def __new__(cls, value: str, label: LazyString | str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> LazyString | str:
        """The lazy Danish label: ``str()`` it where a plain string is needed (files, the database)."""
        return self._label

    @classmethod
    def choices(cls) -> list[tuple[str, LazyString | str]]:
        """``(value, label)`` pairs for a WTForms ``SelectField``, in declaration order."""
        return [(m.value, m.label) for m in cls]


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def values_sql(column: str, values) -> str:
    """``column IN ('a', 'b')`` for enum members or plain strings, in the order given."""
    return f"{column} IN ({', '.join(_quoted(getattr(v, 'value', v)) for v in values)})"


def enum_check(column: str, enum_cls: type[Enum]) -> sa.CheckConstraint:
    """The column holds one of the enum's values (or null): ``ck_<table>_<column>_values``."""
    return sa.CheckConstraint(values_sql(column, enum_cls), name=f"{column}_values")
