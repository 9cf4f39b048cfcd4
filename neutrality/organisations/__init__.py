"""Organisations, their sites (factories), consolidation approach and claim subjects."""
