"""Commitments (carbon neutrality management plans) and their application periods: the ground
the inventory, the registry and the claims stand on. Dates, standards, targets and the
retirement deadlines that follow from a standard live here; nothing here reads a figure."""
