"""The one reading of a yes/no answer, for imports, settings, reference data and the CLI."""

from __future__ import annotations

YES = frozenset({"ja", "j", "yes", "y", "true", "1", "on"})
NO = frozenset({"nej", "n", "no", "false", "0", "off"})


def yes_no(value, *, blank: bool | None = None) -> bool | None:
    """``ja``/``nej``, ``yes``/``no``, ``true``/``false``, ``1``/``0``, ``on``/``off`` in any case.

    A bool passes through; blank (or None) gives ``blank``. Anything else raises ValueError, so
    a typo is reported rather than read as "no".
    """
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if not text:
        return blank
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"{value!r} is not yes or no")
