"""The Segmentation page's Pareto chart: the A/B and B/C boundaries as dashed lines across
the plot at the sliders' values, each labelled with its share."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from segstudio.common import fmt
from segstudio.report import charts

CURVE = pd.DataFrame({"sku_share": [0.0, 0.2, 1.0], "cum_share": [0.0, 0.8, 1.0]})


@given(st.floats(0.3, 0.95), st.floats(0.5, 0.995))
def test_each_boundary_is_a_line_across_the_plot_at_its_value(a, b):
    fig = charts.pareto_with_boundaries(CURVE, a, b, "quantity")
    shapes, notes = fig.layout.shapes, fig.layout.annotations
    assert [(s.y0, s.y1) for s in shapes] == [(a, a), (b, b)]
    assert all((s.xref, s.x0, s.x1, s.line.dash) == ("x domain", 0, 1, "dash") for s in shapes)
    assert [n.text for n in notes] == [f"A/B at {fmt.share(a, 0)}", f"B/C at {fmt.share(b, 0)}"]
    assert [n.y for n in notes] == [a, b]
    assert fig.layout.title.text == "Pareto curve of quantity"
