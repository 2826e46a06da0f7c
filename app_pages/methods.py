"""Methods: the definitions every figure follows."""

import streamlit as st

from segstudio.ui import methods_view

st.title("Methods")
methods_view.show()
