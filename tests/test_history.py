"""One chain from history to forecast: replicate k of a forecast starts from the state replay k
(posterior set k, its kept seed) reached at the end of the calibrated history."""

from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import AllianceModel, load_scenario, run_scenario
from alliance_sim.core import members as mb
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.history import end_states, matches
from alliance_sim.scenario.plan import spec_for
from conftest import MINIMAL


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def test_forecasts_start_where_the_calibrated_replay_ends(baseline):
    post = baseline.posterior
    assert baseline.continues and baseline.start == post.end == "2024Q4"
    assert load_scenario("history_2020_2024_calibrated").replays


def test_replicate_k_starts_from_replay_k_end_state(baseline, tmp_path):
    """Same numbers, not just the same distribution: replay k re-run on its own, with set k
    and the seed kept for it, ends where replicate k of the forecast starts."""
    post = baseline.posterior
    replay = replace(load_scenario(post.replay_path), posterior=post)
    hist = end_states(post)
    res = run_scenario("baseline", tmp_path / "b", replicates=6, record="end")
    ts = res.timeseries[res.timeseries["step"] == 0]
    for k in range(6):
        traj, _ = run_batch([spec_for(replay, posterior=k)], [hist.seeds[k]])
        mine = ts[ts["run"] == k].set_index("member")
        for code in ("BLR", "KAZ", "KGZ", "TJK", "ARM"):  # the members (IRN, UZB are not)
            i = mb.INDEX[code]
            assert mine.loc[code, "commitment"] == traj["commitment"][-1, 0, i]
            assert mine.loc[code, "credibility"] == traj["credibility"][-1, 0, i]
            assert mine.loc[code, "grievance"] == traj["grievance"][-1, 0, i]
            assert mine.loc[code, "status"] == mb.STATUS_NAMES[traj["status"][-1, 0, i]]
    # the Mesa model starts from the same state
    m = AllianceModel.from_spec(spec_for(baseline, posterior=3), seed=1)
    assert np.array_equal(m.state.commitment, hist.of(3).commitment)


def test_kept_replays_end_as_the_record_shows(baseline):
    hist = end_states(baseline.posterior)
    wanted = dict(load_scenario(baseline.posterior.replay_path).end_status)
    assert wanted["ARM"] == "suspended" and wanted.pop("UZB") == "exited"
    assert matches(hist.state, wanted).mean() > 0.9
    assert hist.unmatched < 0.1 * len(baseline.posterior)


def test_the_forecasts_continue_the_long_replay(baseline):
    """The forecasts continue 2006-2024, the history with an exit in it (issue 25)."""
    assert baseline.posterior.replay_path.name == "history_2006_2024.toml"
    assert baseline.posterior.start == "2006Q3"


def test_a_member_that_left_in_the_replay_is_outside_in_the_forecast(baseline, tmp_path):
    """Uzbekistan's 2012 exit is history: the forecast starts with it outside the alliance
    (the model's 'candidate'), never counts it as leaving, and a replay in which it did not
    leave keeps its status (only exits are mapped)."""
    hist = end_states(baseline.posterior)
    uzb = mb.INDEX["UZB"]
    assert (hist.state.status[:, uzb] == mb.CANDIDATE).mean() > 0.95
    assert (hist.state.status[:, uzb] != mb.EXITED).all()
    assert (hist.state.exit_step[:, uzb] == -1).all()
    res = run_scenario("baseline", tmp_path / "b", replicates=20, record="end")
    assert res.runs["UZB_exit_step"].isna().all()
    assert res.runs["UZB_exited"].isna().all()  # not a member at any point of the forecast


def test_a_forecast_may_not_reset_a_members_initial_state(write):
    path = write(
        "f.toml",
        'name = "f"\ndescription = "d"\nextends = "BASE"\n[members.ARM]\n'
        "initial_commitment = 0.9\n".replace("BASE", str(load_scenario("baseline").path)),
    )
    with pytest.raises(ScenarioError, match=r"initial_commitment.*continues the calibrated"):
        load_scenario(path)


def test_a_calibrated_scenario_must_replay_or_continue(write):
    post = load_scenario("baseline").posterior.path
    path = write("g.toml", MINIMAL + f'calibration = "{post}"\n')
    with pytest.raises(ScenarioError, match=r"must replay it .*2006Q3.* or continue it .*2024Q4"):
        load_scenario(path)


def test_shared_per_set_values_are_never_changed_by_a_run(baseline):
    """Each posterior set's split values and each replay's end state are made once and shared
    by every run that draws them: a sweep point setting a member figure or a global changes
    its own run, not the next one, and the shared end state cannot be written to."""
    k = 2
    fitted = baseline.posterior.split_of(k, initial=False)
    code, field_ = next((c, f) for c, fs in fitted.members.items() for f in fs)
    before = spec_for(baseline, posterior=k)
    point = {f"members.{code}.{field_}": 0.123, "russian_pressure": 0.456}
    moved = spec_for(baseline, point, posterior=k)
    assert moved.members[code][field_] == 0.123 and moved.params["russian_pressure"] == 0.456
    again = spec_for(baseline, posterior=k)
    assert again.members == before.members and again.params == before.params
    assert baseline.posterior.split_of(k, initial=False) is fitted
    assert fitted.members[code][field_] == baseline.posterior.set_of(k)[f"members.{code}.{field_}"]
    row = end_states(baseline.posterior).of(k)
    assert row is end_states(baseline.posterior).of(k)
    with pytest.raises(ValueError, match="read-only"):
        row.commitment[0, 0] = 0.5


def test_a_worker_keeps_one_copy_of_a_posterior_across_chunks(baseline):
    """Every chunk sends its scenario to a worker: the posterior arrives without the sender's
    caches and as the worker's one copy of that file's content, whose caches stay warm; a
    posterior fitted in memory (no file hash, as the backtest's) is never shared."""
    import copy
    import pickle

    cold = len(pickle.dumps(baseline.posterior))
    spec_for(baseline, posterior=1)  # warms the sender's caches
    blob = pickle.dumps(baseline)
    assert len(pickle.dumps(baseline.posterior)) == cold
    first, second = pickle.loads(blob), pickle.loads(blob)
    assert first.posterior is second.posterior
    assert first.posterior == baseline.posterior
    assert spec_for(first, posterior=1) == spec_for(baseline, posterior=1)
    mem = replace(baseline.posterior, sha256="")
    assert pickle.loads(pickle.dumps(mem)) is not pickle.loads(pickle.dumps(mem))
    # the same file's path and hash with other values: its own values, never the kept copy's
    fewer = replace(baseline.posterior, sets=baseline.posterior.sets[:3])
    back = pickle.loads(pickle.dumps(fewer))
    assert back.sets == fewer.sets and len(back) == 3
    assert len(pickle.loads(blob).posterior) == len(baseline.posterior)
    # copies are copies, as for any dataclass
    deep = copy.deepcopy(baseline.posterior)
    assert deep == baseline.posterior and deep is not copy.deepcopy(baseline.posterior)
    assert deep.sets[0] is not baseline.posterior.sets[0]
    assert copy.copy(baseline.posterior) is not baseline.posterior
    # the sets cannot be edited in place (their split is cached): a changed set is a new one
    with pytest.raises(TypeError):
        baseline.posterior.sets[0]["commitment_bias"] = -2.9  # type: ignore[index]
    # a record holding NaN (a short fit's score) still revives to the kept copy
    nan = replace(baseline.posterior, meta={**baseline.posterior.meta, "brier": float("nan")})
    assert pickle.loads(pickle.dumps(nan)) is pickle.loads(pickle.dumps(nan))


def test_a_posterior_with_other_sets_continues_its_own_replays(baseline):
    """End states belong to a posterior's sets, not to its file: the first few sets alone
    (same file path and hash) replay to the same end states, and only those (as many as lead
    the file with a replay that reaches the recorded statuses, so the few are not refused)."""
    post = baseline.posterior
    full = end_states(post)
    wanted = {c: w for c, w in load_scenario(post.replay_path).end_status.items() if c != "UZB"}
    ok = matches(full.state, wanted)
    n = min(5, int(np.argmin(ok)) if not ok.all() else 5)
    assert n >= 2
    few = replace(post, sets=post.sets[:n])
    mine = end_states(few)
    assert mine.state.status.shape[0] == n and full.state.status.shape[0] == len(post)
    assert np.array_equal(mine.state.commitment, full.state.commitment[:n])
    assert mine.seeds == full.seeds[:n]
    assert end_states(few) is mine  # computed once per posterior


def test_no_forecast_starts_with_a_member_already_gone(baseline, tmp_path):
    """An exit during the replay is history: in every replicate, matched or not, nobody has
    exited at the forecast's start, and no exit step is 0.  The shipped ninth fit has no
    unmatched replay, so a posterior with Armenia gone in some is built to test it."""
    from conftest import armenia_gone_in_three_replays

    gone = load_scenario(armenia_gone_in_three_replays(tmp_path))
    for hist in (end_states(baseline.posterior), end_states(gone.posterior)):
        assert not (hist.state.status == mb.EXITED).any()
        assert (hist.state.exit_step == -1).all()
    hist = end_states(gone.posterior)
    assert hist.unmatched == 3  # the case: replays in which Armenia left before 2024Q4
    arm = hist.state.status[:3, mb.CODES.index("ARM")]
    assert (arm == mb.CANDIDATE).sum() >= 2, arm  # gone in the replay: outside, not exited


def test_a_state_outside_the_alliance_cannot_rejoin_but_may_accede(write):
    """Uzbekistan enters the forecasts outside the alliance: rejoin (for a member that left
    during the run) is refused with one line; its initial_* apply, as Iran's do, on joining."""
    base = 'name = "u"\ndescription = "d"\nextends = "baseline"\n'
    bad = write("r.toml", base + '[[events]]\nat = "2026Q1"\ntype = "rejoin"\nmember = "UZB"\n')
    with pytest.raises(ScenarioError, match=r"rejoin at 2026Q1 names UZB, which is outside"):
        load_scenario(bad)
    ok = write("i.toml", base + "[members.UZB]\ninitial_commitment = 0.6\n")
    assert load_scenario(ok).members["UZB"]["initial_commitment"] == 0.6
