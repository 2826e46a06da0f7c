"""Simulation: prove the policy on each SKU's own history; shortage allocation."""

import streamlit as st

from segstudio.ui import router, simulation_view

router.through_the_app()  # a first request by address goes through app.py

st.title("Simulation")
simulation_view.show()
