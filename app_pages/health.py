"""Inventory health: ageing, excess, obsolete stock and write-down exposure by segment."""

import streamlit as st

from segstudio.ui import health_view

st.title("Inventory health")
health_view.show()
