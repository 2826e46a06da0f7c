"""Methods: the definitions every figure follows."""

import streamlit as st

from segstudio.ui import methods_view, router

router.through_the_app()  # a first request by address goes through app.py

st.title("Methods")
methods_view.show()
