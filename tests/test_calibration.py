"""Historical replay and calibration: the shipped posterior reproduces the five patterns, ABC
recovers parameters it generated data with, and forecasts draw from the posterior."""

from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import load_scenario, run_scenario
from alliance_sim.analysis import patterns as pt
from alliance_sim.analysis.smc import abc_smc, rejection, resample
from alliance_sim.cli.main import main
from alliance_sim.core import members as mb
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.plan import make_plan, spec_for
from conftest import MINIMAL, SCENARIOS


def replay_rates(name, runs=600, params=None):
    plan = make_plan(load_scenario(name), replicates=runs, seed=99, sweep=False)
    metas = list(plan.runs())
    specs = [spec_for(plan.scenario, m.values, m.posterior) for m in metas]
    specs = [replace(s, params={**s.params, **(params or {})}) for s in specs]
    traj, _ = run_batch(specs, [m.seed for m in metas])
    return pt.rates(pt.measure(plan.scenario, traj["commitment"], traj["status"]))


def test_the_shipped_posterior_reproduces_what_its_file_records():
    """Fresh runs of the calibrated replay reproduce each pattern and all five together at the
    rates the posterior file recorded when it was made (within sampling error)."""
    sc = load_scenario("history_2020_2024_calibrated")
    recorded = sc.posterior.meta["reproduction_after"]
    rates = replay_rates("history_2020_2024_calibrated")
    assert set(rates) == {*pt.KEYS, "all"} - {pt.MEMBERSHIP.key}  # no years before 2020
    for k, r in rates.items():
        se = np.sqrt(recorded[k] * (1 - recorded[k]) * (1 / 600 + 1 / 1000))
        assert abs(r - recorded[k]) <= 4 * se + 0.01, (k, r, recorded[k])
    before = replay_rates("history_2020_2024")
    assert rates["all"] > before["all"]  # calibration made the joint reproduction likelier


def test_the_posterior_the_forecasts_continue_reproduces_what_its_file_records():
    """The same for the 2006-2024 fit, whose end states every shipped forecast continues: the
    five patterns and the statuses of every year as recorded (Uzbekistan's exit among them)."""
    sc = load_scenario("history_2006_2024_calibrated")
    assert sc.posterior.path == load_scenario("baseline").posterior.path
    recorded = sc.posterior.meta["reproduction_after"]
    rates = replay_rates("history_2006_2024_calibrated")
    assert set(rates) == {*pt.KEYS, "all"}
    for k, r in rates.items():
        se = np.sqrt(recorded[k] * (1 - recorded[k]) * (1 / 600 + 1 / 1000))
        assert abs(r - recorded[k]) <= 4 * se + 0.01, (k, r, recorded[k])


def test_a_replay_without_events_does_not_reproduce_the_event_patterns():
    """The calibrated replay with its events taken out: the patterns that need the events
    (2, 3) hardly ever hold and all five never do; pattern 5 alone holds when nothing
    happens, so it carries no information by itself."""
    sc = load_scenario("history_2020_2024_calibrated")
    quiet = replace(sc, events=())
    traj, _ = run_batch([spec_for(quiet, posterior=k) for k in range(400)], list(range(400)))
    rates = pt.rates(pt.measure(sc, traj["commitment"], traj["status"]))
    assert rates["armenia_steps_down"] < 0.05 and rates["kazakhstan_rises_then_hedges"] < 0.05
    assert rates["all"] < 0.01 and rates["only_armenia_defects"] > 0.95


def test_patterns_fail_where_history_is_contradicted():
    sc = load_scenario("history_2020_2024")
    spec = spec_for(sc)
    loyal = {
        **spec.members,
        "ARM": {
            **spec.members["ARM"],
            "initial_grievance": 0.0,
            "western_openness": 0.0,
            "pressure_tolerance": 1.0,
        },
    }
    t, _ = run_batch(
        [
            replace(
                spec,
                params={**spec.params, "grievance_unanswered": 0.0, "own_appeal_weight": 0.5},
                members=loyal,
            )
        ]
        * 50,
        list(range(50)),
    )
    assert pt.rates(pt.measure(sc, t["commitment"], t["status"]))["armenia_steps_down"] < 0.2


def test_abc_smc_recovers_a_known_posterior_and_beats_rejection_on_the_same_budget():
    """A toy simulator with a known answer: theta in [0, 10]^2, data = theta + N(0, 0.2);
    the observed data come from theta = (3, 7)."""
    truth = np.array([3.0, 7.0])
    rng = np.random.default_rng(0)

    def score(theta):
        return np.linalg.norm(theta + rng.normal(0, 0.2, theta.shape) - truth, axis=1)

    low, high = np.zeros(2), np.full(2, 10.0)
    smc = abc_smc(score, low, high, n=300, generations=6, seed=1)
    pop = smc.population
    mean = np.average(pop.theta, axis=0, weights=pop.weights)
    np.testing.assert_allclose(mean, truth, atol=0.15)
    rej = rejection(score, low, high, draws=smc.simulations, keep=300, seed=1)
    err = lambda p: np.sqrt(np.average(((p.theta - truth) ** 2).sum(1), weights=p.weights))  # noqa: E731
    assert err(pop) < err(rej.population)  # same number of simulations, closer posterior


def test_the_kernel_survives_weights_that_collapse_onto_one_set():
    """With 30-odd parameters the importance weights can put almost all the mass on one set:
    the weighted covariance is then undefined (one set) or collapses; the kernel falls back to
    the unweighted covariance, and with equal weights it is twice the population's."""
    from alliance_sim.analysis.smc import Population, kernel_covariance

    rng = np.random.default_rng(0)
    theta = rng.random((200, 34))
    low, high = np.zeros(34), np.ones(34)
    equal = Population(theta, np.full(200, 1 / 200), np.zeros(200), 1.0, 200)
    assert np.allclose(kernel_covariance(equal, low, high), 2 * np.cov(theta, rowvar=False))
    w = np.full(200, 1e-300)
    w[7] = 1.0
    one = Population(theta, w / w.sum(), np.zeros(200), 1.0, 200)
    assert one.ess == pytest.approx(1.0)
    cov = kernel_covariance(one, low, high)
    assert np.isfinite(cov).all() and np.allclose(cov, 2 * np.cov(theta, rowvar=False))
    np.linalg.cholesky(cov)  # positive definite
    single = Population(theta[:1], np.ones(1), np.zeros(1), 1.0, 1)
    np.linalg.cholesky(kernel_covariance(single, low, high))


def test_abc_recovers_the_parameters_that_generated_the_data():
    """Model-generated data with known parameters: the posterior's 90% interval contains them
    and is narrower than the prior."""
    sc = load_scenario("history_2020_2024")
    truth = {"adjustment_rate": 0.3, "alternatives_weight": 2.2}
    seeds = list(range(60))
    obs, _ = run_batch([spec_for(sc, truth)] * len(seeds), seeds)
    allies = [mb.INDEX[c] for c in ("BLR", "KAZ", "KGZ", "TJK", "ARM")]
    target = obs["commitment"][:, :, allies].mean(1)  # (S, 5): mean path of each ally
    names = list(truth)

    def score(theta):
        specs = [spec_for(sc, dict(zip(names, map(float, t), strict=True))) for t in theta]
        traj, _ = run_batch([s for s in specs for _ in range(6)], list(range(6)) * len(specs))
        c = traj["commitment"][:, :, allies]
        mean = c.reshape(c.shape[0], len(theta), 6, len(allies)).mean(2)
        return np.sqrt(((mean - target[:, None, :]) ** 2).mean(axis=(0, 2)))

    low, high = np.array([0.05, 0.5]), np.array([0.6, 4.0])
    pop = abc_smc(score, low, high, n=200, generations=4, seed=2).population
    for j, name in enumerate(names):
        idx = resample(pop, 400, 0)
        lo, hi = np.quantile(pop.theta[idx, j], [0.05, 0.95])
        assert lo <= truth[name] <= hi, (name, lo, hi)
        assert hi - lo < 0.5 * (high[j] - low[j]), (name, lo, hi)


def test_forecasts_draw_from_the_posterior_but_not_its_initial_states(tmp_path):
    sc = load_scenario("armenia_exits")
    assert sc.posterior is not None and sc.posterior.start == "2006Q3" and sc.continues
    k = next(i for i, p in enumerate(sc.posterior.sets) if "members.KAZ.initial_commitment" in p)
    spec = spec_for(sc, posterior=k)
    post = sc.posterior.sets[k]
    assert spec.params["adjustment_rate"] == post["adjustment_rate"]
    assert spec.params["western_offer"] == 0.08  # the scenario's own value wins
    assert "initial_commitment" not in spec.members.get("KAZ", {})  # 2020 state not carried
    assert spec.members["KAZ"]["regime_need"] == post["members.KAZ.regime_need"]
    replay = load_scenario("history_2006_2024_calibrated")
    assert (
        spec_for(replay, posterior=k).members["KAZ"]["initial_commitment"]
        == post["members.KAZ.initial_commitment"]
    )
    res = run_scenario("armenia_exits", tmp_path / "a", replicates=5)
    assert list(res.runs["posterior"]) == [0, 1, 2, 3, 4]


def test_calibrate_cli_writes_a_posterior_that_scenarios_can_use(tmp_path, capsys):
    out = tmp_path / "cal.parquet"
    assert (
        main(
            [
                "calibrate",
                "history_2020_2024",
                "--out",
                str(out),
                "--draws",
                "40",
                "--generations",
                "2",
                "--replicates",
                "2",
                "--workers",
                "1",
                "--quiet",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "kazakhstan_rises_then_hedges" in text and out.is_file()
    assert (tmp_path / "cal_report" / "calibration.md").is_file()
    assert (tmp_path / "cal_report" / "posterior.png").stat().st_size > 10_000
    assert "all five in the same run" in text and "not identified by the data" in text
    user = tmp_path / "uses.toml"
    user.write_text(
        'name = "u"\ndescription = "d"\nstart = "2024Q4"\nend = "2026Q4"\n'
        f'calibration = "{out.name}"\n'
    )
    sc = load_scenario(user)
    assert len(sc.posterior) == 400 and sc.continues
    assert sc.posterior.meta["replay"].endswith("history_2020_2024.toml")


def test_calibration_bad_input(tmp_path, capsys):
    missing = tmp_path / "m.toml"
    missing.write_text(MINIMAL + 'calibration = "nowhere.parquet"\n')
    with pytest.raises(
        ScenarioError,
        match=r"missing calibration file 'nowhere.parquet'.*"
        r"\[calibration\]",
    ):
        load_scenario(missing)
    typo = tmp_path / "t.toml"
    typo.write_text(
        MINIMAL + "[calibrate]\ndraw = 10\n[calibrate.parameters]\n"
        "contagion = {low = 0, high = 1}\n"
    )
    with pytest.raises(ScenarioError, match=r"unknown key 'draw'.*did you mean 'draws'\?"):
        load_scenario(typo)
    assert (
        main(["calibrate", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path / "x.parquet")])
        == 2
    )
    err = capsys.readouterr().err  # the replay the forecasts continue, not the 2020-2024 one
    assert "has no [calibrate] table" in err and err.rstrip().endswith(", history_2006_2024")


def test_a_calibration_needs_a_replay_of_recorded_history(tmp_path, capsys):
    """A forecast that continues a posterior, or a window the record does not reach, has
    nothing to fit: one line and exit 2, not a posterior of NaN distances (the order check
    would also have read the file's thresholds, not the posterior's)."""
    prior = "[calibrate]\ndraws = 50\n[calibrate.parameters]\ncontagion = {low = 0, high = 1}\n"
    cont = tmp_path / "cont.toml"
    posterior = SCENARIOS / "calibrated" / "history_2006_2024.parquet"
    cont.write_text(
        'name = "c"\ndescription = "d"\nsources = ["s"]\nstart = "2024Q4"\nend = "2026Q4"\n'
        f"calibration = {str(posterior)!r}\n" + prior
    )
    out = tmp_path / "x.parquet"
    for argv in (["validate", str(cont)], ["calibrate", str(cont), "--out", str(out)]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "cannot calibrate a scenario that continues a calibrated replay" in err
        assert "alliance-sim calibrate history_2006_2024" in err and "[calibrate]" in err
        assert len(err.splitlines()) == 1
    # a replay drawing from its own posterior (it inherits [calibrate]) is valid, not fittable
    assert main(["calibrate", "history_2020_2024_calibrated", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith("calibrate the replay it was fitted to: history_2020_2024")
    future = tmp_path / "future.toml"
    future.write_text(
        'name = "f"\ndescription = "d"\nsources = ["s"]\nstart = "2026Q4"\nend = "2030Q4"\n' + prior
    )
    assert main(["calibrate", str(future), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "no observation of the record falls in 2027Q1..2030Q4" in err
    assert "(the record holds 2006Q2..2024Q4): nothing to fit" in err
    assert not out.exists() and not (tmp_path / "x_report").exists()


def test_whole_number_parameters_are_sampled_as_whole_numbers(tmp_path):
    """exit_patience (quarters) is fitted by the long history: the sampler works on
    [low, high + 1) and floors it, so every whole value of the prior is equally likely and
    the engines only ever see whole numbers; a fractional bound is refused with one line."""
    from alliance_sim.analysis.smc import Whole

    w = Whole(["contagion", "exit_patience"], np.array([0.8, 3.0]))
    assert w.latent_high.tolist() == [0.8, 4.0]
    theta = np.array([[0.5, 1.0], [0.5, 1.99], [0.25, 3.999], [0.1, 4.0]])
    out = w.decode(theta)
    assert out[:, 1].tolist() == [1.0, 1.0, 3.0, 3.0] and out[:, 0].tolist() == [
        0.5,
        0.5,
        0.25,
        0.1,
    ]
    assert theta[1, 1] == 1.99  # the sampler's own array is not changed
    rng = np.random.default_rng(1)
    u = 1 + rng.random((40_000, 1)) * 3  # uniform on [1, 4): each of 1, 2, 3 a third
    shares = np.bincount(Whole(["exit_patience"], np.array([3.0])).decode(u)[:, 0].astype(int))
    assert np.allclose(shares[1:] / len(u), 1 / 3, atol=0.01)
    bad = tmp_path / "b.toml"
    bad.write_text(
        MINIMAL + "[calibrate]\n[calibrate.parameters]\nexit_patience = {low = 1, high = 2.5}\n"
    )
    with pytest.raises(ScenarioError, match=r"exit_patience.high = 2.5 should be a whole number"):
        load_scenario(bad)


def test_calibrate_replaces_only_its_own_files_and_says_so_before_fitting(tmp_path, capsys):
    """--out may be new or a posterior alliance-sim wrote; --report (given or the default
    beside --out) may be new or hold an earlier calibration report.  Anything else is refused
    with one line before any fit, and left as it was."""
    import time

    notes = tmp_path / "notes.parquet"
    notes.write_text("my notes")
    t0 = time.perf_counter()
    assert main(["calibrate", "history_2020_2024", "--out", str(notes), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "not a posterior alliance-sim wrote" in err
    assert len(err.strip().splitlines()) == 1 and notes.read_text() == "my notes"
    report = tmp_path / "post_report"
    report.mkdir()
    (report / "calibration.md").write_text("# my own calibration notes\n")
    argv = ["calibrate", "history_2020_2024", "--out", str(tmp_path / "post.parquet"), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--report" in err and "did not write" in err
    assert (report / "calibration.md").read_text() == "# my own calibration notes\n"
    png = tmp_path / "elsewhere"
    png.mkdir()
    (png / "posterior.png").write_bytes(b"\x89PNG mine")
    assert main([*argv, "--report", str(png)]) == 2
    assert "posterior.png" in capsys.readouterr().err
    assert not (tmp_path / "post.parquet").exists()
    assert time.perf_counter() - t0 < 20  # refused before fitting


def test_a_posterior_whose_replay_is_missing_is_refused_at_load(tmp_path, capsys):
    """A posterior names its replay by a path relative to itself; copied elsewhere without it,
    a forecast continuing it is refused when the scenario is read, before --out is made."""
    import shutil

    shutil.copy(SCENARIOS / "calibrated" / "history_2006_2024.parquet", tmp_path / "p.parquet")
    text = (SCENARIOS / "baseline.toml").read_text()
    moved = tmp_path / "b.toml"
    moved.write_text(text.replace("calibrated/history_2006_2024.parquet", "p.parquet"))
    with pytest.raises(ScenarioError, match=r"the replay it was fitted to .* is missing"):
        load_scenario(moved)
    out = tmp_path / "out"
    assert main(["run", str(moved), "--out", str(out), "--quiet"]) == 2
    assert "is missing" in capsys.readouterr().err and not out.exists()


def test_contraction_of_a_whole_number_parameter_uses_its_discrete_prior():
    """A posterior that is the discrete uniform prior of exit_patience on 1-8 has contraction
    about 0 (not -0.15, as the continuous formula gives)."""
    import pandas as pd

    from alliance_sim.analysis.calibrate import contraction
    from alliance_sim.scenario.spec import SweepAxis

    post = pd.DataFrame({"exit_patience": np.tile(np.arange(1.0, 9.0), 50)})
    c = contraction((SweepAxis("exit_patience", low=1.0, high=8.0),), post)
    assert abs(c["contraction"].item()) < 0.01


def test_a_prior_cut_to_ordered_thresholds_never_keeps_a_set_outside_it(tmp_path):
    """The 2006-2024 prior box lets suspend_below (0.1-0.45) pass suspend_recover (0.35,
    fixed), an inverted hysteresis that validate refuses in a scenario file; the sampler's
    prior is the box cut to ordered sets: generation 0 and every proposal outside it are never
    scored or kept, and the importance weights stay those of a uniform prior on the cut box.
    Without a cut (allowed everywhere) the sampler draws exactly what it drew before."""
    from alliance_sim.scenario.semantics import ordered

    truth = np.array([0.3, 0.3])  # on the boundary: half the kernel's mass falls outside
    rng = np.random.default_rng(0)

    def score(theta):
        return np.linalg.norm(theta + rng.normal(0, 0.02, theta.shape) - truth, axis=1)

    names = ["suspend_below", "suspend_recover"]
    low, high = np.array([0.1, 0.25]), np.array([0.45, 0.45])

    def allowed(theta):
        return ordered(names, theta, {})

    seen = []

    def counted(theta):
        seen.append(theta.copy())
        return score(theta)

    smc = abc_smc(counted, low, high, n=200, generations=5, seed=3, allowed=allowed)
    assert all(allowed(t).all() for t in seen)  # nothing outside the cut was simulated
    for pop in smc.generations:
        assert allowed(pop.theta).all() and np.isfinite(pop.distances).all()
    assert smc.simulations == sum(len(t) for t in seen)
    # one threshold fixed: the scenario's value (or the registry default) takes its place
    assert ordered(["suspend_below"], np.array([[0.3], [0.36]]), {}).tolist() == [True, False]
    assert ordered(["suspend_below"], np.array([[0.36]]), {"suspend_recover": 0.4}).tolist() == [
        True
    ]
    assert ordered(["contagion"], np.array([[0.5]]), {}).tolist() == [True]

    def fresh(theta):
        return np.linalg.norm(theta - truth, axis=1)

    a = abc_smc(fresh, low, high, n=100, generations=3, seed=4)
    b = abc_smc(fresh, low, high, n=100, generations=3, seed=4, allowed=lambda t: t[:, 0] > -1)
    assert np.array_equal(a.population.theta, b.population.theta)


def test_a_prior_box_with_no_ordered_set_is_refused_with_one_line(tmp_path, capsys):
    bad = tmp_path / "b.toml"
    bad.write_text(
        MINIMAL + "[calibrate]\n[calibrate.parameters]\nsuspend_below = {low = 0.4, high = 0.6}\n"
    )
    with pytest.raises(
        ScenarioError,
        match=r"suspend_below \(at least 0.4 in its prior range\) can never stay below "
        r"suspend_recover \(fixed at 0.35: the registry's default\)",
    ):
        load_scenario(bad)
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "calibrate.parameters" in err[0]
    chain = tmp_path / "chain.toml"  # every adjacent pair possible, the chain not (review)
    chain.write_text(
        MINIMAL + "[params]\nhedge_recover = 0.3\nhedge_below = 0.28\n[calibrate]\n"
        "[calibrate.parameters]\nsuspend_below = {low = 0.3, high = 0.6}\n"
        "hedge_below = {low = 0.1, high = 0.5}\n"
    )
    with pytest.raises(ScenarioError, match=r"suspend_below .* can never stay below hedge_recover"):
        load_scenario(chain)
    # possible, but a sliver of the box: refused at load by validate and calibrate alike, with
    # the same verdict whatever the seed (a new user found validate passing a file calibrate
    # refused, and the refusal changing with --seed)
    for low, refused in ((0.3499, True), (0.3487, True), (0.34, False)):
        tiny = tmp_path / "tiny.toml"
        tiny.write_text(
            MINIMAL + "[calibrate]\ndraws = 10\ngenerations = 1\n[calibrate.parameters]\n"
            f"suspend_below = {{low = {low}, high = 0.9}}\n"
        )
        assert (main(["validate", str(tiny)]) == 2) is refused
        said = capsys.readouterr().err
        assert ("of their sets with the thresholds in order" in said) is refused, said
    # the sampler itself still refuses, with one exception, a restriction it cannot fill
    from alliance_sim.analysis.smc import EmptyPrior

    with pytest.raises(EmptyPrior, match="almost no allowed set"):
        abc_smc(lambda t: t[:, 0], np.zeros(1), np.ones(1), n=10, allowed=lambda t: t[:, 0] < 1e-5)


def test_the_weights_of_a_cut_prior_give_the_right_posterior():
    """Distance to a point on the cut's edge: the exact ABC posterior is uniform on the
    allowed part of the tolerance ball. The importance weights must recover its mean distance
    from the edge; equal weights (the proposals as drawn) overstate it (a review's check)."""
    from alliance_sim.scenario.semantics import ordered

    names = ["suspend_below", "suspend_recover"]
    low, high = np.array([0.1, 0.25]), np.array([0.45, 0.45])

    def allowed(t):
        return ordered(names, t, {})

    centre = np.array([0.3, 0.3])

    def dist(t):
        return np.linalg.norm(t - centre, axis=1)

    rng = np.random.default_rng(0)
    u = low + rng.random((1_000_000, 2)) * (high - low)
    u = u[allowed(u)]
    weighted, plain = [], []
    for seed in range(4):
        pop = abc_smc(dist, low, high, n=600, generations=5, seed=seed, allowed=allowed).population
        gap = pop.theta[:, 1] - pop.theta[:, 0]
        inside = u[dist(u) <= pop.epsilon]
        truth = (inside[:, 1] - inside[:, 0]).mean()
        weighted.append((pop.weights * gap).sum() / truth)
        plain.append(gap.mean() / truth)
    assert abs(np.mean(weighted) - 1) < 0.03, weighted
    assert abs(np.mean(plain) - 1) > 2 * abs(np.mean(weighted) - 1), (weighted, plain)


def test_contraction_is_measured_against_the_cut_prior():
    """A posterior that is just the cut prior (the data said nothing) has contraction about 0,
    not the 0.3 it reads against the whole box; the other parameters keep the box's exact
    spread and range (a review found suspend_below 'identified' by the cut alone)."""
    from alliance_sim.analysis.identification import contraction, cut_prior
    from alliance_sim.scenario.spec import SweepAxis

    priors = (
        SweepAxis("suspend_below", low=0.1, high=0.45),
        SweepAxis("contagion", low=-0.5, high=0.8),
    )
    draws = cut_prior(priors, {})  # suspend_recover at its default 0.35
    assert draws is not None and draws["suspend_below"].max() < 0.35
    post = draws.sample(4000, random_state=1).reset_index(drop=True)
    cut = contraction(priors, post, {}).set_index("parameter")
    box = contraction(priors, post).set_index("parameter")
    assert abs(cut.loc["suspend_below", "contraction"]) < 0.03
    assert box.loc["suspend_below", "contraction"] > 0.25  # what the box alone would say
    assert cut.loc["suspend_below", "allowed_high"] == pytest.approx(0.35, abs=1e-3)
    assert (
        cut.loc["contagion", "allowed_low"] == -0.5 and cut.loc["contagion", "allowed_high"] == 0.8
    )
    assert cut.loc["contagion", "contraction"] == box.loc["contagion", "contraction"]
    assert cut_prior((SweepAxis("contagion", low=0.0, high=1.0),), {}) is None  # nothing cut


def test_a_fit_with_a_cut_prior_keeps_the_order_and_says_so(tmp_path):
    """End to end on the real replay: a fit that adds suspend_below (0.1-0.45, beside the fixed
    suspend_recover 0.35) keeps every set ordered, and its report shows the cut range."""
    from alliance_sim.analysis.calibrate import calibrate, with_priors
    from alliance_sim.report.calibration import write_report
    from alliance_sim.scenario.spec import SweepAxis

    sc = load_scenario("history_2020_2024")
    priors = (*sc.calibrate.priors[:2], SweepAxis("suspend_below", low=0.1, high=0.45))
    cal = calibrate(with_priors(sc, priors=priors), draws=30, generations=2, replicates=1,
                    check_runs=20, quiet=True)  # fmt: skip
    assert (cal.posterior["suspend_below"] < 0.35).all()
    write_report(cal, tmp_path / "rep")
    text = (tmp_path / "rep" / "calibration.md").read_text()
    assert "0.1 – 0.45 (ordered: 0.1 – 0.35)" in text and "cut to the sets that keep" in text
    # a fit collapsed onto one set says so (a new user read 'identified' everywhere as sharp)
    from dataclasses import replace as dc_replace

    one = dc_replace(cal, posterior=cal.posterior.iloc[[0] * 400].reset_index(drop=True))
    assert "only 1 distinct parameter set(s) among the 400" in one.collapse_note()
    write_report(one, tmp_path / "rep1")
    assert "**Warning:** only 1 distinct" in (tmp_path / "rep1" / "calibration.md").read_text()
    varied = dc_replace(cal, posterior=cal.posterior.assign(**{cal.names[0]: np.arange(400.0)}))
    assert varied.collapse_note() is None


def test_a_posterior_that_reproduces_the_record_worse_than_the_file_says_so():
    """The fit weighs patterns and observables together: a measure it made visibly worse (a rate
    10 points lower, a Brier score 0.01 higher) is named, a small change or a gain is not."""
    from alliance_sim.analysis.identification import worse_than_file

    before = {
        "all": 0.30,
        "brier": 0.138,
        "statuses_every_year": 0.62,
        "ARM suspended by 2024Q1": 0.25,
    }
    assert worse_than_file(before, dict(before)) is None
    assert (
        worse_than_file(before, before | {"all": 0.22, "brier": 0.145, "statuses_every_year": 0.9})
        is None
    )
    note = worse_than_file(before, before | {"brier": 0.157, "ARM suspended by 2024Q1": 0.12})
    assert "Brier score 0.138 -> 0.157" in note and "ARM suspended by 2024Q1 25% -> 12%" in note
    assert "statuses" not in note and "all " not in note
    # the shipped short fit trades the year-end statuses for the patterns, and says so
    meta = load_scenario("history_2020_2024_calibrated").posterior.meta
    note = worse_than_file(meta["reproduction_before"], meta["reproduction_after"])
    assert note is not None and "statuses as recorded at every year end" in note


def test_a_contraction_is_printed_on_the_side_of_the_line_it_is_on():
    """The ninth fit's exit_below has contraction 0.2492: its report read "0.25 | no" beside a
    rule that counts 0.25 as identified.  A value that two places would round across the line
    gets a third."""
    from alliance_sim.analysis.identification import IDENTIFIED, contraction_text

    assert IDENTIFIED == 0.25
    assert contraction_text(0.2492) == "0.249"
    assert contraction_text(0.2449) == "0.24"  # below, and printed below: two places do
    assert contraction_text(0.2537) == "0.25"  # identified, and printed at the line
    assert contraction_text(0.3412) == "0.34"
    assert contraction_text(-0.0198) == "-0.02"
    assert contraction_text(0.2499) == "0.2499" and contraction_text(0.24996) == "0.24996"
    assert contraction_text(0.25) == "0.25" and contraction_text(-0.001) == "0.00"
    for c in np.linspace(0.2, 0.3, 2001):  # whatever it prints reads on the right side
        assert (float(contraction_text(c)) >= IDENTIFIED) == (c >= IDENTIFIED), c
