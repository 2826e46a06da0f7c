"""The Methods page: the definitions behind every figure, from docs/methods.md."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..features import FEATURE_COLUMNS

_DOC = Path(__file__).resolve().parents[1] / "methods.md"


def show() -> None:
    st.markdown(_DOC.read_text(encoding="utf-8"))
    st.subheader("Feature table columns")
    st.table({"column": list(FEATURE_COLUMNS), "definition": list(FEATURE_COLUMNS.values())})
