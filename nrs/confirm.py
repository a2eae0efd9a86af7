"""One confirmation step for every destructive or closing action, without JavaScript.

A view calls ``ask(...)`` after it has validated its form and checked access, just before it acts.
Unless the post carries ``confirm=1``, that stops the request with templates/confirm.html: what
will happen, in words, and a "Ja, …" button that posts the same fields again with ``confirm=1``,
plus a "Fortryd" link back. Nothing has been written at that point, so stopping is harmless.
"""

from __future__ import annotations

from flask import abort, make_response, render_template, request

#: The field a confirmed post carries; the confirmation page adds it.
FIELD = "confirm"


def confirmed() -> bool:
    """The user has seen the confirmation page and said yes."""
    return request.form.get(FIELD) == "1"


def ask(what: str, *, yes: str, back: str, title: str | None = None) -> None:
    """Stop with the confirmation page unless the post is confirmed.

    ``what`` says in words what will happen, ``yes`` is the button ("Ja, slet aftalen") and
    ``back`` the page the "Fortryd" link returns to.
    """
    if confirmed():
        return
    fields = [(k, v) for k, values in request.form.lists() if k != FIELD for v in values]
    action = request.full_path.rstrip("?")
    page = render_template("confirm.html", what=what, yes=yes, back=back, title=title,
                           fields=fields, action=action)
    abort(make_response(page, 200))
