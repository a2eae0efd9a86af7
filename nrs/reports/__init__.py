"""Figures for the committees: status as of a date, the front page, the weekly e-mail."""
