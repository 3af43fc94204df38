"""Shares of runs as the figures draw them: a joiner's counted among the runs in which it has
joined (as the tables count it), and what a band left out at 0% would have shown."""

from __future__ import annotations

import numpy as np

from alliance_sim.core.outcomes import ALLIES


def above_zero(p: np.ndarray) -> np.ndarray:
    """Quarters where a share is above 0, with the quarter on each side (a band starts where
    its line leaves 0% and ends where it returns)."""
    on = np.nan_to_num(p) > 0
    near = on.copy()
    near[:-1] |= on[1:]
    near[1:] |= on[:-1]
    return near


def zero_bound(iv: dict[str, np.ndarray]) -> float:
    """The 95% upper bound of a share observed at 0% where no band is drawn (the highest,
    over members and quarters): what the bands left out at 0% would have shown.  The first
    quarter is the runs' common start, where nobody has left yet by definition, and a quarter
    next to a share above 0% has its band drawn (:func:`above_zero`); neither counts (a note
    "at 0%" under a curve at 40% misread the start as a finding)."""
    bounds = [0.0]
    for p, _, hi in iv.values():
        bare = (p == 0) & ~above_zero(p)  # (NaN: no run has the member in yet)
        bare[:1] = False
        if bare.any():
            bounds.append(float(np.nanmax(hi[bare])))
    return max(bounds)


def zero_note(iv: dict[str, np.ndarray]) -> str:
    """Each member's :func:`zero_bound`, as one number where they agree and the others by
    name ("1%; IRN's up to 43%, counted among the runs in which it has joined"): a joiner in
    few runs has a wider bound than a founder in all of them, and one number for both read 1%
    beside a table's [0%, 43%]; "(IRN 79%, 56% at the end; no band drawn)" read as a riddle
    (helper-61)."""
    bounds = {c: f"{b:.0%}" for c in ALLIES if c in iv and (b := zero_bound({c: iv[c]})) > 0}
    if not bounds:
        return ""
    shown = list(bounds.values())
    common = max(shown, key=lambda s: (shown.count(s), -shown.index(s)))
    alone = [c for c, b in bounds.items() if b == common]
    head = common + (at_end(iv[alone[0]], common) if len(alone) == 1 else "")
    other = [f"{c}'s up to {b}{at_end(iv[c], b)}" for c, b in bounds.items() if b != common]
    if not other:
        return head
    return f"{head}; {', '.join(other)}, counted among the runs in which it has joined"


def joiner_note(code: str, iv: tuple[np.ndarray, ...]) -> str:
    """A joiner at 0% in the runs in which it joined, with its 95% upper bound: the widest,
    where it had joined in fewest runs, and the end's beside it, as the tables give it (79%
    read against a table's 56%: helper-71); "" if there is no bound to give."""
    b = zero_bound({code: iv})
    if b <= 0:
        return ""
    end = at_end(iv, f"{b:.0%}").replace(" (", ", ").rstrip(")")
    return f"{code} 0% in the runs in which it joined (95% upper bound {b:.0%}{end})"


def at_end(iv: tuple[np.ndarray, ...], widest: str) -> str:
    """ " (56% at the end)" where a member's bound at the last quarter is not its widest: a
    joiner's widest is where it had joined in fewest runs (IRN 79% beside a table's 56% at
    the end, in three runs, read as a contradiction)."""
    p, _, hi = iv
    if not (len(p) and p[-1] == 0 and np.isfinite(hi[-1])):
        return ""
    end = f"{hi[-1]:.0%}"
    return f" ({end} at the end)" if end != widest else ""


def joiner(shares: dict[str, np.ndarray]) -> bool:
    """Whether a member is not yet in the alliance in some runs at some quarter (Iran)."""
    return bool(np.nanmin(_joined(shares)) < 1 - 1e-9)


def _joined(shares: dict[str, np.ndarray]) -> np.ndarray:
    """The share of runs in which a member has joined, by quarter (a run in which it has not
    is stored without a row for it, or as a candidate)."""
    return sum(v for k, v in shares.items() if k != "candidate")


def exited_share(shares: dict[str, np.ndarray]) -> np.ndarray:
    """The share of runs in which a member has exited, by quarter, among those in which it
    has joined (all runs for a founder; NaN where no run has), as the tables count it: of all
    runs, Iran's line read 10% beside a table's 38%."""
    joined = _joined(shares)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(joined > 0, shares["exited"] / joined, np.nan)
