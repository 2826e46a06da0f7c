"""Segmentation: criteria, boundary sliders, the matrix, movers and alerts."""

import streamlit as st

from segstudio.ui import router, segmentation_view

router.through_the_app()  # a first request by address goes through app.py

st.title("Segmentation")
segmentation_view.show()
