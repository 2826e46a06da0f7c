"""Forecast: accuracy by segment, one SKU's forecast, and where a planner's hour matters."""

import streamlit as st

from segstudio.ui import forecast_view, router

router.through_the_app()  # a first request by address goes through app.py

st.title("Forecast")
forecast_view.show()
