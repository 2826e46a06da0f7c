"""Segmentation Studio: the router. Page config, navigation and the shared sidebar."""

import streamlit as st

from segstudio.ui import controls, presentation, sidebar
from segstudio.ui.guard import friendly_errors

st.set_page_config(page_title="Segmentation Studio", page_icon="📦", layout="wide")

pages = [
    st.Page("pages/data.py", title="Data", icon="🗂️", default=True),
    st.Page("pages/segmentation.py", title="Segmentation", icon="🧭"),
    st.Page("pages/forecast.py", title="Forecast", icon="📈"),
    st.Page("pages/policy.py", title="Inventory policy", icon="🛡️"),
    st.Page("pages/simulation.py", title="Simulation", icon="🎲"),
    st.Page("pages/scorecard.py", title="Scorecard", icon="🎯"),
    st.Page("pages/suppliers.py", title="Suppliers", icon="🚚"),
    st.Page("pages/health.py", title="Inventory health", icon="🩺"),
    qbr := st.Page("pages/qbr.py", title="QBR", icon="📊"),
    st.Page("pages/methods.py", title="Methods", icon="📐"),
]
presenting = presentation.active()
nav = st.navigation(pages, position="hidden" if presenting else "sidebar")
controls.keep(nav.url_path)  # every control keeps its value, whichever page is shown
if presenting and nav.url_path != qbr.url_path:  # left the review by its address: stop presenting
    presentation.stop()
    st.rerun()
if presenting:
    presentation.hide_chrome()
else:
    with friendly_errors("the sidebar"):
        sidebar.show()
with friendly_errors(f"the {nav.title} page"):
    nav.run()
controls.finished(nav.url_path)
