"""Suppliers (issue #5): being built."""

import streamlit as st

st.title("Suppliers")
