"""What a LeadScore XL workbook holds, as data: its sheets, the Rules and output columns,
the Settings rows and the number formats. The sample template
(``workbook/build_template.py``) and ``leadscore new`` both build from these."""

from __future__ import annotations

from typing import Any

from leadscore_xl.refresh.run import OUTPUTS

__all__ = ["FORMATS", "GRADE_FILLS", "OUTPUT_COLUMNS", "RULE_COLUMNS", "SHEETS", "settings_rows"]

SHEETS = ("Leads", "Rules", "Deals", "Model", "Report", "Settings")
OUTPUT_COLUMNS = OUTPUTS
RULE_COLUMNS = ("Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)",
                "Date attribute", "Active")  # fmt: skip
FORMATS = {
    "Annual Revenue": "#,##0", "Budget": "#,##0", "Deal Amount": "#,##0", "Last Activity Date": "yyyy-mm-dd",
    "Created Date": "yyyy-mm-dd", "Probability": "0.0%", "Scored At": "yyyy-mm-dd hh:mm", "Score": "0.0",
}  # fmt: skip
GRADE_FILLS = {"High value": "C6EFCE", "MQL": "E2F0D9", "Nurture": "FFEB9C", "Cold": "EDEDED", "Unscored": "FFFFFF"}
AS_OF_NOTE = "pins decay and recency rules; clear it to score as of today"
BLANK_AS_OF_NOTE = "blank: decay and recency rules count from today; type a date to pin them"


def settings_rows(as_of: Any, outcome: str | None, amount: str | None,
                  caps: bool = True, groups: bool = True,
                  cost_per_lead: float | None = None) -> tuple[tuple[str, Any, str], ...]:  # fmt: skip
    """Setting | Value | note rows: the template's with ``caps`` and ``groups`` (Fit 60,
    Engagement 40, their cuts); without them for rules of other groups (suggested ones)."""
    cap_rows = (("Cap Fit", 60, "the Fit group gives at most 60 points"),
                ("Cap Engagement", 40, "the Engagement group gives at most 40 points")) if caps else ()  # fmt: skip
    outcome_rows = ((("Outcome column", outcome,
                      "the Deals column holding the outcome (Won/Lost, Yes/No, TRUE/FALSE, 1/0)"),) if outcome else ())  # fmt: skip
    amount_rows = (("Amount column", amount, "the Deals column holding the deal value"),) if amount else ()
    group_rows = (
        ("Fit group", "Fit", "the group giving the fit letter A-D"),
        ("Engagement group", "Engagement", "the group giving the engagement number 1-4"),
        ("Fit cuts", "45; 30; 15", "A from 45 fit points, B from 30, C from 15"),
        ("Engagement cuts", "30; 20; 10", "1 from 30 engagement points, 2 from 20, 3 from 10"),
    ) if groups else ()  # fmt: skip
    return (
        ("Score min", 0, "the total is clamped to Score min ... Score max"),
        ("Score max", 100, ""),
        *cap_rows,
        ("Band High value", "65; High value; Sales", "from score; grade; route"),
        ("Band MQL", "50; MQL; Sales", "marketing-qualified: hand to sales"),
        ("Band Nurture", "20; Nurture; Marketing nurture", ""),
        ("Band Cold", "0; Cold; Marketing", "the lowest band catches every lower score"),
        ("As-of date", as_of, AS_OF_NOTE if as_of is not None else BLANK_AS_OF_NOTE),
        *outcome_rows,
        *amount_rows,
        *group_rows,
        ("Disqualified route", "Disqualified", "the route of a lead a Disqualify rule fires for"),
        *((("Cost per lead", cost_per_lead, "what working one lead costs, for the Report's expected-value cut-off"),)
          if cost_per_lead is not None else ()),
        ("Call list size", 50, "how many Sales-routed leads the Call List sheet shows"),
    )
