"""Base-year recalculation: when do changes move the base year enough to restate it?

Pure: no Flask, no database.

ISO 14064-1 §6.4.1 and the GHG Protocol ask for a base-year recalculation after structural
changes (acquisitions, divestments, a new consolidation approach), changes of method or of
emission factors, and corrected errors, when their effect is significant. SBTi sets that
significance at 5 %; the threshold is a setting of each inventory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum

from neutrality.messages import Msg


class ChangeKind(StrEnum):
    STRUCTURAL = "structural"  # consolidation approach, acquisitions, divestments
    METHOD = "method"  # calculation method or GWP set
    FACTOR = "factor"  # emission factor values
    ERROR = "error"  # a corrected mistake


@dataclass(frozen=True)
class BaseYearChange:
    kind: ChangeKind
    description: str
    on: dt.date | None = None


@dataclass(frozen=True)
class RecalculationCheck:
    base_total_tco2e: Decimal  # the base year as verified
    recalculated_tco2e: Decimal  # the same base year with today's structure, methods and factors
    change_percent: Decimal  # signed, relative to the verified base year
    threshold_percent: Decimal
    recalculation_required: bool
    changes: tuple[BaseYearChange, ...]

    @property
    def explanation(self) -> str:
        change, threshold = format(self.change_percent, "+.2f") + " %", f"±{self.threshold_percent} %"
        if self.recalculation_required:
            return Msg("the base year moves by {change} (threshold {threshold}), which requires a recalculation",
                       change=change, threshold=threshold)
        return Msg("the base year moves by {change} (threshold {threshold}), which does not require a "
                   "recalculation", change=change, threshold=threshold)


def check_base_year(
    base_total_tco2e: Decimal,
    recalculated_tco2e: Decimal,
    threshold_percent: Decimal,
    changes: Sequence[BaseYearChange] = (),
) -> RecalculationCheck:
    """Flag a recalculation when the change reaches the threshold (≥, so exactly 5 % counts).

    A base year of zero cannot be compared in percent: any change then requires a restatement.
    """
    with localcontext() as ctx:
        ctx.prec = 50
        difference = recalculated_tco2e - base_total_tco2e
        if base_total_tco2e == 0:
            percent = Decimal(0) if difference == 0 else Decimal(100) * (1 if difference > 0 else -1)
            required = difference != 0
        else:
            percent = difference / base_total_tco2e * 100
            required = abs(percent) >= threshold_percent
    return RecalculationCheck(
        base_total_tco2e, recalculated_tco2e, percent, threshold_percent, required, tuple(changes)
    )
