"""Small fixture workbooks for the refresh tests, built with openpyxl (no tests here).

The workbook follows the template contract: sheets Leads, Rules, Deals, Model, Report
and Settings, each with an Excel Table whose header row is row 1 starting at A1.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.worksheet.table import Table, TableStyleInfo

LEAD_HEADER = ["Lead ID", "Company", "Job Title", "Company Size", "Lead Source", "Demo Requested",
               "Pricing Page Visits", "Last Activity Date"]  # fmt: skip
RULES = [
    ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)", "Date attribute"],
    ["VP title", "Fit", "Job Title", "in", "VP Sales; VP Marketing", 20, None, None],
    ["Big company", "Fit", "Company Size", ">=", 200, 15, None, None],
    ["Referral", "Fit", "Lead Source", "=", "Referral", 10, None, None],
    ["Purchased list", "Fit", "Lead Source", "=", "Purchased List", -30, None, None],
    ["Demo requested", "Engagement", "Demo Requested", "=", True, 25, None, None],
    ["Pricing page", "Engagement", "Pricing Page Visits", ">=", 1, 16, 30, "Last Activity Date"],
    ["Student", "Fit", "Job Title", "=", "Student", "Disqualify", None, None],
]
AS_OF = dt.datetime(2026, 3, 31)
SETTINGS = [["Setting", "Value"], ["As-of date", AS_OF], ["Outcome column", "Won"], ["Cap Fit", 60]]
TITLES = ["VP Sales", "VP Marketing", "Director", "Manager", "Analyst", "Student"]
SOURCES = ["Referral", "Paid Search", "Purchased List", "Webinar"]


def lead_rows(n: int = 12, seed: int = 1) -> list[list[Any]]:
    """Deterministic leads; row 0 is always a VP with a demo at a big referral company."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        rows.append([
            f"L-{i + 1:05d}",
            f"Company {i + 1}",
            TITLES[int(rng.integers(len(TITLES)))],
            int(rng.choice([10, 50, 250, 1200])),
            SOURCES[int(rng.integers(len(SOURCES)))],
            bool(rng.random() < 0.4),
            int(rng.integers(0, 4)),
            AS_OF - dt.timedelta(days=int(rng.integers(0, 90))),
        ])  # fmt: skip
    rows[0][2:8] = ["VP Sales", 1200, "Referral", True, 2, AS_OF - dt.timedelta(days=30)]
    return rows


def deal_rows(n: int = 300, seed: int = 7) -> list[list[Any]]:
    """Past deals whose outcome follows a known logit in demo, size and source."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        demo = bool(rng.random() < 0.4)
        size = int(rng.choice([10, 50, 250, 1200]))
        source = SOURCES[int(rng.integers(len(SOURCES)))]
        visits = int(rng.integers(0, 4))
        eta = -2.0 + 1.5 * demo + 0.0008 * size + 0.3 * visits + (0.8 if source == "Referral" else 0.0)
        won = bool(rng.random() < 1 / (1 + np.exp(-eta)))
        seen = AS_OF - dt.timedelta(days=int(rng.integers(0, 120)))
        rows.append([f"D-{i + 1:05d}", TITLES[int(rng.integers(len(TITLES) - 1))], size, source, demo, visits,
                     seen, "Won" if won else "Lost"])  # fmt: skip
    return rows


DEAL_HEADER = ["Deal ID", "Job Title", "Company Size", "Lead Source", "Demo Requested", "Pricing Page Visits",
               "Last Activity Date", "Won"]  # fmt: skip


def add_table(ws: Any, name: str, rows: list[list[Any]]) -> None:
    for r in rows:
        ws.append(r)
    last = openpyxl.utils.get_column_letter(max(len(r) for r in rows))
    table = Table(displayName=name, ref=f"A1:{last}{max(len(rows), 2)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def build_workbook(leads: list[list[Any]] | None = None, deals: list[list[Any]] | None = None,
                   lead_header: list[str] | None = None, rules: list[list[Any]] | None = None,
                   base: openpyxl.Workbook | None = None) -> openpyxl.Workbook:  # fmt: skip
    """The six contract sheets (appended to ``base`` when given)."""
    wb = base or openpyxl.Workbook()
    if base is None:
        wb.remove(wb.active)
    add_table(wb.create_sheet("Leads"), "Leads", [lead_header or LEAD_HEADER] + (leads if leads is not None else lead_rows()))
    add_table(wb.create_sheet("Rules"), "Rules", rules or RULES)
    add_table(wb.create_sheet("Deals"), "Deals", [DEAL_HEADER] + (deals if deals is not None else deal_rows()))
    add_table(wb.create_sheet("Model"), "Model", [["Term", "Coef"], [None, None]])
    add_table(wb.create_sheet("Report"), "Report", [["Metric", "Value"], [None, None]])
    add_table(wb.create_sheet("Settings"), "Settings", SETTINGS)
    return wb


def save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def cells(path: Path, sheet: str) -> dict[str, tuple[Any, str, str]]:
    """Every non-empty cell of a sheet as coordinate -> (value, data type, style fingerprint)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None or c.has_style:
                value = c.value.text if hasattr(c.value, "text") else c.value
                style = f"{c.number_format}|{c.font.b}|{c.font.color and c.font.color.rgb}|{c.fill.fgColor.rgb}|{c.alignment.horizontal}"
                out[c.coordinate] = (value, c.data_type, style)
    return out


def part_bytes(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def column(path: Path, sheet: str, header: str) -> list[Any]:
    """The values under ``header`` (row 1) of a sheet."""
    ws = openpyxl.load_workbook(path)[sheet]
    heads = [c.value for c in ws[1]]
    j = heads.index(header) + 1
    return [ws.cell(r, j).value for r in range(2, ws.max_row + 1)]
