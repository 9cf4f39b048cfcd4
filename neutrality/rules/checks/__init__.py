"""Every check a rule file may name (:data:`CHECKS`), registered by importing its module."""

from neutrality.rules.checks import claims, credits, general, targets  # noqa: F401  (registers their checks)
from neutrality.rules.checks.registry import CHECKS, CheckSpec, Param

__all__ = ["CHECKS", "CheckSpec", "Param"]
