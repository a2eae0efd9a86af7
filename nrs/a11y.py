"""What the field macro needs for accessible forms (WCAG 2.1 AA): the aria attributes of a field,
and the errors of the page's fields, collected as they render so base.html can list them at the top
(an error summary with links to the fields, which works without JavaScript)."""

from __future__ import annotations

from flask import g
from wtforms import widgets


def is_group(field) -> bool:
    """A checkbox or radio list: rendered in a fieldset with a legend, not a label for a list."""
    return isinstance(field.widget, widgets.ListWidget)


def is_required(field) -> bool:
    """Required by a DataRequired/InputRequired validator (they set the flag; the widget then
    renders ``required`` too)."""
    return bool(getattr(field.flags, "required", False))


def hint_id(field) -> str:
    return f"{field.id}-hint"


def error_id(field) -> str:
    return f"{field.id}-error"


def field_attrs(field, kwargs: dict) -> dict:
    """The caller's attributes plus aria-invalid and aria-describedby (its hint and its errors)."""
    attrs = dict(kwargs)
    described = [attrs.pop("aria_describedby", None)]
    if field.description:
        described.append(hint_id(field))
    if field.errors:
        described.append(error_id(field))
        if not is_group(field):
            attrs["aria-invalid"] = "true"
    described = [d for d in described if d]
    if described and not is_group(field):
        attrs["aria-describedby"] = " ".join(described)
    if is_required(field) and not is_group(field):
        attrs["aria-required"] = "true"
    return attrs


def note_errors(field) -> str:
    """Remember ``field``'s first error for the page's error summary; renders nothing."""
    if field.errors:
        first = field.errors[0] if isinstance(field.errors, list) else next(iter(field.errors.values()))[0]
        target = f"{field.id}-0" if is_group(field) and field.choices else field.id
        g.setdefault("field_errors", []).append((target, str(field.label.text), str(first)))
    return ""


def noted_errors() -> list[tuple[str, str, str]]:
    """(field id, label, message) of every field with an error rendered so far on this page."""
    return list(g.get("field_errors", []))


TEMPLATE_GLOBALS = {
    "a11y_attrs": field_attrs, "a11y_group": is_group, "a11y_required": is_required, "a11y_hint_id": hint_id,
    "a11y_error_id": error_id, "note_errors": note_errors, "noted_errors": noted_errors,
}
