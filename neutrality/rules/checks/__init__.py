"""Every check a rule file may name (:data:`CHECKS`), registered by importing its module."""

from neutrality.rules.checks import (  # noqa: F401  (importing a module registers its checks)
    certificates,
    claims,
    credits,
    general,
    schemes,
    targets,
)
from neutrality.rules.checks.registry import CHECKS, CheckSpec, Param

__all__ = ["CHECKS", "CheckSpec", "Param"]
