"""Scorecard: KPIs per segment against targets, balanced scorecard, trend and root causes."""

import streamlit as st

from segstudio.ui import router, scorecard_view

router.through_the_app()  # a first request by address goes through app.py

st.title("Scorecard")
scorecard_view.show()
