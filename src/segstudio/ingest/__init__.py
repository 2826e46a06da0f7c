"""Reading files into the DuckDB workspace: column mapping, validation, the demo data."""

__all__: list[str] = []
