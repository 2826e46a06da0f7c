"""The Methods page: the definitions behind every figure, from docs/methods.md."""

from __future__ import annotations

import streamlit as st

from segstudio.common.methods import methods_text
from segstudio.features.build import FEATURE_COLUMNS


def show() -> None:
    st.markdown(methods_text())
    st.subheader("Feature table columns")
    st.table({"column": list(FEATURE_COLUMNS), "definition": list(FEATURE_COLUMNS.values())})
