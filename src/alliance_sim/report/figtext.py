"""Text that fits its figure: wrapping measured with the renderer in the figure's own font
(titles, the event key and the footer never run past the edges, whatever the style or the
length of a scenario's name), and what ``plots._save`` stacks below the axes: a figure
legend, the key to the numbered events and the provenance footer."""

from __future__ import annotations

import unicodedata

from matplotlib.figure import Figure

from alliance_sim.report import marks, style
from alliance_sim.report.labels import plural
from alliance_sim.textsafe import term


def renderer(fig: Figure):
    """The figure's renderer (an Agg canvas is attached if it has none): text is measured
    with it, so wrapping and placement hold at any figure size and font."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def wrap_lines(fig: Figure, text: str, fontsize: float, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` inches at ``fontsize``
    points, measured in the current font (a non-breaking space keeps words together)."""
    from matplotlib.font_manager import FontProperties

    r, font = renderer(fig), FontProperties(size=fontsize)

    def wide(line: str) -> float:
        return r.get_text_width_height_descent(line, font, ismath=False)[0] / fig.dpi

    key = (hash(font), fig.dpi, _text_settings())

    def word(w: str) -> float:  # each word's width measured once, kept across figures
        k = (*key, w)
        if k not in _WIDTHS:
            if len(_WIDTHS) > 50_000:
                _WIDTHS.clear()
            _WIDTHS[k] = wide(w)
        return _WIDTHS[k]

    space = word("x x") - 2 * word("x")
    lines = []
    for para in _visible(text).split("\n"):
        words = para.split(" ")
        n, i = len(words), 0
        while i < n:  # each line: the words up to the first that makes it too wide
            # a line starts at its first word that is not empty (two spaces in a row: an
            # empty word), which stays on it however wide it is
            i = next((k for k in range(i, n) if words[k]), n)
            if i == n:
                lines.append("")
                break
            # a first guess from the words' widths, which whole-line measures confirm or move
            # (two or three a line, instead of one per word: a footer took 75 ms, now 5)
            j, total = i + 1, word(words[i])
            while j < n and (total := total + space + word(words[j])) <= width:
                j += 1
            if wide(" ".join(words[i:j])) <= width:
                while j < n and wide(" ".join(words[i : j + 1])) <= width:
                    j += 1
            else:
                while j > i + 1:
                    j -= 1
                    if wide(" ".join(words[i:j])) <= width:
                        break
            lines.append(" ".join(words[i:j]))
            i = j
    return lines


_WIDTHS: dict[tuple, float] = {}


def _text_settings() -> tuple:
    """The settings besides the font's own properties that change a measured width: the
    renderer's and the font lists a family name stands for (a font of another list measured
    with the first's widths guessed its breaks badly: slower, never wrong)."""
    from matplotlib import rcParams

    text = tuple(rcParams[f"text.{k}"] for k in ("hinting", "hinting_factor", "kerning_factor"))
    lists = ("sans-serif", "serif", "monospace", "cursive", "fantasy")
    return text + tuple(tuple(rcParams[f"font.{k}"]) for k in lists)


def fit_text(fig: Figure, text: str, fontsize: float, share: float = 0.96) -> str:
    """``text`` with each line wrapped to ``share`` of the figure's width at ``fontsize``
    points (a title or subtitle that would run past the edges is clipped otherwise, as on a
    paper-width figure or with a long scenario name)."""
    width = fig.get_size_inches()[0] * share
    return "\n".join(wrap_lines(fig, text, fontsize, width))


def footer_text(manifest) -> str:
    """Scenario name and provenance: what a figure's footer says -- with the model's stamp,
    which the README's citation names (a figure pasted alone lacked it: helper-64)."""
    plan = manifest.plan
    model = f" | model {manifest.model}" if getattr(manifest, "model", "") else ""
    return (
        f"{manifest.scenario_name} | scenario {manifest.scenario_hash}{model} | "
        f"alliance-sim {manifest.package_version} | {plural(plan.n_runs, 'run')} "
        f"({plural(plan.n_points, 'point')} x {plural(plan.replicates, 'replicate')}), master "
        f"seed {plan.master_seed}"
    )


def footer(fig: Figure, manifest, y: float = 0.005) -> float:
    """Scenario name and provenance in small type at the bottom of the figure (``manifest``,
    or the text itself), wrapped to its width; returns the share of the height it takes."""
    text = manifest if isinstance(manifest, str) else footer_text(manifest)
    return _bottom_text(fig, text, y, "#555555")


def _bottom_text(fig: Figure, text: str, y: float, colour: str) -> float:
    """``text`` in small type from height ``y`` up, wrapped to the figure's width (words
    joined by non-breaking spaces stay on one line, then shown with plain spaces); returns
    the share of the height it takes."""
    size = style.size(6.5)
    lines = wrap_lines(fig, text, size, fig.get_size_inches()[0] - 0.2)
    text = "\n".join(lines).replace("\u00a0", " ")
    t = fig.text(0.01, y, text, fontsize=size, color=colour, ha="left", va="bottom")
    return t.get_window_extent(renderer(fig)).height / fig.bbox.height


def legend_below(fig: Figure, handles: list, labels: list[str], ncols: int = 4) -> None:
    """A legend for the whole figure, centred below the axes (above the event key and the
    footer; placed by ``_save``), where it hides no data."""
    width = fig.get_size_inches()[0] * 0.85  # a label longer than that is wrapped
    labels = ["\n".join(wrap_lines(fig, label, style.size(8), width)) for label in labels]
    fig._alliance_legend = (handles, labels, ncols)


def _bottom(fig: Figure, manifest) -> float:
    """Footer, event key and figure legend stacked up from the bottom edge; returns the share
    of the height they take (the axes are laid out above it)."""
    gap = 0.05 / fig.get_size_inches()[1]
    y = 0.005
    text = footer_text(manifest) if manifest is not None else getattr(fig, "_alliance_footer", "")
    if text:
        y += footer(fig, text, y) + gap
    key = getattr(fig, "_alliance_key", None)
    if key:
        y += _bottom_text(fig, " ".join([marks.KEY_PREFIX, "; ".join(key)]), y, "#333333") + gap
    legend = getattr(fig, "_alliance_legend", None)
    if legend:
        handles, labels, ncols = legend
        for cols in range(min(len(labels), ncols), 0, -1):  # fewer columns if it is too wide
            leg = fig.legend(
                handles,
                labels,
                loc="lower center",
                bbox_to_anchor=(0.5, y),
                ncols=cols,
                frameon=False,
                fontsize=style.size(8),
            )
            box = leg.get_window_extent(renderer(fig))
            if cols == 1 or box.width <= 0.98 * fig.bbox.width:
                break
            leg.remove()
        y += box.height / fig.bbox.height + gap
    return y


#: the least share of a figure's height (as drawn before its footer, key and legend were
#: stacked below) left to the axes: a longer stack makes the figure taller instead
AXES_SHARE = 0.8


def _bottom_grown(fig: Figure, manifest) -> float:
    """:func:`_bottom`, the figure made taller first where the stack would leave the axes
    less than :data:`AXES_SHARE` of its height (three scenarios' 22 events: the key covered
    the panels and tight_layout gave up with a warning on the terminal: helper-75)."""
    before = (list(fig.texts), list(fig.legends))
    bottom = _bottom(fig, manifest)
    w, h = fig.get_size_inches()
    if (1 - bottom) >= AXES_SHARE:
        return bottom
    for t in [t for t in fig.texts if t not in before[0]]:
        t.remove()
    for leg in [g for g in fig.legends if g not in before[1]]:
        leg.remove()
    fig.set_size_inches(w, bottom * h + AXES_SHARE * h)  # the stack keeps its inches
    title = fig._suptitle  # its gap to the top kept in inches (a fraction of a figure grown
    if title is not None:  # to 2,629 px put it over the panels' titles: red-team)
        title.set_y(1 - (1 - title.get_position()[1]) * h / fig.get_size_inches()[1])
    return _bottom(fig, manifest)


def _visible(text: str) -> str:
    """``text`` with control characters (from a scenario's name or notes) as escapes
    (``\\x1b``): the font renderer draws them as boxes or warns about missing glyphs."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n" for ch in text):
        return term(text)
    return text


def _visible_text(fig: Figure) -> None:
    """Every text of ``fig`` shown with :func:`_visible`."""
    from matplotlib.text import Text

    for t in fig.findobj(Text):
        text = t.get_text()
        if text and _visible(text) != text:
            t.set_text(_visible(text))
