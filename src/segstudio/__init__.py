"""Segmentation Studio's core: reading, workspace, features. Never imports streamlit.

The names below are imported on first use (PEP 562), so that ``segstudio --help`` and other
light entry points do not pay for pandas and DuckDB.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from segstudio.errors import SegStudioError, UnusableFileError
    from segstudio.features.build import (
        FEATURE_COLUMNS,
        FeatureSettings,
        Window,
        compute_features,
    )
    from segstudio.ingest.mapping import read_mapping_file, suggest_mapping
    from segstudio.ingest.paths import DEFAULT_WORKSPACE
    from segstudio.ingest.readers import SourceFile
    from segstudio.ingest.schema import TABLES
    from segstudio.ingest.validate import FileReport
    from segstudio.ingest.workspace import Staging, Workspace

__all__ = [
    "DEFAULT_WORKSPACE",
    "FEATURE_COLUMNS",
    "FeatureSettings",
    "FileReport",
    "SegStudioError",
    "SourceFile",
    "Staging",
    "TABLES",
    "UnusableFileError",
    "Window",
    "Workspace",
    "compute_features",
    "read_mapping_file",
    "suggest_mapping",
]

__version__ = "0.1.0"

_HOMES = {
    "DEFAULT_WORKSPACE": "segstudio.ingest.paths",
    "FEATURE_COLUMNS": "segstudio.features.build",
    "FeatureSettings": "segstudio.features.build",
    "FileReport": "segstudio.ingest.validate",
    "SegStudioError": "segstudio.errors",
    "SourceFile": "segstudio.ingest.readers",
    "Staging": "segstudio.ingest.workspace",
    "TABLES": "segstudio.ingest.schema",
    "UnusableFileError": "segstudio.errors",
    "Window": "segstudio.features.build",
    "Workspace": "segstudio.ingest.workspace",
    "compute_features": "segstudio.features.build",
    "read_mapping_file": "segstudio.ingest.mapping",
    "suggest_mapping": "segstudio.ingest.mapping",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'segstudio' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
