"""Shared look of the charts: colours, the CJK font fallback, axes helpers.

Vehicle and customer names are Chinese, which matplotlib's default font cannot draw.
Each chart is built with a font fallback list (DejaVu Sans, then the first installed CJK
font: Noto Sans CJK TC, Microsoft JhengHei, PingFang TC, ...); zones are labelled by code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from luckygas.maps import hhmm

if TYPE_CHECKING:
    pass


#: Segment colours of the route timeline.
SEGMENT_COLOURS: dict[str, str] = {
    "drive": "#9e9e9e",
    "wait": "#ffe08a",
    "break": "#5c6bc0",
    "reload": "#222222",
}
#: One colour per cylinder size class (light to dark = small to large).
SIZE_COLOURS: dict[int, str] = {
    50: "#08306b",
    20: "#2171b5",
    16: "#6baed6",
    10: "#9ecae1",
    4: "#deebf7",
}
OUTCOME_COLOURS: dict[str, str] = {
    "delivered": "#2ca02c",
    "not_home": "#ff7f0e",
    "refused": "#9467bd",
    "failed": "#d62728",
}


#: CJK fonts tried in order after DejaVu Sans (Linux, Windows, macOS names).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Microsoft JhengHei",
    "PingFang TC",
    "Heiti TC",
    "Source Han Sans TC",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


@functools.cache
def font_family() -> list[str]:
    """DejaVu Sans followed by the first installed CJK font (only installed names, so
    matplotlib does not warn about missing families)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[f for f in CJK_FONTS if f in installed][:1]]


def with_cjk_fonts(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Build the chart with the CJK fallback fonts (text keeps the family it was made with).

    Also makes sure IPython shows the returned figure as a picture (see
    :func:`show_figures_in_ipython`).
    """

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        show_figures_in_ipython()
        with mpl.rc_context({"font.family": font_family()}):
            return fn(*args, **kwargs)

    return wrapper


def show_figures_in_ipython() -> None:
    """Have IPython display a ``Figure`` as a PNG, if nothing else displays it yet.

    The charts are made without ``pyplot``, and IPython learns to draw figures only when
    pyplot's inline backend loads (``%matplotlib inline`` or the first ``import
    matplotlib.pyplot``). Before that a chart that is a cell's value prints as
    ``<Figure size 1200x220 with 4 Axes>``, as the what-if notebook did on its first
    run. Outside IPython, or when a display is already registered, this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # matplotlib without IPython: nothing to display with
        return
    shell = get_ipython()
    formatters = getattr(getattr(shell, "display_formatter", None), "formatters", None)
    if not formatters or "image/png" not in formatters:
        return
    png = formatters["image/png"]
    try:
        png.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import print_figure

        png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))


def axes_or_new(ax: Axes | None, size: tuple[float, float]) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches (no pyplot involved)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def figure_of(ax: Axes) -> Figure:
    """The figure ``ax`` belongs to (the root one if it sits in a subfigure)."""
    fig = ax.get_figure(root=True)
    if fig is None:  # an Axes made without a figure: nothing to return the chart in
        raise ValueError("the axes belong to no figure")
    return fig


def hour_axis(ax: Axes) -> None:
    """An x axis of seconds since midnight, labelled HH:MM every hour."""
    ax.xaxis.set_major_locator(MultipleLocator(3600))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: hhmm(x)))
    ax.grid(axis="x", alpha=0.3)


# ---------------------------------------------------------------------------
# Plan charts
# ---------------------------------------------------------------------------
