"""The Report's tables of open leads: by rules-score band and by grade and route."""

from __future__ import annotations

from typing import Any

import numpy as np

from leadscore_xl.rules.results import Scores
from leadscore_xl.settings import UNSCORED

__all__ = ["grade_rows", "score_distribution_rows"]


def score_distribution_rows(scores: Scores, width: float = 10.0) -> tuple[tuple[Any, ...], ...]:
    """Leads per score band of ``width`` points over the score range, then Unscored."""
    cfg = scores.config
    filled = len(scores) if scores.filled is None else scores.filled
    total = scores.total[:filled]
    scored = scores.scored[:filled]
    edges = list(np.arange(cfg.score_min, cfg.score_max, width)) + [cfg.score_max]
    counts, _ = np.histogram(total[scored], bins=edges)
    rows: list[tuple[Any, ...]] = [("Score band", "From", "To", "Leads", "Share")]
    n = max(filled, 1)
    for low, high, count in zip(edges[:-1], edges[1:], counts.tolist()):
        last = high == edges[-1]
        label = f"{low:g}-{high:g}" if last else f"{low:g}-<{high:g}"
        rows.append((label, float(low), float(high), int(count), count / n))
    unscored = int(filled - np.count_nonzero(scored))
    rows.append((UNSCORED, None, None, unscored, unscored / n))
    return tuple(rows)


def grade_rows(scores: Scores) -> tuple[tuple[Any, ...], ...]:
    """Leads per grade and route, in band order, with the mean score of each."""
    filled = len(scores) if scores.filled is None else scores.filled
    grades = scores.grades()[:filled]
    routes = scores.routes()[:filled]
    total = scores.total[:filled]
    order = [b.grade for b in scores.config.bands] + ["Unscored"]
    pairs = sorted(set(zip(grades, routes)), key=lambda p: (order.index(p[0]) if p[0] in order else len(order), p[1]))
    grade_arr, route_arr = np.array(grades, dtype=object), np.array(routes, dtype=object)
    rows: list[tuple[Any, ...]] = [("Grade", "Route", "Leads", "Share", "Mean score")]
    for grade, route in pairs:
        mask = (grade_arr == grade) & (route_arr == route)
        count = int(np.count_nonzero(mask))
        values = total[mask]
        values = values[~np.isnan(values)]
        mean = float(values.mean()) if values.size else None
        rows.append((grade, route, count, count / max(filled, 1), mean))
    return tuple(rows)
