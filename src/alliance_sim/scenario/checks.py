"""Validation of scenario files: every key checked, one clear line per mistake.

``validate(data, path)`` turns a resolved scenario table into a :class:`Scenario` or raises
:class:`ScenarioError` naming the file, the key and what is allowed, e.g.::

    unknown parameter 'westrn_offer' in scenarios/x.toml [params]; did you mean 'western_offer'?

(Over 400 lines because it is the one validator of every key of the file format: top level,
params, members, events, sweep, calibrate and the posterior.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from alliance_sim.core import members as mb
from alliance_sim.core import quarters
from alliance_sim.core.events import EVENT_TYPES, MEMBER_CODES, Event, FieldSpec
from alliance_sim.core.params import BY_NAME, REGIONAL, value_problem
from alliance_sim.errors import (
    AllianceSimError,
    AnalysisError,
    ScenarioError,
    UserError,
    did_you_mean,
    member_word,
    typename,
)
from alliance_sim.limits import (
    MAX_POINTS,
    MAX_QUARTERS,
    MAX_REPLICATES,
    MAX_YEAR,
    MIN_YEAR,
    check_plan_size,
)
from alliance_sim.scenario import semantics
from alliance_sim.scenario.posterior import Posterior, read_posterior
from alliance_sim.scenario.posterior_file import (
    MADE_BY,
    record_problem,
    set_problem,
    size_problem,
)
from alliance_sim.scenario.region import axis_bounds as region_axis
from alliance_sim.scenario.region import check_region, with_region
from alliance_sim.scenario.spec import (
    DEFAULT_END,
    DEFAULT_START,
    CalibrateSpec,
    Scenario,
    SweepAxis,
    SweepSpec,
    count_points,
)
from alliance_sim.textsafe import shortened

_HINT = re.compile(r"; did you mean '[^']*'\?")


def is_number(v: Any) -> bool:
    """A TOML integer or float (not a boolean)."""
    return isinstance(v, int | float) and not isinstance(v, bool)


TOP_KEYS = (
    "name",
    "description",
    "sources",
    "extends",
    "start",
    "end",
    "focus",
    "params",
    "members",
    "events",
    "sweep",
    "calibrate",
    "calibration",
    "end_status",
    "explained",
    "region",
)
CALIBRATE_KEYS = ("method", "draws", "generations", "accept", "replicates", "seed", "parameters")
CALIBRATION_METHODS = ("smc", "rejection")
SAMPLERS = ("grid", "random", "lhs", "sobol", "saltelli", "morris")


#: words users write for an event type (``type = "sanctions"`` was offered "application")
_TYPE_WORDS = {
    **dict.fromkeys(("sanctions", "sanction", "coercion", "squeeze", "blockade", "embargo",
                     "ban", "gas", "pressure_campaign"), "pressure"),
    **dict.fromkeys(("aid", "investment", "loan", "arms", "deal", "package", "assistance",
                     "partnership"), "offer"),
    **dict.fromkeys(("attack", "article4", "article_4", "appeal_for_help"), "appeal"),
    **dict.fromkeys(("apply", "applies", "application_to_join", "candidacy"), "application"),
    **dict.fromkeys(("return", "returns", "rejoins", "readmission"), "rejoin"),
    **dict.fromkeys(("crackdown",), "pressure"),
    **dict.fromkeys(("join", "joins", "membership", "enlargement"), "accession"),
    **dict.fromkeys(("leave", "leaves", "withdrawal", "withdraw", "exits"), "exit"),
    **dict.fromkeys(("protest", "protests", "riot", "riots", "uprising", "revolution"), "unrest"),
    **dict.fromkeys(("border_clash", "skirmish"), "clash"),
}  # fmt: skip


def member_hint(text: object, allowed: tuple[str, ...] | None = None) -> str:
    """:func:`alliance_sim.core.members.code_hint`, and the member an abbreviation names.
    With ``allowed``, a member that is not among them is named as such instead of offered
    (``focus = ["ru"]`` was offered 'RUS', which focus then refused as the patron)."""
    hint = mb.code_hint(text)
    code = member_word(text)  # `focus = ["KYR"]`: KGZ; `member = "Kazakstan"`: KAZ
    if not hint and code is not None:
        hint = f"; did you mean {code!r} ({mb.load_profiles().names[mb.INDEX[code]]})?"
    meant = next((c for c in mb.CODES if hint.startswith(f"; did you mean {c!r}")), None)
    if allowed is None or meant is None or meant in allowed:
        return hint
    name = mb.load_profiles().names[mb.INDEX[meant]]
    why = ", the patron: not an ally" if meant == mb.PATRON else ""
    return f"; {text!r} would be {meant!r} ({name}{why}), which is not allowed here"


def _type_hint(etype: object) -> str:
    """A suggestion for an unknown event type: the type a word users write names, else the
    closest spelling."""
    word = str(etype).strip().lower().replace(" ", "_").replace("-", "_")
    if word in _TYPE_WORDS and _TYPE_WORDS[word] in EVENT_TYPES:
        return f"; did you mean {_TYPE_WORDS[word]!r}?"
    return did_you_mean(etype, EVENT_TYPES)


def saltelli_samples(n: int, sampler: str = "saltelli") -> str:
    """Why ``n`` (base) samples do not suit a Saltelli or Sobol' design ('' if they do):
    Sobol' points keep their balance, and the indices their convergence, only at powers of
    two (scipy warned on stderr and ran the sweep)."""
    if sampler not in ("saltelli", "sobol") or (n >= 2 and n & (n - 1) == 0):
        return ""
    low = 1 << max(n.bit_length() - 1, 1)
    return (
        f"a {sampler} design needs a power of two, 2 or more (Sobol' points lose their "
        f"balance otherwise): {low} or {low * 2}"
    )


def check_samples(samples: int, sampler: str, path: str) -> None:
    """Refuse ``--samples`` a sweep would ignore (a grid: 25 points ran where the manifest
    said 3) or that its design cannot take (not a power of two for saltelli or sobol)."""
    from alliance_sim.limits import MAX_POINTS, check_count

    check_count("samples", samples, 1, MAX_POINTS)
    if sampler == "grid":
        raise UserError(
            f"--samples {samples}: {path} sweeps a grid, whose points come from its lists "
            "and levels; --samples applies to random, lhs, sobol, saltelli and morris designs"
        )
    if why := saltelli_samples(samples, sampler):
        raise UserError(f"--samples {samples}: {why}")


def whole_axis_problem(name: str, lo: float, hi: float, sampler: str, levels: int) -> str:
    """Why a {low, high} range of a whole-number quantity would run values it cannot take
    ('' if it would not): a grid's levels between whole numbers (3.33 quarters of
    ``exit_patience`` failed those runs one by one), or an event's whole-number field sampled
    at random (``duration`` 2.297 was recorded while the model ran 2)."""
    if sampler == "grid":
        vals = np.linspace(lo, hi, levels)
        if np.all(vals == np.round(vals)):
            return ""
        shown = ", ".join(f"{v:g}" for v in vals[:4]) + (", ..." if levels > 4 else "")
        return (
            f"{name} is a whole number, and {levels} grid levels from {lo:g} to {hi:g} give "
            f"{shown}; give a list of whole numbers, or levels that fall on them"
        )
    if name.startswith("events."):  # a global's draws are rounded (plan._from_unit)
        return (
            f"{name} is a whole number, which a {sampler} range would draw between whole "
            f"numbers; give its values as a list ([{int(np.ceil(lo))}, ..., {int(hi)}])"
        )
    return ""


def _num(x: float) -> str:
    """A limit as a reader writes it: 0.05, 1000, 9223372036854775807 (not 9.22337e+18)."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


SWEEP_KEYS = ("sampler", "samples", "replicates", "seed", "levels", "parameters")


class Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, msg: str) -> None:
        """Raise one line: what is wrong, where (file and key), then any suggestion."""
        hint = _HINT.search(msg)
        if hint:
            msg = msg[: hint.start()] + msg[hint.end() :]
        tail = hint.group(0) if hint else ""
        raise ScenarioError(f"{msg} in {self.path} [{key}]{tail}")

    def number(
        self, key: str, name: str, v: Any, low: float, high: float, integer: bool = False
    ) -> float:
        if integer and not (isinstance(v, int) and not isinstance(v, bool)):
            self.fail(key, f"{name} = {v!r} should be a whole number, got {typename(v)}")
        if not is_number(v):
            self.fail(key, f"{name} = {v!r} should be a number, got {typename(v)}")
        if not low <= v <= high:
            self.fail(key, f"{name} = {v!r} is out of range; allowed {_num(low)} to {_num(high)}")
        return v

    def quarter(self, key: str, name: str, v: Any) -> str:
        if not isinstance(v, str):
            self.fail(key, f'{name} should be a quarter such as "2024Q1", got {typename(v)}')
        try:
            q = quarters.parse(v)
        except ValueError:
            hint = quarters.suggest(v)
            if v.strip().isdigit() and len(v.strip()) == 4:  # a year: its last quarter for
                hint = f"{v.strip()}Q4" if name == "end" else None  # an end, else no guess
            self.fail(
                key,
                f'{name} = {v!r} is not a quarter; expected e.g. "2024Q1"'
                + (f"; did you mean {hint!r}?" if hint else ""),
            )
        if not MIN_YEAR <= q // 4 <= MAX_YEAR:
            self.fail(key, f"{name} = {v!r}: allowed years {MIN_YEAR} to {MAX_YEAR}")
        return str(v)

    def member(self, key: str, name: str, v: Any, allowed: tuple[str, ...] = MEMBER_CODES) -> str:
        if v not in allowed and v in mb.CODES:  # a real code, not allowed here
            self.fail(
                key,
                f"{v!r} is not allowed for {name}"
                + (" (the patron: not an ally)" if v == mb.PATRON else "")
                + f"; allowed: {', '.join(allowed)}",
            )
        if v not in allowed:
            self.fail(
                key,
                f"unknown member code {v!r} for {name}"
                f"{member_hint(v, allowed) or did_you_mean(v, allowed)} "
                f"(allowed: {', '.join(allowed)})",
            )
        return v


def check_params(ck: Checker, raw: Any) -> dict[str, float]:
    """The ``[params]`` table: every name in the registry, every value valid for it."""
    if not isinstance(raw, dict):
        ck.fail("params", f"params should be a table, got {typename(raw)}")
    out = {}
    for name, v in raw.items():
        problem = value_problem(name, v)
        if problem is not None:
            ck.fail("params", problem)
        out[name] = v
    return out


def _check_members(ck: Checker, raw: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(raw, dict):
        ck.fail("members", f"members should be a table, got {typename(raw)}")
    out: dict[str, dict[str, Any]] = {}
    for code, fields in raw.items():
        key = f"members.{code}"
        hint = member_hint(code)
        if code == mb.PATRON or hint.startswith(f"; did you mean {mb.PATRON!r}"):
            ck.fail(
                "members",
                f"{code!r} names Russia, the patron, which has no member table: its figures "
                f"are not an ally's (allowed: {', '.join(MEMBER_CODES)})",
            )
        if code not in mb.ALLIES:
            ck.fail(
                "members",
                f"unknown member code {code!r}"
                f"{member_hint(code) or did_you_mean(code, MEMBER_CODES)} "
                f"(allowed: {', '.join(MEMBER_CODES)})",
            )
        if not isinstance(fields, dict):
            ck.fail(key, f"{key} should be a table of member figures, got {typename(fields)}")
        out[code] = {}
        for name, v in fields.items():
            if name in REGIONAL:  # a global set for this member alone (scenario/region.py)
                p = BY_NAME[name]
                out[code][name] = ck.number(key, name, v, p.low, p.high)
                continue
            spec = mb.MEMBER_FIELDS.get(name)
            if spec is None:  # a member's own figures, and the globals it may set alone
                allowed = [*mb.MEMBER_FIELDS, *REGIONAL]
                ck.fail(
                    key,
                    f"unknown member field {name!r}{did_you_mean(name, allowed)}; "
                    f"allowed: {', '.join(allowed)}",
                )
            if not spec.numeric:
                if v not in mb.STATUS_CODES:
                    ck.fail(
                        key,
                        f"{name} = {v!r} is not a status; allowed: " + ", ".join(mb.STATUS_NAMES),
                    )
                out[code][name] = v
            else:
                out[code][name] = ck.number(key, name, v, spec.low, spec.high)
    return out


def _check_field(ck: Checker, key: str, name: str, spec: FieldSpec, v: Any) -> Any:
    if spec.kind == "member":
        return ck.member(key, name, v, spec.choices)
    if spec.kind == "members":
        if not (isinstance(v, list) and len(v) == 2 and v[0] != v[1]):
            ck.fail(key, f'{name} should list two different members, e.g. ["KGZ", "TJK"]')
        return tuple(ck.member(key, name, c, spec.choices) for c in v)
    if spec.kind == "answer":
        if v not in (True, False, "model"):
            ck.fail(key, f'{name} = {v!r}; allowed: true, false or "model"')
        return v
    if spec.kind == "choice":
        if v not in spec.choices:
            ck.fail(
                key,
                f"{name} = {v!r}{did_you_mean(v, spec.choices)}; allowed: "
                + ", ".join(spec.choices),
            )
        return v
    return ck.number(key, name, v, spec.low, spec.high, spec.kind == "integer")


def _check_event(
    ck: Checker, n: int, raw: Any, start: str, end: str, profiles_status: dict[str, int]
) -> tuple[str, Event]:
    named = raw.get("id") if isinstance(raw, dict) else None
    key = semantics.event_key(n, None, named)
    if not isinstance(raw, dict):
        ck.fail(key, f"each event should be a table, got {typename(raw)}")
    etype = raw.get("type")
    if etype is None:
        ck.fail(key, "event has no type; allowed: " + ", ".join(EVENT_TYPES))
    if etype not in EVENT_TYPES:
        ck.fail(
            key,
            f"unknown event type {etype!r}{_type_hint(etype)}; allowed: " + ", ".join(EVENT_TYPES),
        )
    cls = EVENT_TYPES[etype]
    key = semantics.event_key(n, etype, named)
    if "at" not in raw:  # `quarter = "2026Q2"` was told only that 'at' is missing
        said = next((k for k in ("quarter", "when", "date", "start", "time") if k in raw), None)
        ck.fail(
            key,
            "event has no 'at' quarter"
            + (f' (it has {said!r}: the quarter is given as at = "2026Q2")' if said else ""),
        )
    at = ck.quarter(key, "at", raw["at"])
    if quarters.parse(at) <= quarters.parse(start):
        ck.fail(
            key, f"at = {at!r} is not after start {start!r}; events happen after the initial state"
        )
    if quarters.parse(at) > quarters.parse(end):
        ck.fail(key, f"at = {at!r} is after end {end!r}")
    kwargs: dict[str, Any] = {"at": at}
    for name, v in raw.items():
        if name in ("type", "at", "id", "note"):
            continue
        spec = cls.FIELDS.get(name)
        if spec is None:
            ck.fail(
                key,
                f"unknown field {name!r} for {_a(etype)} event{did_you_mean(name, cls.FIELDS)}; "
                f"allowed: {', '.join(cls.FIELDS) or 'none'}",
            )
        kwargs[name] = _check_field(ck, key, name, spec, v)
    for name, spec in cls.FIELDS.items():
        if spec.required and name not in kwargs:
            ck.fail(key, f"{_a(etype)} event needs {name!r} ({spec.meaning})")
    if etype == "bandwidth" and ("value" in kwargs) == ("change" in kwargs):
        ck.fail(key, "a bandwidth event needs exactly one of 'value' or 'change'")
    if etype == "accession" and profiles_status.get(kwargs["member"]) != mb.CANDIDATE:
        ck.fail(key, f"{kwargs['member']} is already a member; only a candidate can accede")
    if etype == "clash":
        kwargs["members"] = tuple(kwargs["members"])
    return str(raw.get("id", f"{etype}{n}")), cls(**kwargs)


def _a(word: str) -> str:
    """``word`` with its indefinite article ("an offer", "a pressure")."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _axis_target(
    ck: Checker, name: str, events: dict[str, Event], key: str = "sweep.parameters"
) -> tuple[Any, bool]:
    """What a swept name refers to: (low, high, integer) bounds and whether it is a quarter."""
    parts = name.split(".")
    if len(parts) == 1:
        p = BY_NAME.get(name)
        if p is None:
            ck.fail(key, f"unknown parameter {name!r}{did_you_mean(name, BY_NAME)}")
        return (p.low, p.high, p.integer), False
    if parts[0] == "region" and len(parts) == 2:
        return region_axis(ck, key, name), False
    if parts[0] == "members" and len(parts) == 3:
        code, fname = parts[1], parts[2]
        ck.member(key, name, code)
        if fname in REGIONAL:  # a global a member's own table may set (core.params.REGIONAL)
            p = BY_NAME[fname]
            return (p.low, p.high, p.integer), False
        spec = mb.MEMBER_FIELDS.get(fname)
        if spec is not None and not spec.numeric:  # it read "unknown ... did you mean" itself
            ck.fail(key, f"{name!r} is a status, which a sweep cannot vary; set it in [members]")
        if spec is None:
            numeric = [f for f, s in mb.MEMBER_FIELDS.items() if s.numeric]
            ck.fail(
                key,
                f"unknown member field {fname!r} in {name!r}"
                + did_you_mean(fname, [*numeric, *REGIONAL])
                + f"; allowed: {', '.join([*numeric, *REGIONAL])}",
            )
        return (spec.low, spec.high, False), False
    if parts[0] == "events" and len(parts) == 3:
        eid, fname = parts[1], parts[2]
        if eid not in events:
            ck.fail(
                key,
                f"no event with id {eid!r} for {name!r}{did_you_mean(eid, events)} "
                '(give the event an id = "...")',
            )
        if fname == "at":
            return (None, None, True), True
        spec = type(events[eid]).FIELDS.get(fname)
        if spec is None or spec.kind not in ("number", "integer"):  # named what is allowed
            fields = ["at", *(f for f, s in type(events[eid]).FIELDS.items()
                              if s.kind in ("number", "integer"))]  # fmt: skip
            kind = events[eid].type
            ck.fail(
                key,
                f"{name!r}: {'an' if kind[:1] in 'aeiou' else 'a'} {kind} event has no numeric "
                f"field {fname!r}{did_you_mean(fname, fields)} (allowed: {', '.join(fields)})",
            )
        return (spec.low, spec.high, spec.kind == "integer"), False
    ck.fail(
        key, f"cannot sweep {name!r}; use a parameter name, members.CODE.field or events.ID.field"
    )
    raise AssertionError


def _check_sweep(
    ck: Checker, raw: Any, events: dict[str, Event], start: str, end: str
) -> SweepSpec:
    if not isinstance(raw, dict):
        ck.fail("sweep", f"sweep should be a table, got {typename(raw)}")
    for k in raw:
        if k not in SWEEP_KEYS:
            ck.fail(
                "sweep",
                f"unknown key {k!r}{did_you_mean(k, SWEEP_KEYS)}; allowed: "
                + ", ".join(SWEEP_KEYS),
            )
    sampler = raw.get("sampler", "grid")
    if sampler not in SAMPLERS:
        ck.fail(
            "sweep.sampler",
            f"unknown sampler {sampler!r}{did_you_mean(sampler, SAMPLERS)}; "
            f"allowed: {', '.join(SAMPLERS)}",
        )
    samples = ck.number(  # the same limit as --samples (it said 1e+07 here, 200,000 there)
        "sweep.samples", "samples", raw.get("samples", 64), 1, MAX_POINTS, True
    )
    if why := saltelli_samples(samples, sampler):
        ck.fail("sweep.samples", f"samples = {samples}: {why}")
    reps = ck.number(
        "sweep.replicates", "replicates", raw.get("replicates", 10), 1, MAX_REPLICATES, True
    )
    seed = ck.number("sweep.seed", "seed", raw.get("seed", 0), 0, 2**63 - 1, True)
    # Morris trajectories need an even number of levels (SALib warned that the design "may
    # be biased" and ran it): 4 unless the file says otherwise
    levels = ck.number(
        "sweep.levels", "levels", raw.get("levels", 4 if sampler == "morris" else 5), 2, 1000, True
    )
    if sampler == "morris" and levels % 2:
        ck.fail(
            "sweep.levels",
            f"levels = {levels}: a morris design needs an even number of levels "
            f"({levels - 1} or {levels + 1})",
        )
    params = raw.get("parameters")
    if not isinstance(params, dict) or not params:
        ck.fail(
            "sweep.parameters",
            "a sweep needs at least one parameter to vary (a sweep with no points)",
        )
    axes = []
    for name, spec in params.items():
        (low, high, integer), is_quarter = _axis_target(ck, name, events)
        key = f"sweep.parameters.{name}"
        if isinstance(spec, list):
            if not spec:
                ck.fail(key, f"{name} has an empty list of values (a sweep with no points)")
            if is_quarter:
                vals = tuple(ck.quarter(key, name, v) for v in spec)
                for v in vals:
                    if not quarters.parse(start) < quarters.parse(v) <= quarters.parse(end):
                        ck.fail(key, f"{name} = {v!r} lies outside {start} .. {end}")
            else:
                vals = tuple(ck.number(key, name, v, low, high, integer) for v in spec)
            axes.append(SweepAxis(name, values=vals, quarter=is_quarter))
        elif isinstance(spec, dict) and set(spec) == {"low", "high"}:
            if is_quarter:
                lo, hi = (quarters.parse(ck.quarter(key, name, spec[k])) for k in ("low", "high"))
                if not quarters.parse(start) < lo <= quarters.parse(end) or hi > quarters.parse(
                    end
                ):
                    ck.fail(key, f"{name} range lies outside {start} .. {end}")
            else:
                lo = ck.number(key, f"{name}.low", spec["low"], low, high)
                hi = ck.number(key, f"{name}.high", spec["high"], low, high)
            if not lo < hi:
                ck.fail(key, f"{name}: low must be below high (a sweep with no points)")
            if (
                integer
                and not is_quarter
                and (why := whole_axis_problem(name, lo, hi, sampler, levels))
            ):
                ck.fail(key, why)
            axes.append(SweepAxis(name, low=float(lo), high=float(hi), quarter=is_quarter))
        else:
            ck.fail(
                key, f"{name} should be a list of values or {{low = ..., high = ...}}, got {spec!r}"
            )
    return SweepSpec(sampler, samples, reps, seed, levels, tuple(axes))


def validate(data: dict[str, Any], path: Path) -> Scenario:
    """Check a resolved scenario table; raise :class:`ScenarioError` at the first mistake."""
    ck = Checker(path)
    for k in data:
        if k not in TOP_KEYS:
            ck.fail(
                k, f"unknown key {k!r}{did_you_mean(k, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}"
            )
    for k in ("name", "description"):
        if not isinstance(data.get(k), str) or not data[k].strip():
            ck.fail(k, f"{k} is required and should be a string")
    if "\n" in data["description"].strip():
        ck.fail("description", "description should be one line")
    sources = data.get("sources", [])
    if not (isinstance(sources, list) and all(isinstance(s, str) for s in sources)):
        ck.fail("sources", "sources should be a list of strings")
    start = ck.quarter("start", "start", data.get("start", DEFAULT_START))
    end = ck.quarter("end", "end", data.get("end", DEFAULT_END))
    if quarters.parse(end) <= quarters.parse(start):
        ck.fail("end", f"end = {end!r} should be after start = {start!r}")
    if quarters.steps_between(start, end) > MAX_QUARTERS:
        ck.fail(
            "end",
            f"end = {end!r} is {quarters.steps_between(start, end)} quarters after start = "
            f"{start!r}; allowed a horizon of at most {MAX_QUARTERS} quarters",
        )
    focus = data.get("focus", [])
    if not isinstance(focus, list):
        ck.fail("focus", "focus should be a list of member codes")
    focus = tuple(ck.member("focus", "focus", c) for c in focus)
    params = check_params(ck, data.get("params", {}))
    region = check_region(ck, data.get("region"))
    members = with_region(region, _check_members(ck, data.get("members", {})))
    status = {
        c: int(mb.STATUS_CODES[members.get(c, {}).get("initial_status")])
        if "initial_status" in members.get(c, {})
        else int(mb.load_profiles().values["initial_status"][mb.INDEX[c]])
        for c in mb.CODES
    }
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        ck.fail("events", "events should be an array of tables ([[events]])")
    events: list[tuple[str, Event]] = []
    for n, e in enumerate(raw_events):
        eid, ev = _check_event(ck, n, e, start, end, status)
        if any(eid == i for i, _ in events):
            ck.fail(f"events[{n}]", f"duplicate event id {shortened(repr(eid), 60)}")
        events.append((eid, ev))
    sweep = None
    if "sweep" in data:
        sweep = _check_sweep(ck, data["sweep"], dict(events), start, end)
        regional = [a.name for a in sweep.axes if a.name.startswith("region.")]
        if regional and region is None:
            ck.fail("sweep.parameters", f"{regional[0]} needs a [region] table naming members")
        try:
            check_plan_size(count_points(sweep), sweep.replicates)
        except UserError as e:
            ck.fail("sweep", str(e))
    semantics.check_thresholds(ck, params, sweep)
    semantics.check_trade(ck, members, sweep)
    semantics.check_event_order(ck, events, status, sweep)
    calibrate = _check_calibrate(ck, data["calibrate"]) if "calibrate" in data else None
    if calibrate is not None:
        semantics.check_prior_order(ck, params, calibrate.priors)
    posterior = None
    if "calibration" in data:
        posterior = _check_calibration(ck, data["calibration"], start, members, sweep)
        if calibrate is not None and posterior.end == start:
            ck.fail(
                "calibrate",
                f"cannot calibrate a scenario that continues a calibrated replay (calibration "
                f"= {data['calibration']!r}): its runs take their parameters and state from that "
                f"posterior; calibrate the replay instead: alliance-sim calibrate "
                f"{Path(posterior.path).stem}",
            )
        data = {
            **data,
            "calibration": {"file": Path(posterior.path).name, "sha256": posterior.sha256},
        }
    end_status = _check_end_status(ck, data.get("end_status", {}))
    explained = _check_explained(ck, data.get("explained", {}), dict(events))
    if region is None and any(k.startswith("region.") for k in explained):
        ck.fail("explained", "a region.NAME entry needs a [region] table naming members")
    return Scenario(
        name=data["name"],
        description=data["description"].strip(),
        path=str(path),
        start=start,
        end=end,
        sources=tuple(sources),
        focus=focus,
        params=params,
        members=members,
        events=tuple(events),
        sweep=sweep,
        calibrate=calibrate,
        posterior=posterior,
        end_status=end_status,
        explained=explained,
        region=region,
        data=data,
    )


def _check_calibrate(ck: Checker, raw: Any) -> CalibrateSpec:
    key = "calibrate"
    if not isinstance(raw, dict):
        ck.fail(key, f"calibrate should be a table, got {typename(raw)}")
    for k in raw:
        if k not in CALIBRATE_KEYS:
            ck.fail(
                key,
                f"unknown key {k!r}{did_you_mean(k, CALIBRATE_KEYS)}; allowed: "
                + ", ".join(CALIBRATE_KEYS),
            )
    method = raw.get("method", "smc")
    if method not in CALIBRATION_METHODS:
        ck.fail(
            f"{key}.method",
            f"method = {method!r}{did_you_mean(method, CALIBRATION_METHODS)}; allowed: "
            + ", ".join(CALIBRATION_METHODS),
        )
    draws = ck.number(f"{key}.draws", "draws", raw.get("draws", 500), 10, 10**6, True)
    gens = ck.number(f"{key}.generations", "generations", raw.get("generations", 6), 1, 50, True)
    accept = ck.number(f"{key}.accept", "accept", raw.get("accept", 0.02), 1e-5, 1.0)
    reps = ck.number(f"{key}.replicates", "replicates", raw.get("replicates", 1), 1, 1000, True)
    seed = ck.number(f"{key}.seed", "seed", raw.get("seed", 0), 0, 2**63 - 1, True)
    params = raw.get("parameters")
    if not isinstance(params, dict) or not params:
        ck.fail(
            f"{key}.parameters",
            "calibration needs at least one parameter with a {low, high} prior range",
        )
    priors = []
    for name, spec in params.items():
        if name.startswith(("events.", "region.")):
            what = "an event field" if name.startswith("events.") else "a regional value"
            ck.fail(f"{key}.parameters", f"cannot calibrate {what} ({name!r})")
        (low, high, integer), _ = _axis_target(ck, name, {}, key=f"{key}.parameters")
        k2 = f"{key}.parameters.{name}"
        if not (isinstance(spec, dict) and set(spec) == {"low", "high"}):
            ck.fail(k2, f"{name} needs a prior range {{low = ..., high = ...}}, got {spec!r}")
        lo = ck.number(k2, f"{name}.low", spec["low"], low, high, integer)
        hi = ck.number(k2, f"{name}.high", spec["high"], low, high, integer)
        if not lo < hi:
            ck.fail(k2, f"{name}: low must be below high")
        priors.append(SweepAxis(name, low=float(lo), high=float(hi)))
    return CalibrateSpec(draws, accept, reps, seed, tuple(priors), method, gens)


def _check_calibration(
    ck: Checker,
    path: Any,
    start: str,
    members: dict[str, dict[str, Any]],
    sweep: SweepSpec | None = None,
) -> Posterior:
    """The posterior a scenario draws from, and whether the scenario may: it must replay the
    calibrated period (start where the replay starts) or continue it (start where the replay
    ends, so that replicate k continues replay k's end state; members' initial state then
    comes from the replay, and only a candidate's ``initial_*`` apply, on joining)."""
    if not isinstance(path, str):
        ck.fail("calibration", f"calibration should be a file path, got {typename(path)}")
    if too_big := size_problem(path):
        ck.fail("calibration", too_big)
    try:
        post = read_posterior(path)
    except ScenarioError as e:
        ck.fail("calibration", str(e))
    except ValueError:  # the record in its metadata is not JSON
        ck.fail("calibration", f"{path}: its alliance_sim metadata is not JSON; {MADE_BY}")
    if bad := record_problem(post) or set_problem(post):
        ck.fail("calibration", bad)
    if start not in (post.start, post.end):
        ck.fail(
            "start",
            f"start = {start!r}: a scenario drawing on {Path(post.path).name} must replay it "
            f"(start = {post.start!r}) or continue it (start = {post.end!r}, the last "
            "quarter of the calibrated history)",
        )
    if start == post.end:
        replay = post.replay_path
        if replay is not None and not replay.is_file():  # found now, not after --out is made
            ck.fail(
                "calibration",
                f"{path}: the replay it was fitted to ({replay}) is missing; allowed a "
                "posterior written beside the scenarios it continues (it names its replay "
                "by a relative path)",
            )
        for code, fields in members.items():
            for name in fields:
                why = unused_initial(f"members.{code}.{name}")
                if why:
                    ck.fail(f"members.{code}", why)
        for axis in sweep.axes if sweep else ():
            why = unused_initial(axis.name)
            if why:
                ck.fail(f"sweep.parameters.{axis.name}", why)
    return post


def unused_initial(name: str) -> str | None:
    """Why a value of ``name`` (``members.CODE.initial_*``) would do nothing in a forecast that
    continues the calibrated history (a member starts from replay k's end state; only a
    candidate's ``initial_*`` apply, on joining), or None."""
    parts = name.split(".")
    if len(parts) != 3 or parts[0] != "members" or not parts[2].startswith("initial_"):
        return None
    code = parts[1]
    if code not in mb.INDEX:
        return None
    if mb.load_profiles().values["initial_status"][mb.INDEX[code]] == mb.CANDIDATE:
        return None
    return (
        f"{parts[2]}: this forecast continues the calibrated history, so {code}'s state at "
        "the start is replay k's end state; only a candidate's initial_* apply (on joining)"
    )


STATUS_OR_IN = (*mb.STATUS_NAMES, "in")  # "candidate": a state that stayed outside (Iran)


def _check_end_status(ck: Checker, raw: Any) -> dict[str, str]:
    """``end_status``: the members' status observed at the end of a replay (``"in"`` = active
    or hedging; ``"candidate"`` = still outside, as Iran, which never applied), which
    forecasts continuing it condition on."""
    if not isinstance(raw, dict):
        ck.fail("end_status", f"end_status should be a table, got {typename(raw)}")
    for code, v in raw.items():
        ck.member("end_status", "end_status", code)
        if v not in STATUS_OR_IN:
            ck.fail("end_status", f"{code} = {v!r}; allowed: {', '.join(STATUS_OR_IN)}")
    return dict(raw)


def _check_explained(ck: Checker, raw: Any, events: dict[str, Event]) -> dict[str, str]:
    """``explained``: why a headline responds to a parameter as it does where the response
    surface check flags it (a jump, a reversal: ``analysis/surfaces.py``), one sentence per
    parameter, named as a sweep names it."""
    if not isinstance(raw, dict):
        ck.fail("explained", f'explained should be a table of name = "why", got {typename(raw)}')
    for name, why in raw.items():
        _axis_target(ck, name, events, key="explained")
        if not isinstance(why, str) or not why.strip():
            ck.fail("explained", f"{name} = {why!r}; allowed: a sentence saying why")
    return {k: v.strip() for k, v in raw.items()}


def quarter_at(
    text: object,
    option: str,
    error: type[AllianceSimError] = AnalysisError,
    after: str | None = None,
    upto: str | None = None,
    ok: Callable[[str], bool] | None = None,
) -> str:
    """``text`` as a quarter label, or ``error`` with one line naming ``option``: a quarter
    to run to or read at.  A near miss is offered the quarter it most likely means -- a bare
    year its last quarter (``--end 2030``: 2030Q4), a loose spelling its label (``2030q4``)
    -- only where that quarter is allowed: later than ``after``, not later than ``upto``,
    within the years a scenario may use, and ``ok`` (a result that recorded only some
    quarters); otherwise the allowed range (``--at 2040`` was offered 2040Q4, which the next
    line refused; red-team)."""
    try:
        q = quarters.parse(str(text))
    except ValueError:
        pass
    else:  # (0203Q4 parsed as the year 203, which the next step refused without the option)
        if MIN_YEAR <= q // 4 <= MAX_YEAR:
            return quarters.label(q)
        raise error(f"{option} {str(text)!r}: allowed years {MIN_YEAR} to {MAX_YEAR}")
    word = str(text).strip()
    meant = f"{word}Q4" if word.isascii() and word.isdigit() and len(word) == 4 else None
    meant = meant or quarters.suggest(text)
    try:
        q = quarters.parse(meant) if meant else None
    except ValueError:
        q = None
    lo = quarters.parse(after) if after else None
    hi = quarters.parse(upto) if upto else None
    fits = (
        q is not None
        and MIN_YEAR <= q // 4 <= MAX_YEAR
        and (lo is None or q > lo)
        and (hi is None or q <= hi)
        and (ok is None or ok(quarters.label(q)))
    )
    said = f"{option} {str(text)!r} is not a quarter; expected e.g. 2028Q4"
    if fits:
        year = ", the year's last quarter" if meant == f"{word}Q4" else ""
        raise error(f"{said} (did you mean {meant}{year}?)")
    if lo is not None and hi is not None and hi <= lo:
        raise error(f"{said} (no quarter lies after {after} and up to {upto})")
    span = " ".join(x for x in (after and f"after {after}", upto and f"up to {upto}") if x)
    raise error(f"{said}" + (f" (allowed a quarter {span})" if span and meant else ""))
