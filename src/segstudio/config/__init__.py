"""Settings every stage reads: segmentation rules, inventory policy table, KPI targets (TOML)."""

__all__: list[str] = []
