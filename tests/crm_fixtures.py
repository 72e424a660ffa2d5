"""Generated CRM exports for the intake tests: a HubSpot contacts export and deals, and a
Salesforce leads report and opportunities, with the real exports' column names.

The leads' chance to convert rises with seniority, company size and engagement (a known
logistic model), so that suggested rules and the model have something to find. Values
carry the exports' quirks: HubSpot's Number of Employees mixes "1000+" with numbers,
blanks are everywhere, dates come ISO (HubSpot), month-first (Salesforce, US) or
day-first (the ``day_first`` variant)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
from pathlib import Path

HUBSPOT_COLUMNS = ["Record ID", "First Name", "Last Name", "Email", "Job Title", "Company Name", "Number of Employees",
                   "Industry", "Lifecycle Stage", "Lead Status", "Number of Pageviews", "Number of Sessions",
                   "Marketing emails opened", "Marketing emails clicked", "Number of Form Submissions",
                   "Unsubscribed from all email", "Create Date", "Last Activity Date"]  # fmt: skip
SALESFORCE_COLUMNS = ["Lead ID", "First Name", "Last Name", "Title", "Company / Account", "Email", "Lead Source",
                      "Industry", "Rating", "Annual Revenue", "No. of Employees", "Email Opt Out", "Create Date",
                      "Last Activity", "Lead Status"]  # fmt: skip
TITLES = ["CEO", "VP Sales", "Director of Marketing", "Marketing Manager", "Sales Manager", "Analyst", "Engineer",
          "Student", "Head of Growth", "Consultant"]  # fmt: skip
TITLE_WEIGHT = {"CEO": 1.2, "VP Sales": 1.0, "Director of Marketing": 0.8, "Head of Growth": 0.7,
                "Marketing Manager": 0.3, "Sales Manager": 0.3}  # fmt: skip
INDUSTRIES = ["Software", "Financial Services", "Retail", "Manufacturing", "Education", "Health Care"]
AS_OF = dt.date(2026, 11, 30)


def _person(rng: random.Random, i: int) -> dict:
    title = rng.choice(TITLES)
    employees = rng.choice([5, 20, 60, 150, 400, 800, 2500, None])
    views = int(rng.expovariate(1 / 8))
    clicks = min(views, int(rng.expovariate(1 / 2)))
    forms = rng.choice([0, 0, 0, 1, 2])
    days = int(rng.expovariate(1 / 40))
    z = -2.0 + TITLE_WEIGHT.get(title, 0.0) + (0.8 if employees and employees >= 200 else 0.0) + 0.08 * views \
        + 0.4 * forms - (2.0 if title == "Student" else 0.0)
    won = rng.random() < 1 / (1 + math.exp(-z))
    return {"i": i, "title": title, "employees": employees, "views": views, "clicks": clicks, "forms": forms,
            "industry": rng.choice(INDUSTRIES + [None]), "last": AS_OF - dt.timedelta(days=days),
            "created": AS_OF - dt.timedelta(days=days + rng.randint(1, 300)), "won": won,
            "first": rng.choice(["Ana", "Ben", "Chloé", "Dara", "Eli"]), "last_name": f"Lee{i}"}


def _date(d: dt.date, style: str) -> str:
    if style == "iso":
        return f"{d.isoformat()} 09:{d.day:02d}"
    if style == "day_first":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"{d.month}/{d.day}/{d.year}"


def hubspot_contacts(n: int, seed: int = 1, dates: str = "iso", customers: bool = False) -> list[list[str]]:
    """Rows (header first) of a HubSpot contacts export; ``customers``: Lifecycle Stage
    tells Customer (won) from the rest, as the past-deals file of a HubSpot user."""
    rng = random.Random(seed)
    rows = [list(HUBSPOT_COLUMNS)]
    for i in range(n):
        p = _person(rng, i)
        employees = "" if p["employees"] is None else ("1000+" if p["employees"] >= 1000 else str(p["employees"]))
        stage = ("customer" if p["won"] else rng.choice(["lead", "subscriber", "opportunity"])) if customers else \
            rng.choice(["lead", "marketingqualifiedlead", "salesqualifiedlead", "subscriber", ""])
        rows.append([str(5000 + i + (100000 if customers else 0)), p["first"], p["last_name"], f"{p['last_name']}@ex{i % 7}.com".lower(),
                     p["title"], f"Company {i % 50}", employees, p["industry"] or "", stage,
                     rng.choice(["New", "Open", "In Progress", ""]), str(p["views"]), str(max(1, p["views"] // 3)),
                     str(p["clicks"] * 2), str(p["clicks"]), str(p["forms"]), rng.choice(["true", "false", "false", ""]),
                     _date(p["created"], dates), "" if i % 9 == 0 else _date(p["last"], dates)])  # fmt: skip
    return rows


def salesforce_leads(n: int, seed: int = 2, converted: bool = False) -> list[list[str]]:
    """Rows of a Salesforce leads report (US dates); ``converted`` adds the Converted column."""
    rng = random.Random(seed)
    header = list(SALESFORCE_COLUMNS) + (["Converted"] if converted else [])
    rows = [header]
    for i in range(n):
        p = _person(rng, i)
        revenue = rng.choice(["$1,200,000", "$25,000,000", "", "$480,000"])
        row = [f"00Q5e0000{i:06d}AB", p["first"], p["last_name"], p["title"], f"Acme {i % 40}",
               f"{p['last_name']}@acme{i % 5}.com".lower(), rng.choice(["Web", "Referral", "Partner", "Trade Show"]),
               p["industry"] or "", rng.choice(["Hot", "Warm", "Cold"]), revenue,
               "" if p["employees"] is None else f"{p['employees']:,}", rng.choice(["0", "0", "1"]),
               _date(p["created"], "us"), "" if i % 8 == 0 else _date(p["last"], "us"),
               rng.choice(["Open - Not Contacted", "Working - Contacted"])]  # fmt: skip
        rows.append(row + (["1" if p["won"] else "0"] if converted else []))
    return rows


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
