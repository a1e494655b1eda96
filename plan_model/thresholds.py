"""The traffic light's thresholds in force: the catalog's, under the settings' override.

The catalog (``data/plan.yaml``) gives the global thresholds (default green 0.9, amber 0.7);
an installation may override either of them (``GREEN_THRESHOLD`` / ``AMBER_THRESHOLD``). This
module is the one place where the two are merged; the callers read the settings (the domain
never imports them) and pass the two numbers in a :class:`ThresholdOverrides`.
"""

from __future__ import annotations

from dataclasses import dataclass

from plan_model.models import Thresholds


@dataclass(frozen=True)
class ThresholdOverrides:
    """An installation's override of the catalog's thresholds; None keeps the catalog's."""

    green: float | None = None
    amber: float | None = None


def effective_thresholds(
    catalog: Thresholds, overrides: ThresholdOverrides | Thresholds | None = None
) -> Thresholds:
    """The thresholds for levels and for indicators without their own.

    Each of ``overrides``' values replaces the catalog's when it is set (a full
    :class:`~plan_model.models.Thresholds` replaces both); None keeps the catalog's. The
    result is validated like the catalog's (a green threshold above 2 is refused).
    """
    if overrides is None or (overrides.green is None and overrides.amber is None):
        return catalog
    return Thresholds(
        green=catalog.green if overrides.green is None else overrides.green,
        amber=catalog.amber if overrides.amber is None else overrides.amber,
    )


__all__ = ["ThresholdOverrides", "effective_thresholds"]
