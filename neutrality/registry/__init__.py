"""Carbon credits and energy attribute certificates: schemes, serial blocks, holdings, purchases,
registry importers and retirements."""
