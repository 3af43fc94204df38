"""The state of one or many runs, as arrays whose last axis is the members.

``State`` holds everything the dynamics read and write: shape ``(R, M)`` for per-member
quantities and ``(R,)`` for per-run ones, where ``R`` is the number of runs advanced together
(1 for the Mesa model) and ``M = len(CODES)``.  ``Params`` holds the parameters in shapes that
broadcast against it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core.params import REGIONAL, defaults

N_DRAWS = 7  # uniform draws per member per quarter; see DRAW_* below
DRAW_NOISE, DRAW_ATTACK, DRAW_ANSWER, DRAW_UNREST, DRAW_EXIT, DRAW_CLASH, DRAW_VOTE = range(N_DRAWS)
FIRST_MEMBERS = 7  # the members the first releases drew for (RUS ... IRN), from the run's seed


class Stream:
    """A run's uniform draws, quarter by quarter: ``next(n)`` is ``(n, N_DRAWS, M)``.

    The first :data:`FIRST_MEMBERS` columns come from ``default_rng(seed)``, in the layout the
    first releases used, so adding a member (Uzbekistan, v0.4) changed no draw of the others
    and no stored result; the later members' columns come from a second generator,
    ``default_rng(SeedSequence(seed, spawn_key=(1,)))``.  Drawing T quarters at once or one at
    a time gives the same numbers (both generators fill C order, quarter first), which is what
    keeps the Mesa model (one quarter at a time) and the batch engine (all at once) identical.
    """

    def __init__(self, seed: int) -> None:
        self.first = np.random.default_rng(seed)
        extra = len(mb.CODES) - FIRST_MEMBERS
        self.rest = (
            np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(1,))) if extra else None
        )

    def next(self, n_steps: int) -> np.ndarray:
        u = self.first.random((n_steps, N_DRAWS, FIRST_MEMBERS))
        if self.rest is None:
            return u
        extra = len(mb.CODES) - FIRST_MEMBERS
        return np.concatenate([u, self.rest.random((n_steps, N_DRAWS, extra))], axis=-1)


class Params:
    """Parameters of R runs: globals as ``(R, 1)`` arrays, member figures as ``(R, M)``.

    ``Params.build(R, globals_, profiles)`` broadcasts scalars; a global given as an array of
    length R varies by run (a sweep).  Attribute access: ``P.western_offer``,
    ``P.m["pressure_tolerance"]``; derived indices ``P.dependence``, ``P.remittance_part``,
    ``P.exit_cost``, ``P.patron_exposure``; ``P.patron`` (bool, M).
    """

    def __init__(
        self, g: dict[str, np.ndarray], m: dict[str, np.ndarray], profiles: mb.Profiles
    ) -> None:
        self.g = g
        self.m = m
        self.profiles = profiles
        self.patron = profiles.patron
        self.dependence = mb.dependence_index(m)
        self.remittance_part = mb.remittance_share(m)
        self.exit_cost = mb.exit_cost(m)
        self.patron_exposure = np.where(profiles.patron, 0.0, mb.patron_exposure(m))
        self.clash_pairs = profiles.clash_pairs
        self.n_runs = next(iter(m.values())).shape[0]

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["g"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def build(
        cls,
        n_runs: int,
        globals_: dict[str, Any] | None = None,
        profiles: mb.Profiles | None = None,
        member_values: dict[str, np.ndarray] | None = None,
    ) -> Params:
        """Parameters for ``n_runs`` runs.

        ``globals_`` maps registry names to a scalar (same for all runs) or a length-R array,
        already validated (:func:`alliance_sim.engines.runspec.build_params` checks them).
        ``member_values`` (field -> ``(R, M)`` array) overrides the profiles per run; for a
        regional global (:data:`~alliance_sim.core.params.REGIONAL`) NaN means "the run's
        global", which is filled in here, the one place that rule is written.
        """
        profiles = profiles or mb.load_profiles()
        values = {**defaults(), **(globals_ or {})}  # names and values checked by the builder
        g = {
            k: np.broadcast_to(np.asarray(v, dtype=float).reshape(-1, 1), (n_runs, 1)).copy()
            if np.ndim(v)
            else np.full((n_runs, 1), float(v))
            for k, v in values.items()
        }
        m = {
            k: np.broadcast_to(v, (n_runs, len(mb.CODES))).astype(float)
            for k, v in profiles.values.items()
        }
        for k, v in (member_values or {}).items():
            m[k] = np.broadcast_to(np.asarray(v, dtype=float), (n_runs, len(mb.CODES))).copy()
        for k in REGIONAL:  # read per member: the global wherever no member value is given
            glob = np.broadcast_to(g[k], (n_runs, len(mb.CODES)))
            m[k] = glob.copy() if k not in m else np.where(np.isnan(m[k]), glob, m[k])
        return cls(g, m, profiles)

    def select(self, runs: np.ndarray | slice) -> Params:
        """The parameters of a subset of runs."""
        return Params(
            {k: v[runs] for k, v in self.g.items()},
            {k: v[runs] for k, v in self.m.items()},
            self.profiles,
        )


@dataclass
class State:
    """Everything that carries over from one quarter to the next, for R runs."""

    commitment: np.ndarray  # (R, M) 0-1: how committed the member is to the alliance
    cred_a: np.ndarray  # (R, M) Beta posterior: evidence that Article 4 is honoured
    cred_b: np.ndarray  # (R, M) Beta posterior: evidence that it is not
    grievance: np.ndarray  # (R, M) >= 0
    status: np.ndarray  # (R, M) int8: members.CANDIDATE .. EXITED
    down_count: np.ndarray  # (R, M) quarters in a row below the next-worse threshold
    up_count: np.ndarray  # (R, M) quarters in a row above the next-better threshold
    exit_count: np.ndarray  # (R, M) quarters in a row below exit_below while suspended
    exit_step: np.ndarray  # (R, M) step of exit, -1 if none
    western_ties: np.ndarray  # (R, M) accumulated Western engagement
    chinese_ties: np.ndarray  # (R, M) accumulated Chinese engagement
    western_security: np.ndarray  # (R, M) the part of western_ties that carries security
    chinese_security: np.ndarray  # (R, M) the part of chinese_ties that carries security
    threat_shock: np.ndarray  # (R, M) threat added by recent attacks and clashes
    remittance_loss: np.ndarray  # (R, M) 0-1 share of the remittance channel cut off
    campaign: np.ndarray  # (R, M) extra Russian pressure from a scheduled campaign
    campaign_left: np.ndarray  # (R, M) quarters the campaign still runs
    pressure: np.ndarray  # (R, M) Russian pressure applied last quarter
    appealed: np.ndarray  # (R, M) bool: appealed under Article 4 last quarter
    answered: np.ndarray  # (R, M) bool: ... and was answered
    bandwidth: np.ndarray  # (R,) Russian bandwidth now
    defection: np.ndarray  # (R, M) fading signal of the others' recent suspensions and exits
    patron_threat: np.ndarray  # (R, M) threat Russia itself poses in the member's eyes
    coercion_share: np.ndarray  # (R, M) 0-1 share of Russia's budget spent on coercion
    inducement: np.ndarray  # (R, M) Russia's targeted inducement this quarter
    grievance_growth: np.ndarray  # (R, M) change of grievance last quarter (backlash signal)
    az_threat: np.ndarray  # (R,) Azerbaijan's threat toward Armenia (1 = members.toml's level)
    az_base: np.ndarray  # (R,) the standing level az_threat returns to
    az_russia_ties: np.ndarray  # (R,) Azerbaijan's ties to Russia, 0-1
    az_turkey_ties: np.ndarray  # (R,) Azerbaijan's ties to Turkey, 0-1
    blocked: np.ndarray  # (R, M) bool: the member has blocked an application (consensus)
    refused: np.ndarray  # (R, M) bool: the candidate's own application has been refused
    inclination: np.ndarray  # (R, M) a candidate's last weighing of membership (0 before)

    @classmethod
    def initial(cls, P: Params) -> State:
        """The state at the start of a run, from the profiles' ``initial_*`` figures."""
        R, M = P.n_runs, len(mb.CODES)
        status = P.m["initial_status"].astype(np.int8)
        member = status > mb.CANDIDATE
        cred0 = P.m["initial_credibility"]
        strength = P.credibility_prior_strength
        z = np.zeros((R, M))
        zi = np.zeros((R, M), dtype=np.int16)
        return cls(
            commitment=np.where(member | ~P.patron, P.m["initial_commitment"], 0.0),
            cred_a=cred0 * strength,
            cred_b=(1.0 - cred0) * strength,
            grievance=P.m["initial_grievance"].copy(),
            status=status,
            down_count=zi.copy(),
            up_count=zi.copy(),
            exit_count=zi.copy(),
            exit_step=np.full((R, M), -1, dtype=np.int32),
            western_ties=z.copy(),
            chinese_ties=z.copy(),
            western_security=z.copy(),
            chinese_security=z.copy(),
            threat_shock=z.copy(),
            remittance_loss=z.copy(),
            campaign=z.copy(),
            campaign_left=zi.copy(),
            pressure=z.copy(),
            appealed=np.zeros((R, M), dtype=bool),
            answered=np.zeros((R, M), dtype=bool),
            bandwidth=P.russian_bandwidth[:, 0].copy(),
            defection=z.copy(),
            patron_threat=P.patron_threat_initial * P.patron_exposure,
            coercion_share=np.broadcast_to(P.coercion_share_initial, (R, M)).copy(),
            inducement=z.copy(),
            grievance_growth=z.copy(),
            az_threat=np.ones(R),
            az_base=np.ones(R),
            az_russia_ties=P.az_russia_ties_initial[:, 0].copy(),
            az_turkey_ties=P.az_turkey_ties_initial[:, 0].copy(),
            blocked=np.zeros((R, M), dtype=bool),
            refused=np.zeros((R, M), dtype=bool),
            inclination=z.copy(),
        )

    @classmethod
    def concat(cls, states: list[State]) -> State:
        """States of different runs side by side on the run axis."""
        return cls(
            **{f.name: np.concatenate([getattr(x, f.name) for x in states]) for f in fields(cls)}
        )

    def copy(self) -> State:
        return State(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    def select(self, runs: np.ndarray | slice) -> State:
        return State(**{f.name: getattr(self, f.name)[runs] for f in fields(self)})
