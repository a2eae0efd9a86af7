from __future__ import annotations

import itertools

import pytest

from nrs.errors import DomainError
from nrs.joborders.states import TRANSITIONS, JobOrderState, ensure_transition

S = JobOrderState
ALLOWED = {
    (S.open, S.paused), (S.open, S.filled), (S.open, S.unfilled),
    (S.paused, S.open), (S.paused, S.filled), (S.paused, S.unfilled),
    (S.filled, S.open), (S.unfilled, S.open),
}


@pytest.mark.parametrize("old,new", list(itertools.product(S, S)))
def test_every_state_pair(app, old, new):
    with app.test_request_context():
        if (old, new) in ALLOWED:
            ensure_transition(old, new)
        else:
            with pytest.raises(DomainError) as exc:
                ensure_transition(old, new)
            assert exc.value.message  # a sentence for the user, in Danish
            assert new in TRANSITIONS[old] or "kan ikke" in exc.value.message or "lukket" in exc.value.message \
                or "allerede" in exc.value.message


def test_closed_order_must_be_reopened_first(app):
    with app.test_request_context():
        with pytest.raises(DomainError, match="genåbnes"):
            ensure_transition("filled", "unfilled")


def test_labels_and_css(app):
    with app.test_request_context():
        assert S.paused.label == "Sat i bero"
        assert S.unfilled.css_class == "badge badge-unfilled"
