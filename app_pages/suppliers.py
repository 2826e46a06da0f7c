"""Suppliers: on time, in full, OTIF and lead time per supplier and segment, suggested tiers,
the quarterly trend and the SKUs worth a second source."""

import streamlit as st

from segstudio.ui import suppliers_view

st.title("Suppliers")
suppliers_view.show()
