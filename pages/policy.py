"""Inventory policy: targets per segment, safety stock, trade-off curves and the best mix."""

import streamlit as st

from segstudio.ui import policy_view, router

router.through_the_app()  # a first request by address goes through app.py

st.title("Inventory policy")
policy_view.show()
