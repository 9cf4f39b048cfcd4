"""The verifier's workspace: review comments the lead answers, the appointed verifier's opinion
that confirms an inventory's verification, and the evidence pack of a period (issue 16, item 5)."""
