"""Global sensitivity analysis of a sweep with SALib: Sobol indices from a Saltelli design,
Morris elementary effects from a Morris design.

Each design point's outcome is the mean over its replicates, so the indices describe those
means: seed noise is averaged down, not out.  What is left of it is measured
(``attrs["noise_share"]``: the replicate noise's share of the variance across points), and the
indices' 95% half-widths hold the seeds fixed (they resample design rows), so a command
printing them says how much noise is left and in how many seeds the outcome varies at all
(with 8 seeds, 2 of which moved an exit, the ranking of the drivers flipped from one of the
two to the other: helper-100).  The design is rebuilt from the manifest (sampler, samples,
design seed, axes) exactly as the sweep drew it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from alliance_sim.analysis.cases import BOOKKEEPING
from alliance_sim.core.members import CODES
from alliance_sim.errors import AnalysisError, UserError, member_word, outcome_hint
from alliance_sim.runs.results import Manifest, Result
from alliance_sim.scenario.plan import unit_samples
from alliance_sim.scenario.spec import SweepAxis, SweepSpec

SAMPLERS = ("saltelli", "morris")


def design_spec(manifest: Manifest) -> SweepSpec:
    """The sweep's design as the plan drew it, rebuilt from the manifest."""
    plan = manifest.plan
    axes = tuple(
        SweepAxis(
            a.name, tuple(a.values) if a.values is not None else None, a.low, a.high, a.quarter
        )
        for a in plan.axes
    )
    return SweepSpec(
        plan.sampler,
        int(plan.samples),
        int(plan.replicates),
        int(plan.design_seed),
        int(plan.levels),
        axes,
    )


DESIGN_COLUMNS = set(BOOKKEEPING)  # a run's identity and design, not an outcome


def outcome_columns(res: Result) -> list[str]:
    """The numeric outcome columns of a result (what ``--outcome`` may name); a member's
    status code (``KAZ_status``, 1 active to 4 exited) is not one: its mean over runs, drawn
    as a response with a band, means nothing (a new user's plot, helper-61)."""
    runs = res.runs
    return [
        c
        for c in runs.columns
        if c not in DESIGN_COLUMNS
        and c not in set(res.swept)
        and not c.endswith("_status")
        and pd.api.types.is_numeric_dtype(runs[c])
    ]


def check_outcome(res: Result, *outcomes: str) -> None:
    """Refuse ``--outcome`` naming no numeric outcome of the runs: bookkeeping (``point``,
    ``seed``: Sobol indices of the design-point number were written), a swept parameter (a
    response of western_offer to itself was drawn), or text (``run_id``: a traceback)."""
    for outcome in outcomes:
        if outcome not in outcome_columns(res):
            _refuse(res, outcome)


def _refuse(res: Result, outcome: str) -> None:
    runs = res.runs
    head = str(outcome).rpartition("_")[0]  # KAZ_status, kaz_status, Kazakhstan_status
    member = bool(member_word(head)) or head.upper() in CODES  # (not XYZ_status: helper-63)
    if str(outcome).lower().endswith("_status") and member:
        raise UserError(
            f"--outcome {outcome!r} is a status code (0 candidate, 1 active, 2 hedging, 3 "
            "suspended, 4 exited: its mean means nothing), not an outcome of the runs; a share "
            "is an outcome such as CODE_exited or CODE_suspended (compare reports P(hedging))"
        )
    if outcome not in runs:
        raise AnalysisError(
            f"{res.directory}: no outcome {outcome!r} in runs.parquet"
            f"{outcome_hint(outcome, outcome_columns(res))}"
        )
    what = (
        "a swept parameter"
        if outcome in res.swept
        else "bookkeeping"
        if outcome in DESIGN_COLUMNS
        else "not a number"
    )
    shown = outcome_columns(res)
    listed = ", ".join(shown[:6]) + (" ..." if len(shown) > 6 else "")
    raise UserError(f"--outcome {outcome!r} is {what}, not an outcome of the runs; e.g. {listed}")


def point_means(res: Result, outcome: str) -> np.ndarray:
    """The outcome's mean over replicates at each design point, in design order."""
    check_outcome(res, outcome)
    runs = res.runs
    ok = runs[runs["error"].isna()]
    y = ok.groupby("point")[outcome].mean().reindex(range(res.manifest.plan.n_points))
    missing = int(y.isna().sum())
    if missing:
        raise AnalysisError(
            f"{res.directory}: {missing} design point(s) have no value of "
            f"{outcome!r} (failed runs or an outcome undefined there)"
        )
    return y.to_numpy(float)


def check_design(res: Result) -> None:
    """Raise :class:`AnalysisError` unless the sweep was sampled for sensitivity analysis."""
    sampler = res.manifest.plan.sampler
    if sampler not in SAMPLERS:
        raise AnalysisError(
            f"{res.directory} was sampled with {sampler!r}; sensitivity analysis needs a sweep "
            f'sampled for it: sampler = "saltelli" (Sobol indices) or "morris" in [sweep]'
        )


def analyse(res: Result, outcome: str, *, seed: int = 0) -> pd.DataFrame:
    """Sensitivity indices of ``outcome`` for each swept parameter.

    Sobol (sampler ``saltelli``): ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (first-order and
    total indices with 95% bootstrap half-widths).  Morris (sampler ``morris``): ``mu_star``,
    ``mu_star_conf``, ``mu``, ``sigma`` (elementary effects per unit of each parameter's swept
    range).
    """
    res = res.design()  # the sampler's own points: refine's would break its estimator
    sampler = res.manifest.plan.sampler
    check_design(res)
    spec = design_spec(res.manifest)
    names = [a.name for a in spec.axes]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    y = point_means(res, outcome)
    noise, defined = _noise(res, outcome, y)
    if sampler == "saltelli":
        si = sobol_indices(names, y, seed)
        cols = ("S1", "S1_conf", "ST", "ST_conf")
    else:
        from SALib.analyze import morris

        x = unit_samples(spec)
        si = morris.analyze(
            problem,
            x,
            y,
            conf_level=0.95,
            num_levels=spec.levels,
            seed=salib_seed(seed),
            print_to_console=False,
        )
        cols = ("mu_star", "mu_star_conf", "mu", "sigma")
    table = pd.DataFrame({c: np.asarray(si[c], float) for c in cols}, index=names)
    table.index.name = "parameter"
    table.attrs.update(
        method="Sobol" if sampler == "saltelli" else "Morris",
        outcome=outcome,
        points=len(y),
        replicates=res.manifest.plan.replicates,
        noise_share=noise,
        defined_share=defined,
    )
    return table


def _noise(res: Result, outcome: str, y: np.ndarray) -> tuple[float | None, float]:
    """The replicate noise left in the point means, as a share of their variance across
    points (None where the means do not vary), and the share of runs in which the outcome is
    defined at all (an exit quarter: only where the member left).  Replicate k has one seed
    at every point, so what a seed adds to every point alike does not blur the indices: the
    noise is the seed-by-point interaction, a two-way table's residual mean square over the
    replicates (:func:`~alliance_sim.analysis.noise.replicate_noise`: from the additive fit
    on the cells there are where the table has gaps)."""
    from alliance_sim.analysis.noise import replicate_noise

    runs = res.runs
    ok = runs[runs["error"].isna()]
    table = ok.pivot_table(index="point", columns="replicate", values=outcome, aggfunc="first")
    within = replicate_noise(table.to_numpy(float)) if len(table) else float("nan")
    spread = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
    share = min(float(within) / spread, 1.0) if spread > 0 and np.isfinite(within) else None
    return share, float(ok[outcome].notna().mean()) if len(ok) else 0.0


def sensitivity_indices(result: Result | str, outcome: str, *, seed: int = 0) -> pd.DataFrame:
    """Sobol or Morris indices of ``outcome`` for a sweep (a :class:`Result` or its
    directory); see :func:`analyse`."""
    res = result if isinstance(result, Result) else Result.open(result)
    return analyse(res, outcome, seed=seed)


def salib_seed(seed: int) -> int:
    """The seed to give SALib's analysers for ``seed``: they ignore a falsy one (``if seed:``
    in SALib 1.5), which left the bootstrap confidence of seed 0 unseeded."""
    return int(seed) + 1


def sobol_indices(names: list[str], y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices of ``y`` (a Saltelli design over the unit cube of
    ``names``, no second order) with their 95% bootstrap half-widths, seeded reproducibly;
    SALib's warning about constant values (an outcome flat at some points) is silenced."""
    import warnings

    from SALib.analyze import sobol

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol.analyze(
            problem,
            y,
            calc_second_order=False,
            conf_level=0.95,
            seed=salib_seed(seed),
            print_to_console=False,
        )
    return {k: np.asarray(si[k], float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
