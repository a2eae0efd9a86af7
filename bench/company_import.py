"""Import a generated 100,000-row company CSV into a fresh embedded SQLite; print rows per second.

Goal: under 60 s for 100,000 rows (issue 3). Run: ``.venv/bin/python -m bench.company_import [ROWS]``.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from nrs.companies.importer import run_import
from nrs.db import make_engine, session_scope, upgrade
from nrs.municipalities.services import load_reference_data
from nrs.refdata import read_csv

WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
MUNICIPALITIES = ("201", "0210", "217", "0219", "223", "240", "250", "260", "270", "190", "230")
BANDS = ("", "3", "5-9", "ANTAL_1_1", "ANTAL_2_4", "ANTAL_5_9", "ANTAL_10_19", "ANTAL_20_49",
         "ANTAL_50_99", "ANTAL_1000_999999")


def cvr_numbers(count: int, rng: random.Random) -> list[str]:
    out, seen = [], set()
    while len(out) < count:
        base = str(rng.randint(1000000, 9999999))
        check = (-sum(int(d) * w for d, w in zip(base, WEIGHTS, strict=False))) % 11
        if check < 10 and base not in seen:
            seen.add(base)
            out.append(base + str(check))
    return out


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    codes = [r["branchekode"] for r in read_csv("db07_6digit.csv")]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        fh.write("CVR-nummer;Navn;Adresse;Postnr;By;Kommunekode;Branchekode;Ansatte;Status;Telefon;Email;"
                 "Reklamebeskyttet\r\n")
        for i, cvr in enumerate(cvr_numbers(rows, rng)):
            fh.write(f"{cvr};Virksomhed {i} Ølstykke ApS;Stationsvej {i % 200};3650;Ølstykke;"
                     f"{rng.choice(MUNICIPALITIES)};{rng.choice(codes)};{rng.choice(BANDS)};"
                     f"{'NORMAL' if rng.random() < 0.9 else 'UNDER KONKURS'};4{rng.randint(0, 9999999):07d};"
                     f"{f'info{i}@example.dk' if i % 3 == 0 else ''};{'ja' if i % 10 == 0 else 'nej'}\r\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "companies.csv"
        generate(csv_path, rows)
        url = f"sqlite:///{tmp}/bench.db"
        upgrade(url)
        engine = make_engine(url)
        with session_scope(engine) as s:
            load_reference_data(s)
        data = csv_path.read_bytes()
        for label in ("first import", "same file again"):
            started = time.perf_counter()
            with session_scope(engine) as s:
                report = run_import(s, data, filename=csv_path.name)
            seconds = time.perf_counter() - started
            print(f"{label}: {report.summary()}")
            print(f"{label}: {rows} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s")
        engine.dispose()


if __name__ == "__main__":
    main()
