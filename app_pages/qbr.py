"""QBR: the review's stories one per screen, a presentation mode, and the exports."""

import streamlit as st

from segstudio.ui import presentation, qbr_view

if not presentation.active():
    st.title("Quarterly business review")
qbr_view.show()
