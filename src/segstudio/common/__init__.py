"""Helpers every stage shares: figure formats, safe division, Pareto shares, periods, SQL."""

__all__: list[str] = []
