"""Every NRS form renders a select with ``nrs.forms.OptionsOnce``: the same HTML as WTForms' own
widget, whatever the values, labels (also translated ones) and the selected option."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, SelectMultipleField, widgets

from nrs.forms import OptionsOnce, SubForm


class Choices(SubForm):
    number = SelectField(coerce=int, choices=[(1, "Allerød"), (2, "Egedal"), (10, "Ærø & <Co>")])
    text = SelectField(choices=[("1", "et"), ("", _l("(ingen)")), ("b", Markup("<b>B</b>")), ("c", "<b>B</b>")])
    many = SelectMultipleField(coerce=int, choices=[(1, "a"), (2, "b"), (3, "c")])


def _plain(field) -> str:
    return widgets.Select(multiple=field.widget.multiple)(field)


def test_the_same_html_as_wtforms_for_any_choice_selected():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        for data in ({"number": 2, "text": "b", "many": [1, 3]}, {"number": 10, "text": "", "many": []},
                     {"number": 1, "text": "c", "many": [2]}):
            form = Choices(data=data)
            for name in ("number", "text", "many"):
                field = form[name]
                assert str(field()) == str(_plain(field)), (name, data)
                assert str(field()) == str(_plain(field))  # the second time from what was rendered
        assert '<option selected value="2">Egedal</option>' in str(Choices(data={"number": 2})["number"]())
        assert '<option value="b"><b>B</b></option>' in str(Choices()["text"]())
        assert '<option value="c">&lt;b&gt;B&lt;/b&gt;</option>' in str(Choices()["text"]())
        for label in ("et", "<i>one</i>", Markup("<i>one</i>")):  # one value, labels as shown now: never mixed up
            form = Choices(data={"text": "1"})
            form.text.choices = [("1", label)]
            assert str(form.text()) == str(_plain(form.text))
    assert OptionsOnce._rendered
