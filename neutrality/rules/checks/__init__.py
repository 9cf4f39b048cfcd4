"""Every check a rule file may name (:data:`CHECKS`), registered by importing its module."""

import neutrality.rules.checks.schemes  # noqa: F401  (registers its checks and those of certificates)
from neutrality.rules.checks import general  # noqa: F401  (registers its checks)
from neutrality.rules.checks.registry import CHECKS, CheckSpec, Param

__all__ = ["CHECKS", "CheckSpec", "Param"]
