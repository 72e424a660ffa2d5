"""The column names and outcome values of CRM exports LeadScore XL recognises: data only.

``leadscore new`` writes starter rules for the columns it recognises here; messages
suggest a recognised synonym ("Company Size" -> "Number of Employees") in their
did-you-mean; the outcome values below count as won, lost or still open (blank).

Sources: the column labels of a HubSpot contacts export (Contacts > Export, "All
properties" off: the default view's columns and the common analytics properties), a
HubSpot deals export, a Salesforce Leads report and Opportunities report (labels as the
report shows them, and the API names a data export gives). The README section "Score
your own leads" lists the same names; a test checks they agree.

To recognise another column, rename it in the file to one of these names, or add its
name to the role here.
"""

from __future__ import annotations

__all__ = ["CRM_COLUMNS", "ID_COLUMNS", "NOT_ATTRIBUTES", "OPEN_STAGES", "OUTCOME_COLUMNS", "OUTCOME_STAGES", "ROLES", "synonyms"]

# role -> the names it goes by, the most common first (matched ignoring case and spaces)
CRM_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("Job Title", "Title", "Job Role", "Position"),
    "seniority": ("Seniority", "Job Seniority", "Management Level"),
    "employees": ("Number of Employees", "No. of Employees", "NumberOfEmployees", "Employees",
                  "Employee Count", "Company Size", "Company size (employees)"),
    "industry": ("Industry", "Company Industry"),
    "page views": ("Number of Pageviews", "Page Views", "Pageviews", "Website Page Views"),
    "sessions": ("Number of Sessions", "Sessions", "Website Sessions", "Visits"),
    "email opens": ("Marketing emails opened", "Emails Opened", "Email Opens", "Opens"),
    "email clicks": ("Marketing emails clicked", "Emails Clicked", "Email Clicks", "Clicks"),
    "form submissions": ("Number of Form Submissions", "Form Submissions", "Forms Submitted"),
    "last activity": ("Last Activity Date", "Last Activity", "LastActivityDate", "Last Engagement Date",
                      "Last Activity Time", "Recent Conversion Date"),
    "unsubscribed": ("Unsubscribed from all email", "Email Opt Out", "HasOptedOutOfEmail", "Unsubscribed",
                     "Opted Out", "Do Not Email"),
    "lifecycle stage": ("Lifecycle Stage", "Lifecyclestage"),
}  # fmt: skip
ROLES = tuple(CRM_COLUMNS)

# the columns a lead is matched on when new leads are appended, in this order
ID_COLUMNS = ("Record ID", "Lead ID", "Contact ID", "Id", "ID", "Email")

# columns that say who a lead is, or what sales did with it, never what makes it likely to buy:
# rules are not suggested on them and the model leaves them out
NOT_ATTRIBUTES = ("First Name", "Last Name", "Full Name", "Name", "Company Name", "Company", "Company / Account",
                  "Phone", "Phone Number", "Mobile Phone Number", "Mobile", "Fax", "Website", "Website URL",
                  "Street", "Street Address", "Address", "Zip", "Postal Code", "Postal Code/Zip", "Contact owner",
                  "Lead Owner", "Deal owner", "Owner", "Lead Status", "Deal Name", "Opportunity Name")  # fmt: skip

# Deals columns that may hold the outcome, in the order they are preferred
OUTCOME_COLUMNS = ("Won", "Outcome", "Is Won", "IsWon", "Closed Won", "Deal Stage", "Stage", "Opportunity Stage",
                   "StageName", "Converted", "IsConverted", "Lifecycle Stage")  # fmt: skip

# CRM outcome values: 1.0 won, 0.0 lost (matched trimmed and case-insensitively)
OUTCOME_STAGES: dict[str, float] = {
    # Salesforce opportunity stages, HubSpot deal stages (labels and internal values)
    "closed won": 1.0, "closed lost": 0.0, "closedwon": 1.0, "closedlost": 0.0,
    # HubSpot lifecycle stages: Customer against the rest
    "customer": 1.0, "subscriber": 0.0, "lead": 0.0, "marketing qualified lead": 0.0,
    "marketingqualifiedlead": 0.0, "sales qualified lead": 0.0, "salesqualifiedlead": 0.0,
    "opportunity": 0.0, "evangelist": 0.0, "other": 0.0,
}  # fmt: skip
# stages of deals still open: their outcome is not known yet, so they count as blank
OPEN_STAGES = frozenset({
    "appointment scheduled", "qualified to buy", "presentation scheduled", "decision maker bought-in",
    "contract sent", "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
    "decisionmakerboughtin", "contractsent",
    "prospecting", "qualification", "needs analysis", "value proposition", "id. decision makers",
    "perception analysis", "proposal/price quote", "negotiation/review",
})  # fmt: skip


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


_GROUPS = [frozenset(map(_key, names)) for names in CRM_COLUMNS.values()]


def synonyms(name: str) -> frozenset[str]:
    """The matching keys (trimmed, case-folded) of the names recognised for the same
    role as ``name``; empty when ``name`` is not recognised."""
    key = _key(name)
    for group in _GROUPS:
        if key in group:
            return group
    return frozenset()
