"""Errors that services raise for the view or the CLI to show the user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change; ``message`` is shown as it is, ``field`` names the form field."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleObjectError(DomainError):
    """Someone else saved the record first; nothing was overwritten."""

    def __init__(self, message: str, *, changed_by: str | None = None):
        super().__init__(message)
        self.changed_by = changed_by


class Forbidden(Exception):
    """A policy refused this user this action on this object; shown with a 403 (``nrs.security``).

    Not a ``DomainError``: a refusal is not a mistake in the form, so no view shows it next to a field.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
