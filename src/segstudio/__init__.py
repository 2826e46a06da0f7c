"""Segmentation Studio's core: reading, workspace, features. Never imports streamlit."""

from __future__ import annotations

from segstudio.errors import SegStudioError, UnusableFileError
from segstudio.features.build import FEATURE_COLUMNS, FeatureSettings, Window, compute_features
from segstudio.ingest.mapping import read_mapping_file, suggest_mapping
from segstudio.ingest.readers import SourceFile
from segstudio.ingest.schema import TABLES
from segstudio.ingest.validate import FileReport
from segstudio.ingest.workspace import DEFAULT_WORKSPACE, Staging, Workspace

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
