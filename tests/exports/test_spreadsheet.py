from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from nrs.exports.spreadsheet import neutralise, to_csv, to_xlsx

ROWS = [["29403473", "Ølstykke Entreprise ApS", "+45 48 10 00 00", "=HYPERLINK(\"x\")", 12, date(2016, 3, 31)],
        ["12345674", "@SUM(A1)", "-2+3", "\tfane", None, None]]
HEADERS = ["CVR-nummer", "Navn", "Telefon", "Note", "Ansatte", "Dato"]


def test_neutralise_prefixes_formula_triggers_and_keeps_the_text():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+45 48 10 00 00") == "'+45 48 10 00 00"
    assert neutralise("Ølstykke") == "Ølstykke"


def test_csv_has_bom_semicolons_danish_letters_and_dates():
    text = to_csv(HEADERS, ROWS).decode("utf-8")
    assert text.startswith("\ufeffCVR-nummer;Navn;")
    assert "Ølstykke Entreprise ApS;'+45 48 10 00 00;" in text
    assert "31-03-2016" in text
    assert "'@SUM(A1)" in text and "'-2+3" in text


def test_xlsx_writes_strings_never_formulas():
    wb = load_workbook(io.BytesIO(to_xlsx(HEADERS, ROWS)))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws["D2"].value == "'=HYPERLINK(\"x\")" and ws["D2"].data_type == "s"
    assert ws["C2"].value == "'+45 48 10 00 00"
    assert ws["E2"].value == 12
    assert ws["B2"].value == "Ølstykke Entreprise ApS"
