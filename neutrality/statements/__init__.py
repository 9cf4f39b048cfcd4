"""Statements handed to the world: the ISO 14068-1 carbon neutrality report, the PAS 2060
qualifying explanatory statement (legacy) and the 零碳工厂声明 (seed 003 §9.2)."""
