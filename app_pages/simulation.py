"""Simulation: prove the policy on each SKU's own history; shortage allocation."""

import streamlit as st

from segstudio.ui import simulation_view

st.title("Simulation")
simulation_view.show()
