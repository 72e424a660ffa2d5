"""Evaluation and monitoring of scores: AUC, ROC, lift, calibration, thresholds, comparisons.

For: LEADAUC, ROCPOINTS, LIFTTABLE, CALIBRATION, CONVERSIONBYBAND, THRESHOLD,
COMPARESCORES, CHANNELREPORT, DISAGREEMENTS, CVAUC and the Report's tables and charts.
``inputs`` reads the single columns these functions take; ``charts`` describes the
Report's charts as data.

May import: sheet, settings, errors. Never rules, model or refresh: a fitter for
cross-validation is passed in as a callable.

Entry points: :mod:`leadscore_xl.evaluation.evaluate`.
"""
