"""Charts, the quarterly business review (PDF, PowerPoint, Excel) and CSV/Excel exports."""

__all__: list[str] = []
