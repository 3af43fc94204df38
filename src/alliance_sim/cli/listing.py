"""``alliance-sim list parameters``: every parameter of the registry with its meaning, range
and source, and -- where the shipped forecasts draw it from a calibrated posterior instead of
its default -- what that posterior holds (a new user read "contagion ... default 0.3, source:
assumption" for a value the forecasts draw with median -0.21)."""

from __future__ import annotations

import textwrap

import numpy as np

#: the shipped scenario whose calibration the shipped forecasts continue
FORECAST_BASE = "baseline"


def _fitted() -> tuple[str, dict[str, np.ndarray]]:
    """(the posterior's file name, parameter -> its values over the posterior's sets) of the
    shipped forecasts' calibration; ("", {}) if it cannot be read."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.scenario.load import load_scenario

    try:
        post = load_scenario(FORECAST_BASE).posterior
    except (AllianceSimError, OSError):
        return "", {}
    if post is None:
        return "", {}
    names = {k for s in post.sets for k in s}
    values = {k: np.array([float(s[k]) for s in post.sets if k in s]) for k in names}
    return post.path.rsplit("/", 1)[-1], values


def print_parameters() -> None:
    """Print the registry, one block per parameter."""
    from alliance_sim.cli.bibliography import glosses
    from alliance_sim.core import members as mb
    from alliance_sim.core.params import REGIONAL, parameters

    where, fitted = _fitted()
    for r in parameters().itertuples():
        default = "per member" if r.scope == "member" else f"{r.default:g}"
        sample = (
            f",  sample {r.plausible_low:g} to {r.plausible_high:g}"
            if r.plausible_low == r.plausible_low  # not NaN
            else ""
        )
        scope = f"{r.scope}; [region] may set it" if r.name in REGIONAL else r.scope
        valid = (
            f"a status: {', '.join(mb.STATUS_NAMES)}"
            if r.unit == "status"
            else f"{r.low:g} to {r.high:g} {r.unit}"
        )
        fit = ""
        per_member = {  # a member figure the forecasts draw (not initial_*: the replay's start)
            k.split(".")[1]: v for k, v in fitted.items()
            if k.startswith("members.") and k.endswith(f".{r.name}")
            and not r.name.startswith("initial_")
        }  # fmt: skip
        if per_member:
            said = (
                "fitted: the shipped forecasts draw it from "
                + where
                + " for "
                + "; ".join(
                    f"{c} (median {np.median(v):.3g}, 90% of sets {np.quantile(v, 0.05):.3g} to "
                    f"{np.quantile(v, 0.95):.3g})"
                    for c, v in sorted(per_member.items())
                )
                + ", not members.toml's value (its own value or a sweep replaces the draws)"
            )
            fit = "\n" + textwrap.indent(textwrap.fill(said, 92), "    ")
        if r.name in fitted and len(fitted[r.name]):
            v = fitted[r.name]
            lo, med, hi = np.quantile(v, [0.05, 0.5, 0.95])
            said = (
                f"fitted: the shipped forecasts ({FORECAST_BASE} and what extends it) draw it from "
                f"{where}, not the default: median {med:.3g}, 90% of sets {lo:.3g} to {hi:.3g} "
                "(a scenario's own value or a sweep of it replaces the draws)"
            )
            fit = "\n" + textwrap.indent(textwrap.fill(said, 92), "    ")
        print(
            f"{r.name}  [{scope}]  default {default}  valid {valid}{sample}\n"
            + textwrap.indent(textwrap.fill(r.meaning, 92), "    ")
            + f"\n    source: {r.source}"
            + fit
            + (f"\n    sample range: {r.plausible_source}" if sample else "")
            + "".join(
                f"\n    {g}" for g in glosses(r.meaning, r.source, sample and r.plausible_source)
            )
        )
    print("\n[KEYS] in sources are entries of the bibliography: alliance-sim list sources")
