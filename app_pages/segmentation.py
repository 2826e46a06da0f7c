"""Segmentation: criteria, boundary sliders, the matrix, movers and alerts."""

import streamlit as st

from segstudio.ui import segmentation_view

st.title("Segmentation")
segmentation_view.show()
