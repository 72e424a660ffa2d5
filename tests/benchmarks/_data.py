"""Synthetic Excel-shaped lead data for the benchmarks (deterministic, realistic types)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

TITLES = ["VP Sales", "Director", "Manager", "Analyst", "CEO", "Engineer", "Intern", None]
INDUSTRIES = ["Software", "Retail", "Finance", "Health", "Manufacturing", "Education", None]
REGIONS = ["EMEA", "NA", "APAC", "LATAM"]
SOURCES = ["Web", "Referral", "Event", "Paid search", "Partner", "Outbound"]


def leads(n_rows: int, seed: int = 7) -> list[list[Any]]:
    """A header row plus ``n_rows`` rows of 30 columns: 10 text, 12 numbers, 4 bools, 4 dates."""
    rnd = random.Random(seed)
    days = [dt.datetime(2025, 1, 1) + dt.timedelta(days=d) for d in range(600)] + [None]
    text_pools = [TITLES, INDUSTRIES, REGIONS, SOURCES] + [[f"v{k}" for k in range(20)] + [None]] * 6
    headers = ([f"Text {i}" for i in range(10)] + [f"Number {i}" for i in range(12)]
               + [f"Flag {i}" for i in range(4)] + [f"Date {i}" for i in range(4)])  # fmt: skip
    headers[:4] = ["Job Title", "Industry", "Region", "Lead source"]
    rows = [headers]
    choice, random_ = rnd.choice, rnd.random
    for _ in range(n_rows):
        row: list[Any] = [choice(p) for p in text_pools]
        row += [None if random_() < 0.05 else float(int(random_() * 1000)) for _ in range(12)]
        row += [random_() < 0.3 for _ in range(4)]
        row += [choice(days) for _ in range(4)]
        rows.append(row)
    return rows


def rules(n_rules: int = 40) -> list[list[Any]]:
    """``n_rules`` rules over the columns of :func:`leads`, of every operator family."""
    head = ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)"]
    specs = [
        ("Job Title", "in", "VP Sales; Director; CEO", 20), ("Industry", "=", "Software", 10),
        ("Region", "<>", "APAC", 5), ("Lead source", "not in", "Paid search; Outbound", 5),
        ("Job Title", "contains", "intern", -15), ("Industry", "is blank", None, -5),
    ]  # fmt: skip
    specs += [(f"Text {i}", "in", "v1; v2; v3", 3) for i in range(4, 10)]
    specs += [(f"Number {i}", ">=", 500.0, 4) for i in range(12)]
    specs += [(f"Number {i}", "between", "100; 300", -2) for i in range(6)]
    specs += [(f"Flag {i}", "=", True, 6) for i in range(4)]
    specs += [(f"Date {i}", "within 90 days", None, 8) for i in range(3)]
    out = [head]
    for k, (attr, op, value, points) in enumerate(specs[:n_rules]):
        group = "Fit" if k % 2 else "Engagement"
        half_life = 45.0 if attr == "Date 3" else None
        out.append([f"rule {k}", group, attr, op, value, float(points), half_life])
    while len(out) <= n_rules:
        out.append([f"decay {len(out)}", "Engagement", "Date 3", "is not blank", None, 10.0, 60.0])
    return out
