"""Inventory health: ageing, excess, obsolete stock and write-down exposure by segment."""

import streamlit as st

from segstudio.ui import health_view, router

router.through_the_app()  # a first request by address goes through app.py

st.title("Inventory health")
health_view.show()
