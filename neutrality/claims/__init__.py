"""The top of the house: what a period's figures and retirements add up to under a claim —
the balance, the needs of a period and (next) rule findings, statements and declarations.
Reads the commitments, the inventory and the registry; nothing below imports it."""
