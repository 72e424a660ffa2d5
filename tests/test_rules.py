"""The Rules table: validation messages and operator semantics."""

from __future__ import annotations

import datetime as dt

import pytest

from leadscore_xl.rules import api
from leadscore_xl.errors import InputError, RuleError, SettingsError, TableError
from leadscore_xl.rules.table import parse_rules

HEAD = ["Rule", "Group", "Attribute", "Operator", "Value", "Points"]
LEADS = [["Job Title", "Employees", "Industry", "Demo date", "Email"],
         ["VP Sales", 250.0, "Software", dt.datetime(2026, 3, 20), "a@rival.com"]]  # fmt: skip


def rules(*rows: list) -> list[list]:
    return [HEAD, *rows]


ONE_RULE = rules(["r", "Fit", "Job Title", "=", "VP", 1])


ERRORS = [
    (rules(["r", "Fit", "Job Title", "=>", 5, 10]),
     'Rules row 2: operator "=>" is not recognised; use one of =, <>, >, >=, <, <=, between, in, not in, contains, is blank, is not blank, within N days'),
    (rules(["r", "Fit", "Job Title", "=", "VP", 1], ["r", "Fit", "Job Title", "", "VP", 1]),
     "Rules row 3: Operator is blank; use one of"),
    (rules(["r", "Fit", "Job Titel", "=", "VP", 10]),
     'Rules row 2: attribute "Job Titel" is not a Leads column; did you mean "Job Title"?'),
    (rules(["r", "Fit", "Job Title", "=", "VP", "ten"]),
     'Rules row 2: Points "ten" is not a number; type a number such as 10 or -5, or Disqualify'),
    (rules(["r", "Fit", "Job Title", "=", "VP", None]), "Rules row 2: Points is blank"),
    (rules(["r", "Fit", None, "=", "VP", 5]), "Rules row 2: Attribute is blank; type the Leads column the rule tests"),
    (rules(["r", "Fit", "Employees", ">", "many", 5]),
     'Rules row 2: Value "many" is not a number, but ">" compares numbers or dates'),
    (rules(["r", "Fit", "Employees", "between", "10-50", 5]),
     'Rules row 2: "between" needs two numbers in Value, e.g. "10; 50"; got "10-50"'),
    (rules(["r", "Fit", "Employees", "between", 10.0, 5]), 'Rules row 2: "between" needs two numbers in Value'),
    (rules(["r", "Fit", "Industry", "=", "Software; Retail", 5]),
     'Rules row 2: Value "Software; Retail" is a list but "=" compares with one value; use "in" for a list'),
    (rules(["r", "Fit", "Industry", "in", None, 5]), 'Rules row 2: Value is blank but "in" needs one'),
    (rules(["r", "Eng", "Demo date", "within days", "soon", 5]),
     'Rules row 2: "within N days" needs the number of days, in Value (e.g. 30) or in the operator'),
    ([["Rule", "Attribute", "Operator", "Value"], ["r", "Industry", "=", "x"]],
     'The Rules table has no "Points" column; it needs the columns Rule, Group, Attribute, Operator, Value, Points'),
    (rules(), "The Rules table has no rules; add at least one row under its header row"),
    (rules(["r", "Fit", "Job Title", "=", "VP", 1e9]), 'Rules row 2: Points "1000000000" is out of range'),
    ([HEAD + ["Active"], ["r", "Fit", "Job Title", "=", "VP", 1, "maybe"]],
     'Rules row 2: Active "maybe" is not TRUE or FALSE; type TRUE, FALSE, Yes or No'),
    ([["Job Title", "=", "VP", 5.0]], 'The Rules table has no "Attribute" column; it needs the columns'),
    ([HEAD + ["Half-life (days)"], ["r", "Eng", "Demo date", "is not blank", None, 5, -3.0]],
     'Rules row 2: Half-life (days) "-3" is not a positive number of days'),
    ([HEAD + ["Half-life (days)", "Date attribute"], ["r", "Eng", "Industry", "is not blank", None, 5, 30.0, "Demo dte"]],
     'Rules row 2: date attribute "Demo dte" is not a Leads column; did you mean "Demo date"?'),
]  # fmt: skip


@pytest.mark.parametrize(("rule_rows", "message"), ERRORS)
def test_rule_error_messages(rule_rows: list, message: str) -> None:
    with pytest.raises((RuleError, TableError)) as info:
        api.score_leads(LEADS, rule_rows, None, dt.date(2026, 3, 31))
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: api.lead_score(["a", "b"], [["Job Title"]], rules(["r", "Fit", "Job Title", "=", "VP", 1])),
         "The lead has 2 cells but the headers have 1; pass one row of the Leads table with its header row"),
        (lambda: api.lead_score([["a"], ["b"]], ["Job Title"], rules(["r", "Fit", "Job Title", "=", "VP", 1])),
         "Pass one lead row and its one header row, e.g. Leads[@] and Leads[#Headers]; got 2 lead rows"),
        (lambda: api.grade_score("high"), 'Score "high" is not a number; pass a score such as 72'),
        (lambda: api.grade_score(50.0, None, "colour"), 'Part "colour" is not known; use "grade", "route" or "both"'),
        (lambda: api.parse_outputs("Score; Colour"), 'Output "Colour" is not known; use any of Score, Grade, Route, Matrix'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Band A", "sixty; A"]]), 'Settings row 1: band "sixty; A" must read "from score; grade; route"'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Cap Fit", "60; 10"]]), 'Settings row 1: cap "60; 10" must be a maximum ("60"), "minimum; maximum" with the minimum first'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Score min", ";"]]), 'Settings row 1: Score min ";" is not a number'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Score max", "nan"]]), 'Settings row 1: Score max "nan" is not a number'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["As-of date", "soon"]]), 'Settings row 1: As-of date "soon" is not a date'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Score min", 100.0], ["Score max", 0.0]]), "Settings: Score min (100) must be below Score max (0)"),
        (lambda: api.score_leads(LEADS, ONE_RULE, None, "yesterday"), 'As-of date "yesterday" is not a date'),
        (lambda: api.score_leads(LEADS, ONE_RULE, [["Fit cuts", "10; 20; 30"]]), 'Settings row 1: Fit cuts needs three falling numbers'),
    ],
)  # fmt: skip
def test_other_input_error_messages(call, message: str) -> None:
    with pytest.raises((InputError, SettingsError)) as info:
        call()
    assert message in str(info.value)


def score(rule_row: list, leads: list[list] = LEADS, as_of: object = dt.date(2026, 3, 31)) -> list:
    return [r[0] for r in api.score_leads(leads, rules(rule_row), None, as_of).to_rows()]


OPS = [
    (["Job Title", "=", "  vp sales ", 10], 10.0),
    (["Job Title", "<>", "VP Sales", 10], 0.0),
    (["Job Title", "in", "Director; VP SALES", 10], 10.0),
    (["Job Title", "not in", "Director; CEO", 10], 10.0),
    (["Job Title", "contains", "sales", 10], 10.0),
    (["Job Title", "contains", "market; SALE", 10], 10.0),
    (["Employees", ">", 249.0, 10], 10.0),
    (["Employees", ">=", "250", 10], 10.0),
    (["Employees", "<", 250.0, 10], 0.0),
    (["Employees", "<=", 250.0, 10], 10.0),
    (["Employees", "between", "300; 200", 10], 10.0),
    (["Employees", "=", "250", 10], 10.0),
    (["Employees", "in", "100;250", 10], 10.0),
    (["Industry", "is not blank", None, 10], 10.0),
    (["Industry", "is blank", None, 10], 0.0),
    (["Demo date", "within 30 days", None, 10], 10.0),
    (["Demo date", "within", 11.0, 10], 10.0),
    (["Demo date", "Within N days", 11.0, 10], 10.0),
    (["Demo date", "within", 10.0, 10], 0.0),
    (["Demo date", "within days", 5.0, 10], 0.0),
    (["Demo date", ">", "2026-03-01", 10], 10.0),
    (["Demo date", "=", dt.datetime(2026, 3, 20), 10], 10.0),
    (["Email", "contains", "@rival.com", -100], 0.0),
]


@pytest.mark.parametrize(("rule_row", "expected"), OPS)
def test_operator_semantics(rule_row: list, expected: float) -> None:
    assert score(["r", "Fit", *rule_row]) == [expected]


def test_blank_cells_fire_only_is_blank() -> None:
    leads = [["Industry", "Employees"], [None, None], ["#N/A", 5.0]]
    for row in (["Industry", "<>", "Retail", 10], ["Industry", "not in", "Retail", 10], ["Employees", "<", 3.0, 10]):
        assert score(["r", "Fit", *row], leads)[0] == "UNSCORED"
    both = api.score_leads(leads, rules(["r", "Fit", "Industry", "is blank", None, 10],
                                        ["s", "Fit", "Employees", ">", 0.0, 1]), None, dt.date(2026, 3, 31))  # fmt: skip
    assert [r[0] for r in both.to_rows()] == ["UNSCORED", 11.0]


def test_booleans_match_true_false_and_yes_no() -> None:
    leads = [["Unsubscribed"], [True], [False], ["Yes"], ["no"]]
    assert score(["r", "Eng", "Unsubscribed", "=", True, 10], leads) == [10.0, 0.0, 10.0, 0.0]
    assert score(["r", "Eng", "Unsubscribed", "=", "yes", 10], leads) == [10.0, 0.0, 10.0, 0.0]


def test_inactive_rules_and_blank_rows_are_skipped_and_cache_hits() -> None:
    table = [HEAD + ["Active"], ["a", "Fit", "Industry", "=", "Software", 10, "No"], [None] * 7,
             ["b", "Fit", "Industry", "=", "Software", 5, True]]  # fmt: skip
    parsed = parse_rules(table)
    assert [r.name for r in parsed.rules] == ["b"]
    assert parse_rules([list(r) for r in table]) is parsed  # same content -> same parsed object


def test_always_gives_base_points_to_scored_leads_only() -> None:
    leads = [["Industry", "Employees"], ["Software", None], [None, None], ["Retail", 3.0]]
    table = rules(["Base", "Base", None, "always", None, 30], ["sw", "Fit", "Industry", "=", "Software", 20])
    result = api.score_leads(leads, table, None, dt.date(2026, 3, 31))
    assert [r[0] for r in result.to_rows()] == [50.0, "UNSCORED", 30.0]  # Employees is no rule attribute
    explained = api.explain_lead(leads[1], leads[0], table).to_rows()
    assert explained[1][:3] == ["Base", "Base", "every scored lead"] and explained[1][7] == 30.0
    assert api.lead_score(leads[2], leads[0], table) == "UNSCORED"
    with pytest.raises(RuleError, match='Rules row 2: an "always" rule with a half-life needs a Date attribute'):
        api.score_leads(leads, [HEAD + ["Half-life (days)"], ["b", "B", None, "always", None, 5, 30.0]])


def test_disqualify_forces_route_but_keeps_score() -> None:
    rows = api.score_leads(LEADS, rules(["comp", "Neg", "Email", "contains", "rival.com", "Disqualify"],
                                        ["vp", "Fit", "Job Title", "=", "VP Sales", 70]), None, dt.date(2026, 3, 31))  # fmt: skip
    assert rows.to_rows(("Score", "Grade", "Route")) == [[70.0, "High value", "Disqualified"]]


def test_caps_take_a_minimum_only_and_groups_match_ignoring_case() -> None:
    leads = [["Size", "Title"], [500.0, "VP"], [5.0, None]]
    table = rules(["big", "Fit", "Size", ">", 100.0, 50], ["vp", "fit", "Title", "=", "VP", 50],
                  ["small", "FIT ", "Size", "<", 100.0, -30])  # fmt: skip
    capped = api.score_leads(leads, table, [["Cap Fit", 60.0]])
    assert [r[0] for r in capped.to_rows()] == [60.0, 0.0]  # "fit" and "FIT " are the group Fit
    floor = api.score_leads(leads, table, [["Cap Fit", "-10;"], ["Score min", -100.0]])
    assert [r[0] for r in floor.to_rows()] == [100.0, -10.0]
    assert parse_rules(table).groups == ("Fit",)


def test_true_and_one_are_different_rules_whatever_was_parsed_before() -> None:
    leads = [["Flag"], [True], ["Yes"], [1.0]]
    by_one = api.score_leads(leads, rules(["f", "Fit", "Flag", "=", 1.0, 10]))
    by_true = api.score_leads(leads, rules(["f", "Fit", "Flag", "=", True, 10]))
    assert [r[0] for r in by_one.to_rows()] == [10.0, 0.0, 10.0]
    assert [r[0] for r in by_true.to_rows()] == [10.0, 10.0, 10.0]  # "Yes" is true only for TRUE


def test_numbers_stored_as_text_compare_numerically_and_date_values_compare_days() -> None:
    leads = [["Size", "Visited"], ["500", dt.datetime(2026, 3, 20, 14, 30)], ["50", dt.datetime(2026, 3, 21, 9)]]
    assert score(["r", "Fit", "Size", ">", 100.0, 10], leads) == [10.0, 0.0]
    assert score(["r", "Fit", "Size", "between", "40; 60", 10], leads) == [0.0, 10.0]
    assert api.lead_score(leads[1], leads[0], rules(["r", "Fit", "Size", ">=", 500.0, 10])) == 10.0
    for op, value, expected in (("=", dt.datetime(2026, 3, 20), [10.0, 0.0]), ("<=", "2026-03-20", [10.0, 0.0]),
                                (">", "2026-03-20", [0.0, 10.0]), ("between", "2026-03-20; 2026-03-20", [10.0, 0.0])):
        assert score(["r", "Eng", "Visited", op, value, 10], leads) == expected
        assert [api.lead_score(r, leads[0], rules(["r", "Eng", "Visited", op, value, 10])) for r in leads[1:]] == expected


def test_a_half_life_on_text_says_it_needs_a_date() -> None:
    leads = [["Title", "Last visit"], ["VP", "soon"], ["CEO", None]]
    table = [HEAD + ["Half-life (days)"], ["r", "Eng", "Title", "is not blank", None, 10, 30.0]]
    with pytest.raises(RuleError, match='Rules row 2: "Title" holds text, not dates, but a half-life needs the date'):
        api.score_leads(leads, table)
    with_date = [HEAD + ["Half-life (days)", "Date attribute"], ["r", "Eng", "Title", "is not blank", None, 10, 30.0, "Last visit"]]
    rows = api.explain_lead(leads[1], leads[0], with_date).to_rows()
    assert rows[1][7] == 0.0 and rows[1][8] == "no points: Last visit holds text, not a date"
    assert api.explain_lead(leads[2], leads[0], with_date).to_rows()[1][8] == "no points: Last visit is blank"


def test_lead_headers_are_checked_like_a_table_and_grades_read_numbers_as_text() -> None:
    with pytest.raises(InputError, match='Leads columns 1 and 2 are both headed "size"'):
        api.lead_score([500.0, 5.0], ["Size", "size"], rules(["r", "Fit", "Size", ">", 100.0, 10]))
    assert api.grade_score("72") == "High value"
    with pytest.raises(InputError, match="Score must be one cell"):
        api.grade_score([70.0, 10.0])
