"""Scorecard: KPIs per segment against targets, balanced scorecard, trend and root causes."""

import streamlit as st

from segstudio.ui import scorecard_view

st.title("Scorecard")
scorecard_view.show()
