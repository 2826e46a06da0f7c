"""Segmentation Studio's core: reading, workspace, features. Never imports streamlit."""

from __future__ import annotations

from .errors import SegStudioError, UnusableFileError
from .features import FEATURE_COLUMNS, FeatureSettings, Window, compute_features
from .mapping import read_mapping_file, suggest_mapping
from .readers import SourceFile
from .schema import TABLES
from .validate import FileReport
from .workspace import DEFAULT_WORKSPACE, Staging, Workspace

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
