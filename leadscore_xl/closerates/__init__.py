"""Close rates per attribute value, bins, WOE/IV, suggested rules and the ideal-customer profile.

For: CLOSERATES, SUGGESTRULES and ICP: ``rates`` (the tables), ``binning`` (text values,
TRUE/FALSE, quantile or user bins of numbers and dates, with Missing and Total rows),
``dealcols`` (which Deals columns are attributes, and their outcomes).

May import: :mod:`leadscore_xl.sheet`, :mod:`leadscore_xl.settings`, errors. Never rules,
model, evaluation or refresh.

Entry points: :mod:`leadscore_xl.closerates.rates` (close_rates, suggest_rules,
ideal_profile); ``binning`` is public to :mod:`leadscore_xl.model.scorecard`.
"""
