"""The keyset paging engine on its own: cursors, their checks, and the SQL it builds. No database."""

from __future__ import annotations

import base64
import json
from datetime import date
from enum import StrEnum

import pytest
import sqlalchemy as sa
from flask import Flask

from nrs.keyset import (
    BadCursor,
    KeysetPage,
    SortKey,
    cursor_for,
    decode_cursor,
    encode_cursor,
    jump_cursor,
    keyset_condition,
    keyset_select,
)

orders = sa.table("orders", sa.column("id", sa.Integer), sa.column("received_on", sa.Date),
                  sa.column("deadline_on", sa.Date), sa.column("state", sa.String),
                  sa.column("name", sa.String))


class State(StrEnum):
    open = "open"
    filled = "filled"


RECEIVED_DESC = (SortKey(orders.c.received_on, desc=True, kind=date), SortKey(orders.c.id, desc=True))
DEADLINE = (SortKey(orders.c.deadline_on, kind=date, nullable=True), SortKey(orders.c.id))
BY_STATE = (SortKey(orders.c.state, kind=State), SortKey(orders.c.name, kind=str), SortKey(orders.c.id))


def sql(expr) -> str:
    return " ".join(str(expr.compile(compile_kwargs={"literal_binds": True})).split())


def raw(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(("keys", "values"), [
    (RECEIVED_DESC, (date(2016, 3, 1), 17)),
    (DEADLINE, (None, 3)),
    (BY_STATE, (State.filled, "Ærø Bådebyggeri", 9)),
])
def test_a_cursor_reads_back_as_the_values_it_was_written_from(keys, values):
    assert decode_cursor(keys, cursor_for(keys, values)) == values


@pytest.mark.parametrize(("keys", "token"), [
    (RECEIVED_DESC, "!!not base64!!"),
    (RECEIVED_DESC, raw(["2016-03-01"])),  # too short
    (RECEIVED_DESC, raw({"a": 1})),
    (RECEIVED_DESC, raw(["1. marts", 1])),
    (RECEIVED_DESC, raw(["2016-03-01", True])),  # a bool is not an id
    (RECEIVED_DESC, raw(["2016-03-01", 2**31])),  # wider than an INTEGER parameter
    (RECEIVED_DESC, raw([None, 1])),  # received_on is never null
    (BY_STATE, raw(["closed", "A", 1])),  # not a state
    (BY_STATE, raw(["open", "A\x00", 1])),  # PostgreSQL text has no NUL
    (BY_STATE, raw(["open", "x" * 501, 1])),
])
def test_a_cursor_this_app_did_not_write_is_a_bad_cursor(keys, token):
    with pytest.raises(BadCursor):
        decode_cursor(keys, token)


def test_a_cursor_is_url_safe_without_padding():
    token = encode_cursor(["æøå?&=/", 1])
    assert token.replace("-", "").replace("_", "").isalnum()


def test_a_jump_starts_before_every_row_of_that_first_value():
    """Descending ids: "after (date, biggest id)" is the first row of that date."""
    day, after_id = decode_cursor(RECEIVED_DESC, jump_cursor(RECEIVED_DESC, date(2016, 3, 1)))
    assert day == date(2016, 3, 1) and after_id == 2**31 - 1
    _day, before_any = decode_cursor(DEADLINE, jump_cursor(DEADLINE, date(2016, 3, 1)))
    assert before_any == -(2**31 - 1)


def test_the_condition_bounds_the_first_column_so_the_index_range_starts_at_the_cursor():
    cond = keyset_condition(RECEIVED_DESC, (date(2016, 3, 1), 17))
    assert sql(cond) == ("orders.received_on <= '2016-03-01' AND (orders.received_on < '2016-03-01' "
                         "OR orders.received_on = '2016-03-01' AND orders.id < 17)")
    back = keyset_condition(RECEIVED_DESC, (date(2016, 3, 1), 17), reverse=True)
    assert sql(back) == ("orders.received_on >= '2016-03-01' AND (orders.received_on > '2016-03-01' "
                         "OR orders.received_on = '2016-03-01' AND orders.id > 17)")


def test_nulls_come_last_both_ways_and_nothing_is_after_the_last_null():
    assert sql(DEADLINE[0].order()) == "orders.deadline_on ASC NULLS LAST"
    assert sql(DEADLINE[0].order(reverse=True)) == "orders.deadline_on DESC NULLS FIRST"
    after_null = keyset_condition(DEADLINE, (None, 3))
    assert sql(after_null) == "false OR orders.deadline_on IS NULL AND orders.id > 3"
    after_date = keyset_condition(DEADLINE, (date(2016, 3, 1), 3))
    assert "orders.deadline_on > '2016-03-01' OR orders.deadline_on IS NULL" in sql(after_date)


def test_the_select_orders_by_every_key_and_reads_one_row_more_than_a_page():
    stmt = keyset_select(sa.select(orders.c.name), RECEIVED_DESC, limit=51)
    text = sql(stmt)
    assert "ORDER BY orders.received_on DESC, orders.id DESC" in text and text.endswith("LIMIT 51")
    assert "orders.received_on AS _key0, orders.id AS _key1" in text


def test_the_page_links_keep_the_filters_and_drop_the_old_position():
    app = Flask(__name__)
    app.add_url_rule("/orders", "orders", lambda: "")
    page = KeysetPage(items=[], has_prev=True, has_next=True, first="F", last="L", per_page=50, number=2)
    with app.test_request_context("/orders?state=open&after=OLD&page=1&at=2016-03-01"):
        assert page.next_url() == "/orders?state=open&after=L&page=3"
        assert page.prev_url() == page.first_url() == "/orders?state=open"
        jumped = KeysetPage(items=[], has_prev=True, has_next=True, first="F", last="L", per_page=50,
                            number=None)
        assert jumped.prev_url() == "/orders?state=open&before=F"
