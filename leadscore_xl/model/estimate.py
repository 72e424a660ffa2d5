"""Estimation: statsmodels' Logit, a separation check, and Firth's penalised likelihood.

:func:`estimate` fits by maximum likelihood with ``statsmodels`` (Newton, started at the
outcome's log-odds). When that shows trouble (a PerfectSeparationWarning, no
convergence, a singular Hessian or huge standard errors) a linear program checks for
separation; if the data are separated the model is refitted with Firth's method and the
fallback is reported. Every problem is kept as a warning, none is raised.

Firth (1993) adds ``0.5 * log det I(beta)`` (the Jeffreys prior) to the log-likelihood, which
keeps every estimate finite under complete or quasi-complete separation (Heinze and
Schemper 2002). The fit is the Newton-Raphson scheme of R's ``logistf``: the score is
adjusted with the hat-matrix diagonal ``h``, ``U*(beta) = X'(y - p + h (1/2 - p))``, steps
are capped at ``max_step`` and halved while the penalised log-likelihood falls. The
covariance is the inverse of the augmented information ``X' diag(w (1 + h)) X`` at the
estimate, as in current ``logistf`` (``vcov``) and ``firthmodels``; older ``logistf``
versions and ``brglm2`` use ``X'WX``, which gives slightly larger standard errors.

Separation is detected as in Konis (2007): the data are separated when some direction
``b`` has ``s_i x_i'b >= 0`` for every row (``s = +1`` for events, ``-1`` otherwise) with
at least one strict inequality; a linear program finds such a ``b`` inside the unit box.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import linalg, optimize, special
from statsmodels.discrete.discrete_model import Logit
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from leadscore_xl.errors import (FewEventsWarning, LeadScoreWarning, ModelError, NonConvergenceWarning, SeparationWarning,
                                 quote)
from leadscore_xl.model.threads import limited_threads

__all__ = ["Estimate", "FirthFit", "Separation", "detect_separation", "estimate", "firth_logit", "fit_predictor",
           "logit_loglik", "standardise"]


TOO_LARGE = 1e150  # beyond this, squares added over 10^8 rows overflow float64 (1.8e308): no fit


@dataclass(frozen=True, eq=False)
class Estimate:
    """Coefficients, covariance and fit statistics, whichever method produced them."""

    params: np.ndarray
    cov: np.ndarray
    method: str
    converged: bool
    iterations: int
    llf: float
    llnull: float
    penalized: tuple[float, float] | None
    warnings: tuple[LeadScoreWarning, ...]
    warm_start: bool = False  # Newton started from a subsample estimate refined on all rows


def estimate(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Estimate:
    """Maximum likelihood, with the Firth fallback under separation, on the design ``X`` as
    given (its intercept, if it has one, in the first column).

    The fit runs on standardised columns (:func:`standardise`), so that a column measured in
    dollars (around 1e9) does not make Newton badly scaled; the coefficients, covariance and
    penalised log-likelihoods are returned on the original scale (exact for a linear
    rescaling: the likelihood is the same function of the linear predictor)."""
    Z, back = standardise(X)
    with limited_threads():
        est = _estimate(Z, y, names)
    return back(est)


def fit_predictor(X: np.ndarray, y: np.ndarray, names: Sequence[str] | None = None
                  ) -> tuple[Callable[[np.ndarray], np.ndarray], tuple[LeadScoreWarning, ...]]:  # fmt: skip
    """The model's estimator as a cross-validation fitter: :func:`estimate` on the design ``X``
    (intercept first), giving the linear predictor ``X_test @ b`` and the fit's convergence
    and separation warnings. A column constant in these rows (a level absent from a fold)
    gets the coefficient 0; an estimate that is not finite is a ModelError."""
    labels = ["Intercept"] + [f"feature {j}" for j in range(1, X.shape[1])] if names is None else list(names)
    size = np.max(np.abs(X), axis=0, initial=0.0)
    if np.any(size > TOO_LARGE):
        j = int(np.argmax(size))
        raise ModelError(f'{quote(labels[j])} holds values too large to fit (up to {size[j]:.3g}); enter it in a '
                         "larger unit (e.g. thousands or millions) or leave it out")
    keep = np.flatnonzero((np.ptp(X, axis=0) > 0) | (np.arange(X.shape[1]) == 0))
    try:
        est = estimate(X[:, keep], y, [labels[j] for j in keep])
    except np.linalg.LinAlgError:
        est = None
    if est is None or not (np.all(np.isfinite(est.params)) and np.all(np.isfinite(est.cov))):
        raise ModelError(
            "The logistic regression has no finite estimate on these rows: a column is a linear combination "
            "of others, or holds values too large (enter amounts in thousands or millions)"
        )
    params = np.zeros(X.shape[1])
    params[keep] = est.params
    notes = tuple(w for w in est.warnings if isinstance(w, (NonConvergenceWarning, SeparationWarning)))
    return (lambda X_test: np.asarray(X_test) @ params), notes


def standardise(X: np.ndarray) -> tuple[np.ndarray, Callable[[Estimate], Estimate]]:
    """``Z = (X - m) / s`` column by column (the intercept column, all ones, kept; the columns
    only scaled when there is no intercept), and the map of an Estimate on ``Z`` back to ``X``:
    ``b = M g`` and ``cov_b = M cov_g M'`` with ``M = diag(1/s)`` plus ``-m/s`` in the
    intercept's row; a Firth penalty ``log det`` grows by ``2 sum(log s)``."""
    k = X.shape[1]
    intercept = k > 0 and bool(np.all(X[:, 0] == 1.0))
    with np.errstate(over="ignore", invalid="ignore"):
        center = X.mean(axis=0) if intercept else np.zeros(k)
        spread = X.std(axis=0) if intercept else np.sqrt(np.mean(X * X, axis=0))
    plain = ~(np.isfinite(center) & np.isfinite(spread) & (spread > 0))
    if intercept:
        plain[0] = True
    center[plain], spread[plain] = 0.0, 1.0
    Z = np.empty_like(X)
    np.subtract(X, center, out=Z)
    Z /= spread
    M = np.diag(1.0 / spread)
    if intercept:
        M[0, 1:] = -center[1:] / spread[1:]
    shift = float(np.sum(np.log(spread)))

    def back(est: Estimate) -> Estimate:
        pen = None if est.penalized is None else (est.penalized[0] + shift, est.penalized[1])
        return replace(est, params=M @ est.params, cov=M @ est.cov @ M.T, penalized=pen)

    return Z, back


def _estimate(X: np.ndarray, y: np.ndarray, names: Sequence[str]) -> Estimate:
    """Maximum likelihood, with the Firth fallback under separation."""
    n1 = float(y.sum())
    n = len(y)
    llnull = float(n1 * np.log(n1 / n) + (n - n1) * np.log(1.0 - n1 / n))
    notes = _events_note(int(min(n1, n - n1)), X.shape[1] - 1)
    plain = np.zeros(X.shape[1])
    plain[0] = float(np.log(n1 / (n - n1)))
    converged, iterations = False, 0
    for start in _starts(X, y, plain):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = Logit(y, X, check_rank=False).fit(disp=0, start_params=start, maxiter=35)
                params, cov = np.asarray(res.params), np.asarray(res.cov_params())
                converged, iterations = bool(res.mle_retvals["converged"]), int(res.mle_retvals["iterations"])
            except np.linalg.LinAlgError:
                params = cov = None
        if params is not None and converged:
            break
    perfect = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    if params is not None and cov is not None and not perfect and converged:
        bse = np.sqrt(np.abs(np.diag(cov)))
        if np.all(np.isfinite(bse)) and not np.any(bse > 1e3 * np.maximum(1.0, np.abs(params))):
            return Estimate(params, cov, "Newton", True, iterations, float(res.llf), llnull, None, notes,
                            start is not plain)  # fmt: skip
    separation = detect_separation(X, y)
    if separation is None and params is not None and cov is not None:
        notes += (NonConvergenceWarning(
            f"Maximum likelihood did not converge in {iterations} Newton iterations (no separation found); "
            "the estimates may be unreliable: check for very rare levels or extreme values"
        ),) if not converged else ()  # fmt: skip
        return Estimate(params, cov, "Newton", converged, iterations, float(res.llf), llnull, None, notes,
                        start is not plain)  # fmt: skip
    return _firth(X, y, llnull, notes + (_separation_note(separation, names),))


def _starts(X: np.ndarray, y: np.ndarray, plain: np.ndarray) -> list[np.ndarray]:
    """Start values: for 200,000 rows or more, the estimate from a fixed 1/8 subsample polished
    on all rows (:func:`_polish`), so that statsmodels' Newton on all rows converges in one step;
    then the unpolished subsample estimate and the outcome's log-odds alone as fallbacks."""
    if len(y) < 200_000:
        return [plain]
    rows = np.sort(np.random.default_rng(0).choice(len(y), len(y) // 8, replace=False))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sub = Logit(y[rows], X[rows], check_rank=False).fit(disp=0, start_params=plain, maxiter=35)
        warm = np.asarray(sub.params)
    except (np.linalg.LinAlgError, ValueError):
        return [plain]
    ok = sub.mle_retvals["converged"] and np.all(np.isfinite(warm)) and np.max(np.abs(warm)) < 30
    if not ok:
        return [plain]
    polished = _polish(X, y, warm, np.asarray(sub.mle_retvals["Hessian"]))
    return [warm, plain] if polished is None else [polished, warm, plain]


def _polish(X: np.ndarray, y: np.ndarray, beta: np.ndarray, info: np.ndarray, max_iter: int = 15) -> np.ndarray | None:
    """Maximum likelihood on all rows by ``beta += (n I)^-1 X'(y - p)``, with ``I`` the
    subsample's information per row (statsmodels' last Hessian of its objective, -loglik/n).

    Each step costs two passes over X, several times less than a Hessian, and shrinks the
    error by a factor ``rate`` of order sqrt(k/m) for a subsample of m rows. It stops when the
    error left (about ``step * rate / (1 - rate)``) is below 1e-10 of the largest coefficient,
    far inside statsmodels' Newton tolerance (1e-8), so its Newton on all rows stops after one
    step. Returns None (use the plain Newton path) when the steps stop shrinking fast."""
    try:
        factor = linalg.cho_factor(info)
    except (linalg.LinAlgError, ValueError):
        return None
    last = np.inf
    for _ in range(max_iter):
        step = linalg.cho_solve(factor, X.T @ (y - special.expit(X @ beta))) / len(y)
        size = float(np.max(np.abs(step)))
        rate = size / last if np.isfinite(last) else 0.5
        if not np.isfinite(size) or rate > 0.5:
            return None
        beta = beta + step
        if size * rate / (1.0 - rate) <= 1e-10 * max(1.0, float(np.max(np.abs(beta)))):
            return beta
        last = size
    return None


def _firth(X: np.ndarray, y: np.ndarray, llnull: float, notes: tuple[LeadScoreWarning, ...]) -> Estimate:
    fit = firth_logit(X, y)
    null = firth_logit(X[:, :1], y)
    if not fit.converged:
        notes += (NonConvergenceWarning(f"Firth's penalised likelihood did not converge in {fit.iterations} iterations"),)
    return Estimate(fit.params, fit.cov, "Firth", fit.converged, fit.iterations, fit.llf, llnull,
                    (fit.penalized_llf, null.penalized_llf), notes)  # fmt: skip


def _events_note(events: int, k: int) -> tuple[LeadScoreWarning, ...]:
    if k == 0 or events / k >= 10:
        return ()
    return (FewEventsWarning(
        f"{events} events (the rarer outcome) for {k} coefficients is {events / k:.1f} per variable, fewer than 10: "
        "estimates may be unstable and the fit over-optimistic; use fewer features or more deals"
    ),)  # fmt: skip


def _separation_note(sep: Separation | None, names: Sequence[str]) -> LeadScoreWarning:
    if sep is None:
        return NonConvergenceWarning(
            "Maximum likelihood failed (singular Hessian); the coefficients were estimated with "
            "Firth's penalised likelihood instead"
        )
    terms = ", ".join(f'"{names[j]}"' for j in sep.columns) or "the features"
    how = "perfectly" if sep.kind == "complete" else "almost perfectly (some values occur with one outcome only)"
    return SeparationWarning(
        f"{sep.kind.capitalize()} separation: {terms} {how} predict the outcome, so maximum likelihood has no "
        "finite estimate; the coefficients were estimated with Firth's penalised likelihood (fallback used)"
    )


@dataclass(frozen=True, eq=False)
class FirthFit:
    """Firth estimates, their covariance and the penalised log-likelihood."""

    params: np.ndarray
    cov: np.ndarray
    penalized_llf: float
    llf: float
    converged: bool
    iterations: int


@dataclass(frozen=True, eq=False)
class Separation:
    """Which kind of separation was found and the columns of a separating direction."""

    kind: str
    columns: tuple[int, ...]


def logit_loglik(X: np.ndarray, y: np.ndarray, params: np.ndarray) -> float:
    """The binomial log-likelihood, computed stably from the linear predictor."""
    eta = X @ params
    return float(-np.sum(np.logaddexp(0.0, np.where(y > 0, -eta, eta))))


def _pieces(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Penalised log-likelihood, adjusted score, the Cholesky factor of X'WX and the
    augmented weights w (1 + h)."""
    eta = X @ beta
    p = special.expit(eta)
    w = p * (1.0 - p)
    info = (X * w[:, None]).T @ X
    chol = linalg.cholesky(info, lower=True)
    a = linalg.solve_triangular(chol, (X * np.sqrt(w)[:, None]).T, lower=True)
    h = np.einsum("ij,ij->j", a, a)
    score = X.T @ (y - p + h * (0.5 - p))
    loglik = -np.sum(np.logaddexp(0.0, np.where(y > 0, -eta, eta)))
    return float(loglik + np.sum(np.log(np.diag(chol)))), score, chol, w * (1.0 + h)


def firth_logit(X: np.ndarray, y: np.ndarray, *, max_iter: int = 100, max_step: float = 5.0,
                max_halving: int = 25, tol: float = 1e-10) -> FirthFit:  # fmt: skip
    """Maximise the Firth-penalised log-likelihood by Newton-Raphson with step halving."""
    beta = np.zeros(X.shape[1])
    mean = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    if np.allclose(X[:, 0], 1.0):
        beta[0] = np.log(mean / (1.0 - mean))
    pll, score, chol, w_aug = _pieces(X, y, beta)
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        delta = linalg.cho_solve((chol, True), score)
        biggest = np.max(np.abs(delta))
        if biggest > max_step:
            delta *= max_step / biggest
        for _ in range(max_halving + 1):
            new = beta + delta
            new_pll, new_score, new_chol, new_w = _pieces(X, y, new)
            if new_pll >= pll - 1e-12 * abs(pll):
                break
            delta /= 2.0
        beta, pll, score, chol, w_aug = new, new_pll, new_score, new_chol, new_w
        if np.max(np.abs(delta)) <= tol and np.max(np.abs(score)) <= 1e-6:
            converged = True
            break
    info = (X * w_aug[:, None]).T @ X
    cov = linalg.cho_solve((linalg.cholesky(info, lower=True), True), np.eye(len(beta)))
    return FirthFit(beta, cov, pll, logit_loglik(X, y, beta), converged, it)


def detect_separation(X: np.ndarray, y: np.ndarray, tol: float = 1e-7) -> Separation | None:
    """Complete or quasi-complete separation via linear programming, else None."""
    signed = np.where(y[:, None] > 0, X, -X)
    signed = np.unique(signed, axis=0) if len(signed) > 2 * X.shape[1] else signed
    scale = np.maximum(np.abs(signed).max(axis=0), 1e-300)
    rows = signed / scale
    k = rows.shape[1]
    direction = _separating_direction(rows, tol)
    if direction is None:
        return None
    margins = rows @ direction
    kind = "complete" if np.all(margins > tol) else "quasi-complete"
    if kind == "quasi-complete" and _strictly_separable(rows, tol):
        kind = "complete"
    involved = tuple(int(j) for j in np.flatnonzero(np.abs(direction) > 1e-6) if j > 0 or k == 1)
    return Separation(kind, involved or tuple(int(j) for j in np.flatnonzero(np.abs(direction) > 1e-6)))


_WORKING_SET = 2000  # rows per linear programme; more rows are brought in only when they cut


def _working_set(rows: np.ndarray) -> np.ndarray:
    if len(rows) <= 2 * _WORKING_SET:
        return rows
    return rows[np.random.default_rng(0).choice(len(rows), _WORKING_SET, replace=False)]


def _separating_direction(rows: np.ndarray, tol: float) -> np.ndarray | None:
    """A direction d with every margin r.d >= 0 and a positive total, or None.

    Solved by constraint generation: on a working set of rows, then adding the rows the
    answer violates, until it holds for all (an LP over 200,000 rows takes minutes; one
    over a few thousand, a fraction of a second). A separation of all rows separates the
    working set, so "none on the working set" means none at all, up to the degenerate case
    where every working row lies on the separating hyperplane."""
    k = rows.shape[1]
    active = _working_set(rows)
    while True:
        res = optimize.linprog(-active.sum(axis=0), A_ub=-active, b_ub=np.zeros(len(active)),
                               bounds=[(-1.0, 1.0)] * k, method="highs")  # fmt: skip
        if res.status != 0 or -res.fun <= tol * len(active):
            return None
        margins = rows @ res.x
        violated = margins < -tol
        if not violated.any():
            return np.asarray(res.x)
        worst = np.argsort(margins)[: min(int(violated.sum()), _WORKING_SET)]
        active = np.vstack([active, rows[worst]])


def _strictly_separable(rows: np.ndarray, tol: float) -> bool:
    """Is there a direction with every margin positive (maximise the smallest margin)?
    Constraint generation as in :func:`_separating_direction`; a working set is a
    relaxation, so "no" on it is "no" for all rows."""
    k = rows.shape[1]
    c = np.zeros(k + 1)
    c[-1] = -1.0
    active = _working_set(rows)
    while True:
        a_ub = np.hstack([-active, np.ones((len(active), 1))])
        res = optimize.linprog(c, A_ub=a_ub, b_ub=np.zeros(len(active)),
                               bounds=[(-1.0, 1.0)] * k + [(None, 1.0)], method="highs")  # fmt: skip
        if res.status != 0 or -res.fun <= tol:
            return False
        margins = rows @ res.x[:k]
        if margins.min() > tol:
            return True
        worst = np.argsort(margins)[: min(int((margins <= tol).sum()), _WORKING_SET)]
        active = np.vstack([active, rows[worst]])
