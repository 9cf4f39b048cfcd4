"""Rule sets as data and the one engine that judges instruments and periods by them.

A rule set (one TOML file per standard and version under ``rules/``) lists rules; each names a
check (:mod:`neutrality.rules.checks`), its parameters, its severity and the dates it is in
force. Checks are pure functions over facts (:mod:`neutrality.rules.facts`); the engine
(:mod:`neutrality.rules.engine`) picks the rule sets that apply to a claim and returns findings.
"""
