"""Loading scenarios: ``load_scenario`` (read, resolve ``extends``, validate), the default
scenario, and parameter overrides given to the API.

``load_scenario(path)`` returns a validated :class:`Scenario` or raises
:class:`ScenarioError`, whose message names the file, the key and what is allowed, e.g.::

    unknown parameter 'westrn_offer' in scenarios/x.toml [params]; did you mean 'western_offer'?
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from alliance_sim.core import quarters
from alliance_sim.errors import warn_user
from alliance_sim.scenario.checks import Checker, check_params, validate
from alliance_sim.scenario.files import deferred_notes, find_scenario, resolve
from alliance_sim.scenario.spec import DEFAULT_QUARTERS, DEFAULT_START, Scenario


def load_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """Load a scenario by path or shipped name, resolving ``extends`` and validating it."""
    with deferred_notes():  # a file that fails to load: one line, its error, naming it
        path = find_scenario(name_or_path)
        return validate(resolve(path), path)


def default_scenario(quarters_: int = DEFAULT_QUARTERS) -> Scenario:
    """The world as of 2024Q1 with default parameters and no scheduled events."""
    end = quarters.shift(DEFAULT_START, quarters_)
    data = {
        "name": "default",
        "description": "default parameters, no scheduled events",
        "start": DEFAULT_START,
        "end": end,
    }
    return Scenario(
        name="default",
        description=data["description"],
        path="<default>",
        start=DEFAULT_START,
        end=end,
        data=data,
    )


def with_params(sc: Scenario, params: dict[str, Any], where: str = "keyword arguments") -> Scenario:
    """A copy of ``sc`` with global parameters (validated against the registry) overridden,
    its description (``data``), and so its hash, the manifest and reports, saying so, and its
    name too ("Western surge (western_offer 0.16)": two variants had read alike in a report's
    headline, told apart by their folders only); a variant made with ``dataclasses.replace``
    or in place is refused by the functions that run it (:func:`consistent`).  ``where``
    names their origin in error messages.  Global parameters only: a member's figure
    (``members.ARM.pressure_tolerance``) goes in a scenario file's ``[members.ARM]`` table,
    or in ``simulate``/``evaluate``, which take such names."""
    if not isinstance(sc, Scenario):  # a name gave a bare AttributeError (red team)
        from alliance_sim.errors import ScenarioError

        raise ScenarioError(
            f"with_params: expected a scenario (load_scenario(...)), got {type(sc).__name__}"
        )
    for k in params if isinstance(params, dict) else ():
        if isinstance(k, str) and k.startswith(("members.", "events.", "region.")):
            from alliance_sim.errors import ScenarioError

            raise ScenarioError(
                f"with_params: {k!r:.80} is not a global parameter; with_params sets those only "
                "(a member's figure or an event's field goes in a scenario file, or in "
                "simulate()/evaluate(), which take such names)"
            )
    merged = {**sc.params, **check_params(Checker(Path(where)), params)}
    if merged == sc.params:  # nothing changes: the same scenario, the same hash (red team)
        return sc
    base = _as_filed(sc)  # named by what differs from its file, however it was reached
    diff = {k: v for k, v in merged.items() if base.params.get(k, object()) != v}
    said = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in diff.items())
    said = said if len(said) <= 60 else f"{len(diff)} parameters set"
    name = f"{base.name} ({said})" if said else base.name
    data = {**sc.data, "params": merged, "name": name}
    return replace(sc, name=name, params=merged, data=data)


def _as_filed(sc: Scenario) -> Scenario:
    """The scenario its file gives (``sc`` itself where it has none, or it cannot be read)."""
    try:
        own = load_scenario(sc.path) if sc.path else None
    except (OSError, ValueError):
        own = None
    return own if own is not None and own.data.get("end") == sc.data.get("end") else sc


def events_after(sc: Scenario, end: str) -> list[str]:
    """``"id (at)"`` of each of ``sc``'s events dated after ``end``."""
    return [f"{i} ({e.at})" for i, e in sc.events if quarters.parse(e.at) > quarters.parse(end)]


class FewSetsNote(UserWarning):
    """The Python API's :func:`posterior_notes`: a run or sweep drawing from a posterior of few
    distinct sets (the command line prints the same note on stderr in its own words)."""


def posterior_notes(sc: Scenario) -> list[str]:
    """A line when the posterior ``sc`` draws from holds few distinct parameter sets (a small
    fit that collapsed): its runs repeat them, and a handful of sets does not carry the spread
    a converged posterior's sets would (a new user's 10 distinct sets of 400 ran without a
    word: helper-111).  The intervals count each set once (``posterior_set``), so they show
    how few the sets are, but not what the collapse left out."""
    from alliance_sim.limits import MIN_DISTINCT_SETS  # (calibrate's own warning's)

    if sc.posterior is None:
        return []
    distinct = len(set(sc.posterior.set_ids))
    if distinct >= MIN_DISTINCT_SETS:
        return []
    return [
        f"{Path(sc.posterior.path).name}: only {distinct} distinct parameter set(s) among its "
        f"{len(sc.posterior.sets)}; the runs repeat them, so their answers leave out the "
        "spread of a converged fit (fit again with more --draws and --generations)"
    ]


def warn_few_sets(sc: Scenario) -> None:
    """:func:`posterior_notes` as the Python API says them: a :class:`FewSetsNote` each."""
    for note in posterior_notes(sc):
        warn_user(note, FewSetsNote)


def end_notes(sc: Scenario, ended: Scenario, where: str = "--end") -> list[str]:
    """What running ``sc`` to ``ended.end`` changes, one line each: the events it leaves out,
    and the quarters past the scenario's own end that nothing it schedules reaches (said by
    the command line and, as a warning, by the Python API: a notebook's ``end=`` had dropped
    a scenario's every event without a word)."""
    notes = []
    if dropped := events_after(sc, ended.end):
        notes.append(f"{where} {ended.end}: events after it are left out: {', '.join(dropped)}")
    past = quarters.steps_between(sc.end, ended.end) if sc.end else 0
    if past > 0:  # allowed, but beyond what the scenario was written for
        notes.append(
            f"{where} {ended.end}: {past} quarters past the scenario's own end ({sc.end}); "
            "nothing it schedules reaches them"
        )
    return notes


def with_end(
    sc: Scenario | str | os.PathLike,
    end: str,
    where: str = "end",
    sweep: bool = True,
    warn: int = 2,
) -> Scenario:
    """``sc`` (a scenario, or a shipped name or file to load) run to ``end`` (a quarter label,
    later than its start) instead of its own end.

    Events dated after ``end`` are left out, with a ``UserWarning`` for each (``warn`` > 0:
    attributed to the user's line, the first outside the package; 0: none, for the command
    line, which prints them).  ``sweep=True`` (the default, for a sweep): a ``[sweep]``
    that varies an event left out, or an event's quarter past ``end``, is refused with one
    line (:class:`~alliance_sim.errors.ScenarioError`); ``sweep=False`` (for a single run,
    which uses the scenario's own values) leaves such a ``[sweep]`` axis out instead.  The
    scenario is validated again with the new end, so the manifest's scenario and hash say
    what was run (a run and a sweep of one file to one end share the hash)."""
    if isinstance(sc, str | os.PathLike):  # a name or a file, as run_scenario takes
        sc = load_scenario(sc)
    if not isinstance(sc, Scenario):  # a Result raised a bare AttributeError (a red-team)
        from alliance_sim.errors import UserError

        raise UserError(
            f"with_end: expected a scenario (load_scenario(...)), got {type(sc).__name__}; a "
            "result is read at an earlier quarter with outcomes_at(result, quarter)"
        )
    # a replace()'d scenario: re-validated from its description, its change was dropped
    ended = _with_end(consistent(sc, ("vintage",)), end, where, sweep)  # (red team)
    for note in end_notes(sc, ended, where="end =") if warn else []:
        warn_user(note)
    return ended


#: what a run reads of a scenario (``vintage``, which its description does not hold, is set
#: by the backtest alone: a scenario given from outside must have none)
_RUN_FIELDS = tuple(f for f in Scenario.__dataclass_fields__ if f not in ("data", "vintage"))
_SEEN: dict[int, tuple[Any, ...]] = {}  # id -> what a scenario found consistent looked like


def consistent(sc: Scenario, allow: tuple[str, ...] = ()) -> Scenario:
    """``sc`` if what its runs read agrees with what it describes -- ``sc.data``, which its
    hash, the manifest and every report record -- else one line
    (:class:`~alliance_sim.errors.ScenarioError`).  A notebook's
    ``dataclasses.replace(sc, params=...)``, or ``sc.params[...] = v``, ran the new values
    under the old scenario's name, hash and parameters, and a second run of such a change was
    taken for the first one's result (helper-95).  ``with_params``, ``with_end`` and files
    that extend a scenario change both.  ``allow``: fields that may differ (``calibrate``
    takes a backtest's ``vintage`` and its options' ``calibrate`` settings, which the
    posterior records apart)."""
    from alliance_sim.errors import AllianceSimError, ScenarioError

    look = (sc.hash, repr([getattr(sc, f) for f in _RUN_FIELDS if f != "posterior"]))
    look += (id(sc.posterior), getattr(sc.posterior, "sha256", None), sc.vintage, allow)
    if _SEEN.get(id(sc)) == look:  # (3 ms a call saved: simulate() in a loop; red team)
        return sc
    try:
        fresh = revalidated(sc, sc.data)
        changed = [f for f in _RUN_FIELDS if f not in allow and getattr(fresh, f) != getattr(sc, f)]
    except (AllianceSimError, TypeError, ValueError, KeyError):
        changed = ["data"]
    if changed == ["posterior"]:  # its file was rewritten since the scenario was loaded
        raise ScenarioError(
            f"scenario {sc.name!r:.60}: its posterior file {sc.posterior.path} changed after "
            "the scenario was loaded; allowed: load_scenario() again"
        )
    if sc.vintage is not None and "vintage" not in allow:  # the hash does not hold it
        changed.append("vintage")  # (red team)
    if changed:
        were = "differs" if len(changed) == 1 else "differ"
        raise ScenarioError(
            f"scenario {sc.name!r:.60}: its {', '.join(changed)} {were} from what it describes "
            "(scenario.data, which its hash, the manifest and reports record): changed with "
            "dataclasses.replace or in place; allowed: a variant made from the loaded scenario "
            "with with_params(scenario, {...}) or with_end(scenario, QUARTER), or a scenario "
            "file with extends = ... and your values"
        )
    if len(_SEEN) > 256:
        _SEEN.clear()
    _SEEN[id(sc)] = look
    return sc


def revalidated(sc: Scenario, data: dict) -> Scenario:
    """``data`` -- ``sc``'s resolved table, changed -- validated again as ``sc``'s file, so
    that its hash says what is run (the posterior, resolved to its records, is named again by
    its file: validate() reads it)."""
    data = dict(data)
    if isinstance(sc.data.get("calibration"), dict):
        data["calibration"] = sc.posterior.path if sc.posterior is not None else None
    return validate(data, Path(sc.path))


def _with_end(sc: Scenario, end: str, where: str, sweep: bool) -> Scenario:
    """``sc`` run to ``end`` instead of its own end quarter (``run``/``sweep --end``): the
    scenario validated again with the new end, so the manifest's scenario and hash say what was
    run.  Events dated after ``end`` are left out (they cannot happen before it, see
    :func:`events_after`); a sweep that varies one of them, or an event's quarter past ``end``,
    is refused with one line naming ``where``.  ``sweep=False`` (a ``run``, which uses the
    scenario's own values): a ``[sweep]`` over quarters past ``end`` is left out instead of
    refused (otherwise kept, so a run and a sweep of one file to one end share the scenario's
    hash)."""
    from alliance_sim.errors import ScenarioError
    from alliance_sim.scenario.checks import quarter_at

    label = quarter_at(end, where, ScenarioError, after=sc.start)  # `--end 2030`: 2030Q4
    if quarters.parse(label) <= quarters.parse(sc.start):
        raise ScenarioError(f"{where} {label}: {sc.path} starts at {sc.start}; allowed a later end")
    if label == sc.end:  # the file's own end: the same scenario, and the same hash (validated
        return sc  # again, a file without `end` or one that extends another hashed apart)
    kept = [
        e
        for e in sc.data.get("events", [])
        if not (isinstance(e, dict) and quarters.parse(str(e.get("at"))) > quarters.parse(label))
    ]
    gone = {str(e.get("id")) for e in sc.data.get("events", []) if e not in kept}
    axes = (sc.data.get("sweep") or {}).get("parameters") or {}
    moved = [n for n in axes if n.split(".")[0] == "events" and n.split(".")[1] in gone]
    if moved and sweep:  # it read "no event with id ... (give the event an id)"
        raise ScenarioError(
            f"{where} {label} leaves out event {moved[0].split('.')[1]!r}, dated after it, "
            f"which [sweep] varies ({moved[0]}); allowed a later {where}"
        )
    data = {**sc.data, "end": label, "events": kept}
    if not kept:
        data.pop("events")
    if label != sc.end:
        data.pop("end_status", None)  # the record at the file's own end, not at this one
    try:
        return revalidated(sc, data)
    except ScenarioError as e:
        if sweep or "sweep" not in data:
            raise ScenarioError(f"{where} {label}: {e}") from None
    # a run to an end its [sweep] cannot reach: the run does not use the sweep (the scenario
    # and its hash then differ from the sweep's, which a sweep to this end could not have)
    data.pop("sweep")
    try:
        return revalidated(sc, data)
    except ScenarioError as e:
        raise ScenarioError(f"{where} {label}: {e}") from None


def changed_in_python(path: str, scenario_hash: str, end: str | None) -> bool:
    """Whether a result of scenario hash ``scenario_hash`` (run to ``end``) is its file at
    ``path`` changed in Python (``with_params``, say), which no command line reruns: its
    report had suggested the unchanged file's analysis (helper-119's list)."""
    from alliance_sim.errors import AllianceSimError

    try:
        own = load_scenario(path)
        cut = end and end != own.end  # a run's or a sweep's --end
        ends = [with_end(own, end, sweep=s, warn=0).hash for s in (False, True)] if cut else []
        return scenario_hash not in (own.hash, *ends)
    except (AllianceSimError, OSError, ValueError):
        return False  # unreadable: said elsewhere (its file no longer as run)
