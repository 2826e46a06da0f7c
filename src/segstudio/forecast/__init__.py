"""Forecasting by segment: demand series per SKU, the models, the rolling-origin backtest and its
accuracy (methods.md, Forecasting)."""

__all__: list[str] = []
