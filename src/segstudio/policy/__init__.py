"""Inventory policy per SKU: formulas, trade-off, simulation, planning, allocation, ERP."""

__all__: list[str] = []
