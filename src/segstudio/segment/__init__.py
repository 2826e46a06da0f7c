"""The segmentation, its churn over quarters, and the decisions kept in the workspace."""

__all__: list[str] = []
