"""Commitments, application periods and (later) balances, rule findings and statements."""
