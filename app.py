"""Segmentation Studio: the router. Page config, navigation and the shared sidebar."""

import streamlit as st

from segstudio.ui import sidebar

st.set_page_config(page_title="Segmentation Studio", page_icon="📦", layout="wide")

pages = [
    st.Page("pages/data.py", title="Data", icon="🗂️", default=True),
    st.Page("pages/segmentation.py", title="Segmentation", icon="🧭"),
    st.Page("pages/methods.py", title="Methods", icon="📐"),
]
nav = st.navigation(pages)
sidebar.show()
nav.run()
