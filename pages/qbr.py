"""QBR: the review's stories one per screen, a presentation mode, and the exports."""

import streamlit as st

from segstudio.ui import presentation, qbr_view, router

router.through_the_app()  # a first request by address goes through app.py

if not presentation.active():
    st.title("Quarterly business review")
qbr_view.show()
