"""Numbers as the reports show them: a float, or None for a missing one.

Pandas and the status engine's arrays mark a missing number with NaN; the pages, the figures
and the board want None (shown as "–", a gap in a line). :func:`clean_number` is the one place
that turns the first into the second.
"""

from __future__ import annotations

import math


def clean_number(value: object) -> float | None:
    """``value`` as a float; None when it is missing (None, NaN), not a number, or infinite."""
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


__all__ = ["clean_number"]
