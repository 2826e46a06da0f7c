"""Inventory health (issue #5): being built."""

import streamlit as st

st.title("Inventory health")
