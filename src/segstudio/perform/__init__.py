"""Segment performance: KPI scorecard and root causes, inventory health, suppliers."""

__all__: list[str] = []
