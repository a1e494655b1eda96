"""Number cleaning: one function for the read model, the figures and the board."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from indicators.reporting import board, dashboard_data, figures, numbers
from indicators.reporting.numbers import clean_number


def test_missing_and_non_numbers_are_none() -> None:
    for value in (None, math.nan, np.nan, pd.NA, pd.NaT, "x", object(), math.inf, -math.inf):
        assert clean_number(value) is None, value


def test_numbers_come_back_as_floats() -> None:
    assert clean_number(3) == 3.0 and isinstance(clean_number(3), float)
    assert clean_number(np.float32(0.5)) == 0.5
    assert clean_number("1.25") == 1.25
    assert clean_number(0) == 0.0  # zero is a value, not a missing one


def test_every_reporting_module_uses_the_one_function() -> None:
    for module in (dashboard_data, figures, board):
        assert vars(module)["clean_number"] is numbers.clean_number, module.__name__
    assert not hasattr(board, "_num") and not hasattr(figures, "_clean")
