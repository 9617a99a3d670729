"""Matplotlib figures as PNG bytes for the browser: the batch page shows the analysis's own
invasion-curve figure (:func:`analysis.plots.invasion_curves_plot`), drawn once per experiment
directory, not every week, so a PNG is fine there; the weekly views are SVG (:mod:`viz.charts`).
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes, for ``solara.Image``-style widgets."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
