"""The per-SKU feature table from the sales history, its pattern and lifecycle classes."""

__all__: list[str] = []
