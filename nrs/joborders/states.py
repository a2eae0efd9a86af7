"""The job-order state machine: the one place that says which state may follow which."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from nrs.enums import LabelledEnum
from nrs.errors import DomainError


class JobOrderState(LabelledEnum):
    open = "open", _l("Åben")
    paused = "paused", _l("Sat i bero")
    filled = "filled", _l("Besat")
    unfilled = "unfilled", _l("Ikke besat")

    @property
    def css_class(self) -> str:
        return f"badge badge-{self.value}"

    @property
    def is_closed(self) -> bool:
        return self in CLOSED


CLOSED = frozenset({JobOrderState.filled, JobOrderState.unfilled})

#: Which states may follow which. ``paused`` means the company has enough candidates for now;
#: the order is still not closed. A closed order only goes back to ``open`` (a reopening).
TRANSITIONS: dict[JobOrderState, frozenset[JobOrderState]] = {
    JobOrderState.open: frozenset({JobOrderState.paused, JobOrderState.filled, JobOrderState.unfilled}),
    JobOrderState.paused: frozenset({JobOrderState.open, JobOrderState.filled, JobOrderState.unfilled}),
    JobOrderState.filled: frozenset({JobOrderState.open}),
    JobOrderState.unfilled: frozenset({JobOrderState.open}),
}


def is_reopening(old: JobOrderState | str, new: JobOrderState | str) -> bool:
    return JobOrderState(old) in CLOSED and JobOrderState(new) == JobOrderState.open


def ensure_transition(old: JobOrderState | str, new: JobOrderState | str) -> None:
    """Refuse a change the state machine does not allow, saying why in Danish."""
    old, new = JobOrderState(old), JobOrderState(new)
    if old == new:
        raise DomainError(_("Jobordren er allerede %(s)s.", s=old.label.lower()))
    if new not in TRANSITIONS[old]:
        if old in CLOSED:
            raise DomainError(
                _("Jobordren er lukket som %(s)s. Den skal genåbnes, før den kan ændres.", s=old.label.lower())
            )
        raise DomainError(
            _("En jobordre kan ikke gå fra %(a)s til %(b)s.", a=old.label.lower(), b=new.label.lower())
        )


def state_from_positions(current: JobOrderState | str, *, positions: int, hired: int, other: int) -> JobOrderState:
    """The order's state as its positions say (issue 14): the one place that derives it.

    Closed when every position has an outcome: filled if at least one was hired by a referred
    candidate, unfilled otherwise. While some are resolved and others not, the order stays as it
    is (open, or paused) and shows "2 af 3 besat".
    """
    current = JobOrderState(current)
    if hired + other >= positions:
        return JobOrderState.filled if hired else JobOrderState.unfilled
    return current if current not in CLOSED else JobOrderState.open


def filled_text(positions: int, hired: int) -> str:
    """ "besat 2 af 3" where it applies (more than one position, or a partly resolved order)."""
    if positions <= 1:
        return ""
    return _("besat %(h)d af %(p)d", h=hired, p=positions)
