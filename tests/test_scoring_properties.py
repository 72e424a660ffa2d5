"""Hypothesis properties of scoring, checked against an independent oracle.

The oracle below re-implements the documented semantics (README, "The Rules table")
cell by cell in plain Python; the engine evaluates column-wise with numpy.
"""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from leadscore_xl.rules import api
from leadscore_xl.settings import read_settings

AS_OF = dt.datetime(2026, 6, 30)
HEADERS = ["Title", "Size", "Flag", "When"]
TITLES = ["VP", " vp ", "Director", "Analyst", "", "#N/A", None]
GROUPS = ["Fit", "Engagement", "Other"]
SETTINGS = [["Cap Fit", "-10; 40"], ["Cap Engagement", 30.0], ["Score min", 0.0], ["Score max", 100.0]]
CAPS = {"Fit": (-10.0, 40.0), "Engagement": (-math.inf, 30.0), "Other": (-math.inf, math.inf)}

lead_rows = st.lists(
    st.tuples(
        st.sampled_from(TITLES),
        st.one_of(st.none(), st.integers(0, 1000).map(float)),
        st.one_of(st.none(), st.booleans()),
        st.one_of(st.none(), st.integers(-5, 400).map(lambda d: AS_OF - dt.timedelta(days=d))),
    ).map(list),
    min_size=1,
    max_size=25,
)

rule_specs = st.one_of(
    st.tuples(st.just("Title"), st.sampled_from(["=", "<>", "contains"]), st.sampled_from(["VP", "director", "an"])),
    st.tuples(st.just("Title"), st.sampled_from(["in", "not in"]), st.just("VP; Analyst")),
    st.tuples(st.just("Size"), st.sampled_from([">", ">=", "<", "<=", "="]), st.integers(0, 1000).map(float)),
    st.tuples(st.just("Size"), st.just("between"), st.just("100; 500")),
    st.tuples(st.sampled_from(HEADERS), st.sampled_from(["is blank", "is not blank"]), st.none()),
    st.tuples(st.just("Flag"), st.just("="), st.booleans()),
    st.tuples(st.just("When"), st.just("within"), st.integers(0, 60).map(float)),
    st.tuples(st.just(""), st.just("always"), st.none()),
)
rule_rows = st.lists(
    st.tuples(rule_specs, st.sampled_from(GROUPS), st.integers(-30, 30).map(float)).map(
        lambda t: [f"r{t[0]}", t[1], t[0][0], t[0][1], t[0][2], t[2]]
    ),
    min_size=1,
    max_size=12,
)
HEAD = ["Rule", "Group", "Attribute", "Operator", "Value", "Points"]


def blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and (not v.strip() or v.strip() == "#N/A"))


def fires(rule: list, lead: dict) -> bool:
    _, _, attr, op, value, _ = rule
    if op == "always":
        return True
    v = lead[attr]
    if op == "is blank":
        return blank(v)
    if op == "is not blank":
        return not blank(v)
    if blank(v):
        return False
    if attr == "Title":
        t = v.strip().lower()
        items = [x.strip().lower() for x in str(value).split(";")]
        return {"=": t == items[0], "<>": t != items[0], "in": t in items, "not in": t not in items,
                "contains": items[0] in t}[op]  # fmt: skip
    if attr == "Flag":
        return v == value
    if attr == "When":
        return 0 <= (AS_OF.date() - v.date()).days <= value
    if op == "between":
        return 100 <= v <= 500
    return {">": v > value, ">=": v >= value, "<": v < value, "<=": v <= value, "=": v == value}[op]


def oracle(leads: list[list], rules: list[list]) -> list[object]:
    """Scores per the README; trailing all-blank rows are not leads and get blank output."""
    filled = len(leads)
    while filled and all(blank(v) for v in leads[filled - 1]):
        filled -= 1
    out: list[object] = []
    for row in leads[:filled]:
        lead = dict(zip(HEADERS, row))
        if all(blank(lead[r[2]]) for r in rules if r[3] != "always" and r[5] != 0):  # 0-point rules do not count
            out.append("UNSCORED")
            continue
        sums = dict.fromkeys(GROUPS, 0.0)
        for rule in rules:
            if fires(rule, lead):
                sums[rule[1]] += rule[5]
        total = sum(min(max(s, CAPS[g][0]), CAPS[g][1]) for g, s in sums.items())
        out.append(min(max(total, 0.0), 100.0))
    return out + [None] * (len(leads) - filled)


def scores(leads: list[list], rules: list[list]) -> list[object]:
    result = api.score_leads([HEADERS, *leads], [HEAD, *rules], SETTINGS, AS_OF)
    return [r[0] for r in result.to_rows()]


@settings(max_examples=150, deadline=None)
@given(lead_rows, rule_rows)
def test_score_is_clamped_capped_sum_of_fired_points(leads: list, rules: list) -> None:
    assert scores(leads, rules) == oracle(leads, rules)


@settings(max_examples=100, deadline=None)
@given(lead_rows, rule_rows)
def test_single_lead_path_and_explanation_agree_with_table_path(leads: list, rules: list) -> None:
    table = scores(leads, rules)
    for row, expected in zip(leads, table):
        if expected is None:  # a trailing blank row of a table is not a lead
            continue
        assert api.lead_score(row, HEADERS, [HEAD, *rules], SETTINGS, AS_OF) == expected
        explained = api.explain_lead(row, HEADERS, [HEAD, *rules], SETTINGS, AS_OF)
        assert explained.score == expected
        if expected != "UNSCORED":
            rows = explained.to_rows()
            assert rows[-1][0] == "Total" and rows[-1][7] == expected
            assert math.fsum(r[7] for r in rows[1:-1]) == expected


@settings(max_examples=100, deadline=None)
@given(lead_rows, rule_rows, st.randoms(use_true_random=False))
def test_row_order_and_rule_order_do_not_change_scores(leads: list, rules: list, rnd) -> None:
    leads = [row for row in leads if not all(map(blank, row))] or [["VP", None, None, None]]
    before = scores(leads, rules)
    order = list(range(len(leads)))
    rnd.shuffle(order)
    shuffled_rules = rules[:]
    rnd.shuffle(shuffled_rules)
    after = scores([leads[i] for i in order], shuffled_rules)
    assert after == [before[i] for i in order]


@settings(max_examples=100, deadline=None)
@given(lead_rows, rule_rows, rule_specs)
def test_a_zero_point_rule_changes_nothing(leads: list, rules: list, spec: tuple) -> None:
    assert scores(leads, rules + [["zero", "Fit", spec[0], spec[1], spec[2], 0.0]]) == scores(leads, rules)


def test_settings_parse_caps_used_above() -> None:
    cfg = read_settings(SETTINGS).scoring
    assert cfg.cap("fit") == (-10.0, 40.0) and cfg.cap(" ENGAGEMENT ") == (-math.inf, 30.0)


decimal_rules = st.lists(
    st.tuples(rule_specs, st.sampled_from(GROUPS), st.integers(-3000, 3000).map(lambda c: c / 100),
              st.sampled_from([None, 7.0, 30.0])).map(
        lambda t: [f"r{t[0]}", t[1], t[0][0], t[0][1], t[0][2], t[2], t[3], "When"]
    ),
    min_size=1,
    max_size=12,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(lead_rows, decimal_rules)
def test_the_three_paths_agree_to_the_last_bit_with_decimals_and_decay(leads: list, rules: list) -> None:
    """LEADSCORES, LEADSCORE and LEADEXPLAIN add in the same order, so they agree exactly."""
    head = HEAD + ["Half-life (days)", "Date attribute"]
    table = api.score_leads([HEADERS, *leads], [head, *rules], SETTINGS, AS_OF).to_rows()
    for row, (expected,) in zip(leads, table):
        if expected is None:
            continue
        assert api.lead_score(row, HEADERS, [head, *rules], SETTINGS, AS_OF) == expected
        assert api.explain_lead(row, HEADERS, [head, *rules], SETTINGS, AS_OF).score == expected
