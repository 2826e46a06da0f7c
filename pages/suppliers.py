"""Suppliers: on time, in full, OTIF and lead time per supplier and segment, suggested tiers,
the quarterly trend and the SKUs worth a second source."""

import streamlit as st

from segstudio.ui import router, suppliers_view

router.through_the_app()  # a first request by address goes through app.py

st.title("Suppliers")
suppliers_view.show()
