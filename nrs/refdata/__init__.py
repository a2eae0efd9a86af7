"""Reference data shipped with the app (sources in each file's header comments)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_csv(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def industry_names() -> dict[str, str]:
    """DB07 6-digit code → Danish name, current and historical codes alike."""
    return {row["branchekode"]: row["name_da"] for row in read_csv("db07_6digit.csv")}


def industry_name(code: str | None) -> str:
    return industry_names().get(code or "", "")
