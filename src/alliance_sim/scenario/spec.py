"""The validated scenario and its parts, as frozen dataclasses (the contract between reading a
file and everything downstream: plan, engines, store, reports)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance_sim.core import quarters
from alliance_sim.core.events import Event
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.posterior import Posterior
from alliance_sim.scenario.region import Region

DEFAULT_START = "2020Q1"  # the quarter members.toml's initial state describes
DEFAULT_QUARTERS = 40  # the horizon of a scenario without `end`, and of simulate()
DEFAULT_END = quarters.shift(DEFAULT_START, DEFAULT_QUARTERS)


@dataclass(frozen=True)
class SweepAxis:
    """One swept quantity: a list of ``values`` or a ``low``-``high`` range."""

    name: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    quarter: bool = False  # an event's `at`: values are quarter labels, ranges are ordinals


@dataclass(frozen=True)
class SweepSpec:
    sampler: str
    samples: int
    replicates: int
    seed: int
    levels: int
    axes: tuple[SweepAxis, ...]


@dataclass(frozen=True)
class CalibrateSpec:
    """ABC settings: ``method`` (``smc`` or ``rejection``), ``draws`` particles per generation
    (SMC) or sets kept (rejection, of ``draws / accept`` prior draws), at most ``generations``
    (SMC), ``replicates`` seeds per parameter set, the master ``seed``, the ``priors``."""

    draws: int
    accept: float
    replicates: int
    seed: int
    priors: tuple[SweepAxis, ...]
    method: str = "smc"
    generations: int = 6


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with its ``extends`` chain resolved."""

    name: str
    description: str
    path: str
    start: str
    end: str
    sources: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    params: dict[str, float] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: tuple[tuple[str, Event], ...] = ()  # (id, event)
    sweep: SweepSpec | None = None
    calibrate: CalibrateSpec | None = None  # how to fit this scenario (the replay)
    posterior: Posterior | None = None  # parameter sets (and their replay) runs draw from
    end_status: dict[str, str] = field(default_factory=dict)  # observed at `end` (a replay)
    # why a headline jumps or reverses along a parameter (analysis/surfaces.py flags them)
    explained: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)  # the resolved file, for show/manifest
    # the quarter whose public member figures runs read (a backtest's cut; core.vintage);
    # None: the latest (set by the backtest, not by scenario files)
    vintage: str | None = None
    # globals set for some members only ([region]; already in ``members``): which, and why
    region: Region | None = None

    @property
    def replays(self) -> bool:
        """A replay of the calibrated period: it starts where the posterior's replay starts,
        and the fitted values replace its own assumptions."""
        return self.posterior is not None and self.start == self.posterior.start

    @property
    def continues(self) -> bool:
        """A forecast that continues the calibrated history: it starts where the posterior's
        replay ends, replicate k from replay k's end state."""
        return self.posterior is not None and self.start == self.posterior.end

    def fit_spec(self) -> CalibrateSpec:
        """Its ``[calibrate]`` table, refused in one line when it has none, or when its runs
        take their values from a posterior (``calibration = ...``: the fit's prior, and its
        check of the thresholds' order, would not see the values the runs use)."""
        if self.calibrate is None:
            raise ScenarioError(
                f"{self.path} has no [calibrate] table naming the parameters to fit "
                "and their prior ranges (see history_2020_2024.toml)"
            )
        if self.posterior is not None:
            p = self.posterior
            raise ScenarioError(
                f"{self.path}: its runs take their values from a posterior (calibration = "
                f"...); calibrate the replay it was fitted to: {Path(p.replay_path or p.path).stem}"
            )
        return self.calibrate

    @property
    def n_steps(self) -> int:
        return quarters.steps_between(self.start, self.end)

    @property
    def hash(self) -> str:
        """Fingerprint of the resolved scenario (what runs depend on), 16 hex digits."""
        blob = json.dumps(self.data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def event_list(self) -> list[Event]:
        return [e for _, e in self.events]


def count_points(spec: SweepSpec) -> int:
    """How many points ``spec`` makes, computed without making them (to refuse a grid of
    10^10 points before it fills the memory)."""
    d = len(spec.axes)
    if spec.sampler == "grid":
        n = 1
        for a in spec.axes:
            if a.values is not None:
                n *= len(a.values)
            elif a.quarter:
                n *= min(spec.levels, int(a.high) - int(a.low) + 1)
            else:
                n *= spec.levels
        return n
    if spec.sampler == "saltelli":
        return spec.samples * (d + 2)
    if spec.sampler == "morris":
        return spec.samples * (d + 1)
    return spec.samples
