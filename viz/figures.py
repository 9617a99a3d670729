"""Matplotlib figures for the browser: the batch page shows the analysis's own invasion-curve
figure (:func:`analysis.plots.invasion_curves_plot`) as inline SVG, drawn once per experiment
directory, and offers it as SVG and PNG downloads; the weekly views are SVG built directly
(:mod:`viz.charts`).
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes (the download)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return buffer.getvalue()


def svg(figure: Figure) -> str:
    """The figure as an SVG document. Matplotlib draws its text as paths (its default
    ``svg.fonttype``), so no name from a scenario file becomes markup."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def inline_svg(document: str) -> str:
    """An SVG document as markup to place in a page: without its XML prolog and doctype, and
    scaled to the width it is given."""
    start = document.find("<svg")
    markup = document[start:] if start >= 0 else document
    return markup.replace("<svg ", '<svg style="width: 100%; max-width: 960px; height: auto" ', 1)
