"""Reductions: the register of reduction measures with their expected reductions calculated from
what they change, and the targets against the base year with each period's position."""
