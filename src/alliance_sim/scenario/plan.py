"""Run plans: a scenario's sweep as points x replicates, each run with its own seed.

* Points come from the sampler: ``grid`` (every combination of lists, ranges at ``levels``
  evenly spaced values), ``random``, ``lhs`` (Latin hypercube) and ``sobol`` (scrambled Sobol)
  from ``scipy.stats.qmc``, ``saltelli`` and ``morris`` designs from SALib for sensitivity
  analysis.  Unit-cube samples map onto ranges linearly and onto lists by index.
* Seeds: replicate k of every point uses the seed derived from (master seed, k) with
  ``numpy.random.SeedSequence`` - common random numbers across points and across scenarios
  run with the same master seed, so comparisons can be paired.
* A run's id hashes the resolved scenario, its parameter values, its seed and the package
  version; the store is keyed by it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd

from alliance_sim.core import quarters
from alliance_sim.engines.runspec import RunMeta, RunSpec
from alliance_sim.limits import check_plan_size
from alliance_sim.scenario.history import end_states
from alliance_sim.scenario.runspecs import PointValues, assemble
from alliance_sim.scenario.spec import Scenario, SweepAxis, SweepSpec, count_points


def replicate_seed(master: int, k: int) -> int:
    """Seed of replicate ``k`` under master seed ``master`` (63-bit, from SeedSequence)."""
    state = np.random.SeedSequence(entropy=int(master), spawn_key=(int(k),)).generate_state(
        2, np.uint32
    )
    return int((int(state[1]) << 32 | int(state[0])) >> 1)


def _problem(axes: tuple[SweepAxis, ...]) -> dict[str, Any]:
    return {
        "num_vars": len(axes),
        "names": [a.name for a in axes],
        "bounds": [[0.0, 1.0]] * len(axes),
    }


def unit_samples(spec: SweepSpec) -> np.ndarray:
    """The design in the unit cube, shape (points, axes) (grid returns indices instead)."""
    d = len(spec.axes)
    if spec.sampler == "random":
        return np.random.default_rng(spec.seed).random((spec.samples, d))
    if spec.sampler == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d, rng=np.random.default_rng(spec.seed)).random(spec.samples)
    if spec.sampler == "sobol":
        from scipy.stats import qmc

        return qmc.Sobol(d, rng=np.random.default_rng(spec.seed)).random(spec.samples)
    if spec.sampler == "saltelli":
        from SALib.sample import sobol as saltelli

        return saltelli.sample(
            _problem(spec.axes), spec.samples, calc_second_order=False, seed=spec.seed
        )
    if spec.sampler == "morris":
        from SALib.sample import morris

        return morris.sample(
            _problem(spec.axes), spec.samples, num_levels=spec.levels, seed=spec.seed
        )
    raise ValueError(f"no unit design for sampler {spec.sampler!r}")


def _axis_values(axis: SweepAxis, levels: int) -> list[Any]:
    if axis.values is not None:
        return list(axis.values)
    if axis.quarter:
        lo, hi = int(axis.low), int(axis.high)
        idx = np.unique(np.round(np.linspace(lo, hi, min(levels, hi - lo + 1))).astype(int))
        return [quarters.label(int(i)) for i in idx]
    return list(np.linspace(axis.low, axis.high, levels))


def _from_unit(axis: SweepAxis, u: np.ndarray, integer: bool) -> list[Any]:
    if axis.values is not None:
        idx = np.minimum((u * len(axis.values)).astype(int), len(axis.values) - 1)
        return [axis.values[i] for i in idx]
    x = axis.low + u * (axis.high - axis.low)
    if axis.quarter:
        return [quarters.label(int(np.rint(v))) for v in x]
    return [float(round(v)) if integer else float(v) for v in x]


def points(sc: Scenario) -> pd.DataFrame:
    """The sweep's points: one row per point, a column per swept quantity, index ``point``."""
    spec = sc.sweep
    if spec is None:
        return pd.DataFrame(index=pd.RangeIndex(1, name="point"))
    from alliance_sim.core.params import BY_NAME

    names = [a.name for a in spec.axes]
    if spec.sampler == "grid":
        rows = list(itertools.product(*(_axis_values(a, spec.levels) for a in spec.axes)))
        df = pd.DataFrame(rows, columns=names)
    else:
        u = unit_samples(spec)
        df = pd.DataFrame(
            {
                a.name: _from_unit(a, u[:, j], getattr(BY_NAME.get(a.name), "integer", False))
                for j, a in enumerate(spec.axes)
            }
        )
    df.index.name = "point"
    return df


def _replicate(posterior: int | None, continues: bool) -> int | None:
    """The posterior replicate a run uses: a continuation asked for without one is replicate
    0 (it has no state of its own)."""
    return 0 if posterior is None and continues else posterior


def spec_for(
    sc: Scenario, point: dict[str, Any] | None = None, posterior: int | None = None
) -> RunSpec:
    """The run specification of scenario ``sc`` at sweep point ``point``, in replicate
    ``posterior`` of its calibration (if it has one): the values of
    :func:`alliance_sim.scenario.runspecs.assemble` and, for a forecast that continues the
    calibrated history (``sc.continues``), replay ``posterior``'s end state as its initial state
    (:mod:`alliance_sim.scenario.history`).  A continuation asked for without ``posterior``
    is replicate 0."""
    posterior = _replicate(posterior, sc.continues)
    spec = assemble(sc, point, posterior)
    if sc.continues:
        spec = replace(spec, initial=end_states(sc.posterior).of(posterior))
    return spec


#: the scenario :func:`specs_for` last built for (the same object: scenarios are frozen), its
#: replicates' base specs and its points' values, kept for the next chunk of the same plan
_SHARED: list = [None, {}, {}]


def specs_for(sc: Scenario, metas: Iterable[RunMeta]) -> list[RunSpec]:
    """The run specification of each run in ``metas``, as :func:`spec_for` gives it, built
    once per distinct point and posterior replicate (the replicates of a point share one spec
    object, which the engine's builders read once) and, within that, the scenario's and the
    posterior set's values once per replicate, and each point's values read once
    (:class:`~.runspecs.PointValues`) and put on each replicate's spec."""
    if _SHARED[0] is not sc:  # a sweep's chunks share its replicates' bases and its points
        _SHARED[:] = [sc, {}, {}]
    bases: dict[int | None, RunSpec] = _SHARED[1]
    read: dict[tuple, PointValues | None] = _SHARED[2]  # each point's values read once
    built: dict[tuple, RunSpec] = {}
    out = []
    continues = sc.continues  # a property: asked once
    for m in metas:
        posterior = _replicate(m.posterior, continues)
        key = (tuple(m.values.items()), posterior)
        try:
            spec = built.get(key)
        except TypeError:  # a value that cannot be a key (never from a plan): no sharing
            spec, key = None, None
        if spec is None:
            base = bases.get(posterior)
            if base is None:
                base = bases[posterior] = spec_for(sc, None, posterior)
            at = read.get(key[0], False) if key is not None else False
            if at is False:
                at = PointValues.of(sc, m.values) if m.values else None
                if key is not None:
                    read[key[0]] = at
            spec = at.on(base) if at is not None else base
            if key is not None:
                built[key] = spec
        out.append(spec)
    return out


def _jsonable(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def run_id(scenario_hash: str, point: dict[str, Any], seed: int, version: str) -> str:
    """Identity of a run: its scenario, parameter values, seed and the package version."""
    blob = json.dumps(
        [scenario_hash, {k: _jsonable(v) for k, v in sorted(point.items())}, int(seed), version],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _run_id_parts(scenario_hash: str, point: dict[str, Any], version: str) -> tuple[str, str]:
    """The text :func:`run_id` hashes, before and after the seed: encoded once per point, so
    the ids of a point's runs cost a hash each (the same bytes, the same ids)."""
    dumps = partial(json.dumps, sort_keys=True, default=str)
    values = {k: _jsonable(v) for k, v in sorted(point.items())}
    return f"[{dumps(scenario_hash)}, {dumps(values)}, ", f", {dumps(version)}]"


@dataclass(frozen=True)
class Plan:
    """Points x replicates of a scenario, with seeds; runs are numbered point-major."""

    scenario: Scenario
    points: pd.DataFrame
    replicates: int
    seed: int
    version: str
    #: the stamp of the model that runs it (:func:`alliance_sim.scenario.stamp.model_stamp`)
    model: str = ""

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replicates

    def seeds(self) -> list[int]:
        """The seed of each replicate (the same at every point)."""
        return list(self._seeds)

    @cached_property
    def _seeds(self) -> tuple[int, ...]:
        return tuple(replicate_seed(self.seed, k) for k in range(self.replicates))

    @cached_property
    def _values(self) -> np.ndarray:
        return self.points.to_numpy(dtype=object)

    def runs(self, start: int = 0, stop: int | None = None) -> Iterator[RunMeta]:
        """Runs ``start`` .. ``stop`` (their :class:`RunMeta`).  Lazy: a 100,000-run plan is
        never one list in memory."""
        stop = self.n_runs if stop is None else min(stop, self.n_runs)
        seeds = self._seeds
        h = self.scenario.hash
        cols = list(self.points.columns)
        values = self._values
        post = self.scenario.posterior
        n_post = len(post) if post is not None else 0
        set_ids = post.set_ids if post is not None else ()
        parts: tuple[int, str, str] = (-1, "", "")
        point: dict[str, Any] = {}
        for r in range(start, stop):
            p, k = divmod(r, self.replicates)
            if parts[0] != p:  # the runs of a point share its values (read, never changed)
                point = {c: _jsonable(values[p][j]) for j, c in enumerate(cols)}
                parts = (p, *_run_id_parts(h, point, self.version))
            blob = f"{parts[1]}{int(seeds[k])}{parts[2]}"
            yield RunMeta(
                run=r,
                run_id=hashlib.sha256(blob.encode()).hexdigest()[:20],
                point=p,
                replicate=k,
                seed=seeds[k],
                values=point,
                posterior=k % n_post if n_post else None,
                posterior_set=set_ids[k % n_post] if n_post else None,
            )


def make_plan(
    sc: Scenario,
    *,
    replicates: int | None = None,
    samples: int | None = None,
    seed: int | None = None,
    sweep: bool = True,
) -> Plan:
    """The plan of a scenario: its sweep (``sweep=True``) or its base point replicated."""
    from alliance_sim import __version__
    from alliance_sim.limits import MAX_POINTS, MAX_REPLICATES, MAX_SEED, check_count

    spec = sc.sweep
    if replicates is not None:
        check_count("replicates", replicates, 1, MAX_REPLICATES)
    if samples is not None:
        check_count("samples", samples, 1, MAX_POINTS)
    if seed is not None:
        check_count("seed", seed, 0, MAX_SEED)
    if sweep and spec is not None and samples is not None:
        spec = replace(spec, samples=samples)
        sc = replace(sc, sweep=spec)
    reps = replicates or (spec.replicates if spec else 1)
    master = seed if seed is not None else (spec.seed if spec else 0)
    if sweep and spec is not None:
        check_plan_size(count_points(spec), reps, where=sc.path)
    pts = points(sc) if sweep else points(replace(sc, sweep=None))
    from alliance_sim.scenario.stamp import model_stamp

    return Plan(sc, pts, reps, master, __version__, model_stamp(sc))
