"""Reports handed to others: the periodic GHG emission report of a period (and, next, the
statements), built as a pure content value from the period's figures, then rendered."""
