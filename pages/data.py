"""Data: what is loaded, the portfolio's profile, and loading new files."""

import streamlit as st

from segstudio.ui import data_view, router

router.through_the_app()  # a first request by address goes through app.py

st.title("Data")
data_view.current_data()
data_view.portfolio_profile()
data_view.load_new_data()
data_view.history_and_features()
