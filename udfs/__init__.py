"""LeadScore XL's Excel functions, importable as ``leadscore_udfs``.

Point xlwings at this module with the ``UDF Modules`` setting ``leadscore_udfs`` (in
the ``xlwings.conf`` sheet or the add-in's settings) and press *Import Functions*.
Every function is a thin wrapper: Excel values -> :mod:`leadscore_xl` -> a 2-D list.
"""

from __future__ import annotations

from .closerates import CLOSERATES, ICP, SCORECARD, SUGGESTRULES
from .evaluate import CALIBRATION, CHANNELREPORT, COMPARESCORES, CONVERSIONBYBAND, CVAUC, DISAGREEMENTS, LEADAUC, LIFTTABLE, ROCPOINTS, THRESHOLD
from .model import LEADPROB, LEADPROBS, LOGITCOV, LOGITFIT, LOGITFORMULA, LOGITSTATS
from .scoring import LEADEXPLAIN, LEADGRADE, LEADMATRIX, LEADMATRIXCOUNTS, LEADMATRIXES, LEADSCORE, LEADSCORES

__all__ = ["CLOSERATES", "ICP", "SCORECARD", "SUGGESTRULES", "CALIBRATION", "CHANNELREPORT", "COMPARESCORES", "CONVERSIONBYBAND", "CVAUC", "DISAGREEMENTS", "LEADAUC", "LIFTTABLE", "ROCPOINTS", "THRESHOLD", "LEADPROB", "LEADPROBS", "LOGITCOV", "LOGITFIT", "LOGITFORMULA", "LOGITSTATS", "LEADEXPLAIN", "LEADGRADE", "LEADMATRIX", "LEADMATRIXCOUNTS", "LEADMATRIXES", "LEADSCORE", "LEADSCORES"]
