"""The Rules sheet and scoring: parse, compile, fire, decay, cap, clamp, grade, explain.

For: everything LEADSCORE, LEADSCORES, LEADGRADE, LEADEXPLAIN and the matrix functions
compute. Imports run one way: ``table`` (the parser) -> ``ruleset`` (a parsed range and
its compiled form) -> ``scoring`` -> ``predicates`` / ``results`` -> ``rule`` (plain data).

May import: :mod:`leadscore_xl.sheet`, :mod:`leadscore_xl.settings`, errors. Never
closerates, model, evaluation or refresh.

Entry points: :mod:`leadscore_xl.rules.api` (score_leads, lead_score, explain_lead,
grade_score, lead_matrix), :func:`~leadscore_xl.rules.table.parse_rules`.
"""
