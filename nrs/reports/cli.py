from __future__ import annotations

import click


@click.group("reports")
def reports():
    """Figures: status as of a date, the weekly e-mail."""


COMMANDS = (reports,)
