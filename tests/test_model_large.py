"""The large-data path of the fit (200,000 rows or more): a subsample start polished on
all rows, then statsmodels' own Newton. It must give statsmodels' answer exactly as a
plain fit does. (The separation fallback is the same code for every size and is tested
on the published data sets in test_model_reference.py.)"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.discrete.discrete_model import Logit

from leadscore_xl.model import fit_logit

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
    np.testing.assert_allclose(result.params, bare.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.bse, bare.bse, rtol=1e-8)
    assert abs(result.estimate.llf - bare.llf) < 1e-6
