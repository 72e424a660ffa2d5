"""The logistic regression: design matrix, fit, Firth fallback, the coefficient table as a model.

For: LOGITFIT, LOGITSTATS, LOGITCOV, LEADPROB(S), LOGITFORMULA and SCORECARD. ``design``
(dummies, reference levels, pooling, dropped columns), ``estimate`` (statsmodels Logit,
separation check, Firth), ``fit`` (the results object and its tables), ``coefficients``
(a coefficient table read back from a sheet as :class:`CoefModel`), ``formula`` (that model
as a native Excel formula), ``scorecard`` (rules from coefficients), ``magnitude`` (values
too large to fit), ``threads`` (the BLAS threads of a fit).

May import: sheet, settings, closerates (its ``binning``, for scorecards), errors. Never
evaluation or refresh.

Entry points: :func:`~leadscore_xl.model.fit.fit_logit`,
:func:`~leadscore_xl.model.fit.fit_predictor` (the estimator, for cross-validation),
:func:`~leadscore_xl.model.coefficients.read_model`,
:func:`~leadscore_xl.model.formula.excel_formula`,
:func:`~leadscore_xl.model.scorecard.scorecard`.
"""
