"""The GHG inventory: activity data, emission factors with provenance, GWP sets, Scope 1/2/3
calculation, uncertainty, verification and locking."""
