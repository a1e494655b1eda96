"""The thresholds in force: the catalog's, under the installation's override (one rule)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from plan_model.models import Thresholds
from plan_model.thresholds import ThresholdOverrides, effective_thresholds

CATALOG = Thresholds(green=0.9, amber=0.7)


def test_no_override_keeps_the_catalogs() -> None:
    assert effective_thresholds(CATALOG) is CATALOG
    assert effective_thresholds(CATALOG, None) is CATALOG
    assert effective_thresholds(CATALOG, ThresholdOverrides()) is CATALOG


def test_each_threshold_is_overridden_on_its_own() -> None:
    assert effective_thresholds(CATALOG, ThresholdOverrides(green=0.95)) == Thresholds(
        green=0.95, amber=0.7
    )
    assert effective_thresholds(CATALOG, ThresholdOverrides(amber=0.5)) == Thresholds(
        green=0.9, amber=0.5
    )
    assert effective_thresholds(CATALOG, ThresholdOverrides(green=1.2, amber=1.1)) == Thresholds(
        green=1.2, amber=1.1
    )


def test_a_zero_amber_threshold_is_an_override_not_unset() -> None:
    assert effective_thresholds(CATALOG, ThresholdOverrides(amber=0.0)).amber == 0.0


def test_full_thresholds_replace_the_catalogs() -> None:
    strict = Thresholds(green=1.5, amber=1.4)
    assert effective_thresholds(CATALOG, strict) == strict


def test_an_override_is_validated_like_the_catalog() -> None:
    with pytest.raises(ValidationError):
        effective_thresholds(CATALOG, ThresholdOverrides(green=3.0))
    with pytest.raises(ValidationError):
        effective_thresholds(CATALOG, ThresholdOverrides(green=0.0))


def test_the_status_engine_uses_the_same_rule() -> None:
    """``plan_model.status`` re-exports this function: there is one definition."""
    from plan_model import status

    assert status.effective_thresholds is effective_thresholds
