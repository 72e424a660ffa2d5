"""Time: decay per rule, recency rules, as-of scoring, Excel serials, the fit x engagement matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leadscore_udfs as udfs
from leadscore_xl.rules import api
from leadscore_xl.sheet.dates import from_serial, resolve_as_of, to_serial
from xlharness import call, call1

HEAD = ["Rule", "Group", "Attribute", "Operator", "Value", "Points", "Half-life (days)", "Date attribute"]
DECAY = [HEAD, ["Pricing visit", "Engagement", "Pricing visits", ">", 0.0, 40.0, 30.0, "Last visit"]]
AS_OF = dt.datetime(2026, 6, 30)


def decayed(age_days: float, as_of: dt.datetime = AS_OF, points_rules: list = DECAY) -> float | str:
    visit = as_of - dt.timedelta(days=age_days)
    return api.lead_score([3.0, visit], ["Pricing visits", "Last visit"], points_rules, None, as_of)


def test_half_life_halves_at_30_days_and_quarters_at_60() -> None:
    assert decayed(0) == 40.0
    assert decayed(30) == pytest.approx(20.0, rel=1e-12)
    assert decayed(60) == pytest.approx(10.0, rel=1e-12)
    assert decayed(15) == pytest.approx(40 * 0.5**0.5, rel=1e-12)


def test_future_or_blank_event_gives_nothing_and_the_explanation_says_why() -> None:
    assert decayed(-1) == 0.0
    future = api.explain_lead([3.0, AS_OF + dt.timedelta(days=2)], ["Pricing visits", "Last visit"], DECAY, None, AS_OF)
    assert future.to_rows()[1][8] == "no points: the event is dated after the as-of date"
    blank = api.explain_lead([3.0, None], ["Pricing visits", "Last visit"], DECAY, None, AS_OF)
    assert blank.to_rows()[1][7] == 0.0 and blank.to_rows()[1][8] == "no points: Last visit is blank"


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 5000), st.integers(0, 5000), st.floats(1, 400), st.floats(-100, 100).filter(bool))
def test_decay_never_exceeds_undecayed_and_is_monotone_in_age(a: int, b: int, half_life: float, points: float) -> None:
    rules = [HEAD, ["v", "E", "Pricing visits", ">", 0.0, points, half_life, "Last visit"]]
    settings_rows = [["Score min", -1000.0], ["Score max", 1000.0]]
    young, old = sorted((a, b))

    def at(age: int) -> float:
        visit = AS_OF - dt.timedelta(days=age)
        return api.lead_score([1.0, visit], ["Pricing visits", "Last visit"], rules, settings_rows, AS_OF)

    assert abs(at(young)) <= abs(points) + 1e-12
    assert abs(at(old)) <= abs(at(young)) + 1e-12


def test_within_n_days_recency_rule() -> None:
    rules = [HEAD[:6], ["Demo", "Engagement", "Demo requested", "within 30 days", None, 15.0]]
    headers = ["Demo requested"]
    for days, expected in ((0, 15.0), (30, 15.0), (31, 0.0), (-1, 0.0)):
        lead = [AS_OF - dt.timedelta(days=days)]
        assert api.lead_score(lead, headers, rules, None, AS_OF) == expected


def test_pinned_as_of_reproduces_on_any_day_and_moving_it_forward_never_raises() -> None:
    leads = [["Pricing visits", "Last visit"], [2.0, dt.datetime(2026, 6, 1)], [1.0, dt.datetime(2026, 1, 1)]]
    pinned = [["As-of date", dt.datetime(2026, 6, 30)]]
    first = api.score_leads(leads, DECAY, pinned).to_rows()
    assert api.score_leads(leads, DECAY, pinned).to_rows() == first  # the day the test runs does not matter
    previous = None
    for day in range(0, 400, 7):
        scores = [r[0] for r in api.score_leads(leads, DECAY, None, AS_OF + dt.timedelta(days=day)).to_rows()]
        if previous is not None:
            assert all(now <= before + 1e-12 for now, before in zip(scores, previous))
        previous = scores


def test_excel_serials_including_the_1900_leap_year_quirk() -> None:
    # Excel: =DATE(1900,1,1) is 1, =DATE(1900,2,28) is 59, 29 Feb 1900 is 60, =DATE(1900,3,1) is 61
    assert to_serial(dt.date(1900, 1, 1)) == 1.0
    assert to_serial(dt.date(1900, 2, 28)) == 59.0
    assert to_serial(dt.date(1900, 3, 1)) == 61.0
    assert to_serial(dt.date(2026, 1, 1)) == 46023.0
    assert to_serial(dt.datetime(2026, 1, 1, 18)) == 46023.75
    assert from_serial(61.0) == dt.datetime(1900, 3, 1) and from_serial(1.0) == dt.datetime(1900, 1, 1)
    assert from_serial(60.0) == dt.datetime(1900, 2, 28)  # the phantom 29 Feb shows as 28 Feb
    assert resolve_as_of("2026-03-31") == 46112.0 and resolve_as_of(46112.0) == 46112.0


@pytest.mark.parametrize("as_of", [dt.datetime(1900, 2, 20), dt.datetime(1900, 3, 5), dt.datetime(2026, 6, 30)])
@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_serial_dates_and_datetimes_give_identical_scores_through_the_harness(as_of: dt.datetime) -> None:
    days = [as_of - dt.timedelta(days=d) for d in (0, 3, 12, 40)]
    leads_dt = [["Pricing visits", "Last visit"]] + [[1.0, d] for d in days]
    leads_serial = [["Pricing visits", "Last visit"]] + [[1.0, to_serial(d)] for d in days]
    by_datetime = call(udfs.LEADSCORES, leads_dt, DECAY, [["As-of date", as_of]])
    by_serial = call(udfs.LEADSCORES, leads_serial, DECAY, [["As-of date", to_serial(as_of)]])
    assert by_datetime == by_serial
    one_dt = call1(udfs.LEADSCORE, leads_dt[3], leads_dt[0], DECAY, None, as_of)
    one_serial = call1(udfs.LEADSCORE, leads_serial[3], leads_serial[0], DECAY, None, to_serial(as_of))
    assert one_dt == one_serial == by_datetime[2][0]


@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_explanation_shows_raw_points_decay_factor_age_and_points_given() -> None:
    rows = call(udfs.LEADEXPLAIN, [3.0, dt.datetime(2026, 5, 31)], ["Pricing visits", "Last visit"], DECAY,
                [["As-of date", AS_OF]])  # fmt: skip
    header, visit, total = rows
    assert header[4:8] == ["Points", "Decay factor", "Age (days)", "Contribution"]
    assert visit[4] == 40.0 and visit[5] == pytest.approx(0.5) and visit[6] == 30.0 and visit[7] == pytest.approx(20.0)
    assert total[0] == "Total" and total[7] == pytest.approx(20.0)


@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_matrix_counts_add_up_to_the_scored_leads() -> None:
    rules = [HEAD[:6], ["Size", "Fit", "Employees", ">=", 100.0, 50.0], ["Small", "Fit", "Employees", "<", 100.0, 20.0],
             ["Visits", "Engagement", "Visits", ">=", 3.0, 35.0], ["Some", "Engagement", "Visits", "between", "1;2", 15.0]]
    leads = [["Employees", "Visits"], [500.0, 5.0], [10.0, 1.0], [None, None], [200.0, 0.0], [50.0, 4.0], [None, None]]
    counts = call(udfs.LEADMATRIXCOUNTS, leads, rules)
    assert counts[0] == ["Fit \\ Engagement", "1", "2", "3", "4", "Total"]
    body = {r[0]: r[1:] for r in counts[1:]}
    assert body["A"] == [1, 0, 0, 1, 2]  # 500/5 -> A1, 200/0 -> A4
    assert body["C"] == [1, 0, 1, 0, 2] and body["D"] == [0, 0, 0, 0, 0]  # 50/4 -> C1 (20, 35); 10/1 -> C3 (20, 15)
    assert body["Total"][4] == 4 == sum(body[k][4] for k in "ABCD")
    assert body["UNSCORED"][4] == 1  # the trailing blank row is not a lead


@pytest.mark.usefixtures("harness_mode")  # classic and xlwings Lite
def test_every_scoring_function_gives_the_same_result_for_serials_and_datetimes() -> None:
    rules = DECAY + [["Recent", "Engagement", "Last visit", "within", 20.0, 10.0, None, None]]
    days = [AS_OF - dt.timedelta(days=d) for d in (1, 15, 45)]
    dt_leads = [["Pricing visits", "Last visit"]] + [[2.0, d] for d in days]
    serial_leads = [["Pricing visits", "Last visit"]] + [[2.0, to_serial(d)] for d in days]
    as_of_both = ([["As-of date", AS_OF]], [["As-of date", to_serial(AS_OF)]])
    for func in (udfs.LEADSCORES, udfs.LEADMATRIXES, udfs.LEADMATRIXCOUNTS):
        assert call(func, dt_leads, rules, as_of_both[0]) == call(func, serial_leads, rules, as_of_both[1])
    for func in (udfs.LEADSCORE, udfs.LEADMATRIX):
        for a, b in zip(dt_leads[1:], serial_leads[1:]):
            assert call(func, a, dt_leads[0], rules, as_of_both[0]) == call(func, b, dt_leads[0], rules, as_of_both[1])
    by_dt = call(udfs.LEADEXPLAIN, dt_leads[2], dt_leads[0], rules, as_of_both[0])
    by_serial = call(udfs.LEADEXPLAIN, serial_leads[2], serial_leads[0], rules, as_of_both[1])
    assert [r[4:] for r in by_dt] == [r[4:] for r in by_serial]  # same points, decay, age, notes


def test_the_default_as_of_is_today_and_a_pinned_one_ignores_the_clock(monkeypatch) -> None:
    import leadscore_xl.sheet.dates as dates

    leads = [["Pricing visits", "Last visit"], [2.0, dt.datetime(2026, 6, 1)]]
    pinned = [["As-of date", dt.datetime(2026, 6, 30)]]
    before = api.score_leads(leads, DECAY, pinned).to_rows()
    monkeypatch.setattr(dates, "today", lambda: dt.date(2026, 7, 30))  # a month later
    assert api.score_leads(leads, DECAY, pinned).to_rows() == before  # reproduces what sales saw
    assert api.score_leads(leads, DECAY).to_rows() == [[pytest.approx(40 * 0.5 ** (59 / 30))]]  # today moved
    monkeypatch.setattr(dates, "today", lambda: dt.date(2026, 6, 30))
    assert api.score_leads(leads, DECAY).to_rows() == before
