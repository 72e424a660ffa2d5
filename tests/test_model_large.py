"""The large-data paths of the fit (200,000 rows or more): a subsample start polished on
all rows, then statsmodels' own Newton, which must give statsmodels' answer exactly as a
plain fit does; and separation found in seconds, complete told apart from quasi-complete."""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.discrete.discrete_model import Logit

from leadscore_xl.model.fit import fit_logit

N = 200_000


def _rows(x: np.ndarray, won: np.ndarray, names: list[str]) -> list[list[object]]:
    body = np.column_stack([x, won.astype(float)]).tolist()
    return [[*names, "Won"], *body]


def test_the_polished_large_fit_equals_a_plain_statsmodels_fit() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(N, 3))
    won = rng.random(N) < 1 / (1 + np.exp(-(-1.0 + x @ np.array([0.8, -0.5, 0.2]))))
    result = fit_logit(_rows(x, won, ["a", "b", "c"]), "Won")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bare = Logit(won.astype(float), np.column_stack([np.ones(N), x]), check_rank=False).fit(disp=0)
    assert result.estimate.method == "Newton" and result.estimate.converged
    stats = dict(map(tuple, result.stats_rows()[1:]))
    assert stats["Start values"] == "a 1/8 subsample's estimate, refined on all rows"
    assert stats["Newton iterations on all rows"] == 1
    np.testing.assert_allclose(result.params, bare.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.bse, bare.bse, rtol=1e-8)
    assert abs(result.estimate.llf - bare.llf) < 1e-6


def test_separated_large_data_fall_back_to_firth_in_seconds() -> None:
    """Separation is found by linear programmes over a working set of rows (constraint
    generation), not one programme over all 200,000 rows, which took minutes."""
    rng = np.random.default_rng(12)
    x = rng.normal(size=(N, 1))
    won = x[:, 0] > 0.0  # complete separation
    result = fit_logit(_rows(x, won, ["a"]), "Won")
    assert result.estimate.method == "Firth"
    assert any("Complete separation" in str(w) for w in result.warnings)


def test_quasi_separation_is_told_apart_from_complete_on_large_data() -> None:
    rng = np.random.default_rng(13)
    x = rng.normal(size=(N, 1))
    group = (rng.random(N) < 0.5).astype(float)  # one level always wins: quasi-complete on "g"
    won = np.where(group == 1.0, True, rng.random(N) < 1 / (1 + np.exp(-x[:, 0])))
    result = fit_logit(_rows(np.column_stack([x, group]), won, ["a", "g"]), "Won")
    assert result.estimate.method == "Firth"
    assert any("Quasi-complete separation" in str(w) for w in result.warnings)
