"""``alliance-sim robustness``: which parameters are varied, that the indices and the envelope
measure what they say, that today's answer is ``run``'s, and the command's files and guards."""

import json
from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import load_scenario, run_scenario
from alliance_sim.analysis import robustness as rb
from alliance_sim.cli.main import main
from alliance_sim.scenario.plan import unit_samples
from conftest import armenia_gone_in_three_replays


@pytest.fixture(scope="module")
def baseline():
    return load_scenario("baseline")


def test_what_is_varied_and_over_which_range(baseline):
    varied = {p.name: p for p in rb.uncertain(baseline)}
    meta = baseline.posterior.meta
    contraction = {r["parameter"]: r["contraction"] for r in meta["contraction"]}
    for name, c in contraction.items():
        if c >= rb.IDENTIFIED or ".initial_" in name or name.startswith(("vote_", "obs_")):
            assert name not in varied, name  # pinned down, the replay's start, or what one sees
    # fitted but not identified: over the calibration prior the posterior file records
    assert contraction["exit_hazard"] < rb.IDENTIFIED
    lo, hi = meta["priors"]["exit_hazard"]["low"], meta["priors"]["exit_hazard"]["high"]
    assert (varied["exit_hazard"].low, varied["exit_hazard"].high) == (lo, hi)
    # hand-set, with the scenario's own [sweep] range where it declares one
    assert (varied["russian_pressure"].low, varied["russian_pressure"].high) == (0.1, 0.5)
    assert "members.ARM.pressure_tolerance" in varied  # a focus member's assumed figure
    assert not any(n.startswith("mech_") for n in varied)  # switches are ablations, not ranges
    assert varied["credibility_base_rate"].sourced and not varied["exit_hazard"].sourced
    assert not any(p.identified for p in varied.values())


def test_a_hand_set_value_is_varied_even_where_calibration_identifies_it(baseline):
    contraction = {r["parameter"]: r["contraction"] for r in baseline.posterior.meta["contraction"]}
    assert contraction["commitment_bias"] >= rb.IDENTIFIED
    own = replace(baseline, params={**baseline.params, "commitment_bias": -1.0})
    varied = {p.name: p for p in rb.uncertain(own)}
    assert not varied["commitment_bias"].identified  # the file's value, not the fitted one


def test_indices_and_envelope_on_a_known_function(baseline):
    """y = u0 exactly: the first parameter explains everything, the others nothing, and the
    envelope is the 5th to 95th percentile of a uniform variable."""
    params = rb.uncertain(baseline)[:5]
    spec = rb.design(baseline, params, 256, 3)
    u = unit_samples(spec)
    answer = {"p": 0.5, "lo": 0.4, "hi": 0.6, "runs": 400}
    h = rb.summarise(u[:, 0].copy(), u, params, answer, replicates=10**9, seed=0)
    top = h["drivers"][0]
    assert top["parameter"] == params[0].name and top["S1"] > 0.9 and top["ST"] > 0.9
    assert all(abs(d["S1"]) < 0.05 for d in h["drivers"][1:])
    assert h["envelope"]["lo"] == pytest.approx(0.05, abs=0.02)
    assert h["envelope"]["hi"] == pytest.approx(0.95, abs=0.02)
    assert h["top_driver"]["at_low"] < 0.15 and h["top_driver"]["at_high"] > 0.85


def test_the_ends_of_a_driver_carry_an_interval_over_base_points(baseline):
    """y = u0 + 10 u1: where u0 sits in its lowest fifth the mean is 0.1 + 5, in its highest
    0.9 + 5. The interval, from resampling the design's base points (their rows share
    values), holds the truth in at least 90% of 20 designs, and is wider with 16 base points
    than with 256."""
    params = rb.uncertain(baseline)[:5]
    for samples in (16, 256):
        held, widths = 0, []
        for design_seed in range(20):
            u = unit_samples(rb.design(baseline, params, samples, design_seed))
            e = rb.ends(u[:, 0] + 10 * u[:, 1], u[:, 0], len(params), seed=0)
            held += e["at_low_ci"][0] < 5.1 < e["at_low_ci"][1]
            held += e["at_high_ci"][0] < 5.9 < e["at_high_ci"][1]
            widths.append(e["at_low_ci"][1] - e["at_low_ci"][0])
        assert held >= 36, (samples, held)
        if samples == 16:
            wide = np.median(widths)
            with pytest.raises(ValueError):  # rows that are not whole base points
                rb.ends(u[:-1, 0], u[:-1, 0], len(params), seed=0)
    assert wide > 2 * np.median(widths)


def test_replicates_share_sets_and_seeds_across_points(baseline):
    """Common random numbers: a parameter that cannot act in the baseline (nobody applies to
    join, so the consent threshold is never read) gives every point the same mean."""
    consent = next(p for p in rb.uncertain(baseline) if p.name == "consent_cut")
    pts, means, noise = rb.design_runs(baseline, [consent], samples=8, replicates=6, seed=1)
    y = means["ARM_exited"]
    assert len(pts) == 8 * 3 and np.ptp(y) == 0
    assert noise["ARM_exited"] == 0  # the replicates differ, but alike at every point
    h = rb.summarise(y, np.zeros((len(y), 1)), [consent], {"p": 0, "lo": 0, "hi": 0}, 6, 0)
    assert h["drivers"][0]["S1"] is None and h["envelope"]["lo"] == h["envelope"]["hi"]


def test_replicate_noise_is_the_seed_by_point_interaction_not_a_binomial():
    """Under common random numbers a replicate that adds the same at every point moves no
    point against another: the noise in the point means is the interaction's mean square over
    the replicates, which a binomial at the point means overstates."""
    from alliance_sim.analysis.noise import replicate_noise

    rng = np.random.default_rng(0)
    P, K = 400, 16
    point = rng.uniform(0.1, 0.9, (P, 1))
    seed_effect = rng.normal(0, 0.3, (1, K))
    assert replicate_noise(point + seed_effect) == pytest.approx(0, abs=1e-12)
    m = point + seed_effect + rng.normal(0, 0.2, (P, K))  # independent noise of sd 0.2
    assert replicate_noise(m) == pytest.approx(0.2**2 / K, rel=0.1)
    binary = (rng.uniform(size=(P, 1)) * 0.6 + rng.normal(0, 0.25, (1, K)) > 0.3).astype(float)
    y = binary.mean(1)
    binomial = np.mean(y * (1 - y)) / K
    assert replicate_noise(binary) < 0.5 * binomial  # shared seeds: far less than a binomial
    gone = np.column_stack([m, np.full(P, np.nan)])  # a replicate whose replay lacks the member
    assert replicate_noise(gone) == pytest.approx(replicate_noise(m))
    holes = m.copy()  # an incomplete table: the additive fit on the cells there are
    holes[rng.integers(0, P, 20), rng.integers(0, K, 20)] = np.nan
    assert replicate_noise(holes) == pytest.approx(replicate_noise(m), rel=0.05)
    few = np.column_stack([m, np.full(P, np.nan)])
    few[[5, 77, 300], -1] = 1.0  # a replicate defined at three points only (a rejoining member)
    assert replicate_noise(few) == pytest.approx(replicate_noise(m), rel=0.05)
    within = np.mean(np.nanvar(holes, axis=1, ddof=1) / np.isfinite(holes).sum(1))
    assert within > 2 * replicate_noise(holes)  # what the fallback had said: the seeds' part
    assert np.isnan(replicate_noise(m[:, :1]))  # one replicate: nothing to measure it by
    u = np.tile(np.linspace(0, 1, P // 4), 4)[:, None]
    var = float(np.var(y))
    h = rb.summarise(y, u[: len(y)], [], {"p": 0, "lo": 0, "hi": 0}, K, 0, noise=0.001)
    assert h["noise_share"] == pytest.approx(0.001 / var) and not h.get("noise_unmeasured")
    one = rb.summarise(y, u[: len(y)], [], {"p": 0, "lo": 0, "hi": 0}, 1, 0, noise=np.nan)
    assert one["noise_share"] is None and one["noise_unmeasured"]  # it had said 0%
    assert rb.noisy(one) and "not measured" in rb.statement("X has left", one)


def test_todays_answer_is_runs_answer(baseline, tmp_path):
    ans = rb.posterior_answer(baseline, 60, seed=0)["ARM_exited"]
    res = run_scenario("baseline", tmp_path / "b", replicates=60, record="end")
    assert ans["p"] == pytest.approx(res.runs["ARM_exited"].mean())
    assert ans["lo"] < ans["p"] < ans["hi"] and ans["runs"] == 60


def test_the_command_writes_its_files_and_replaces_only_its_own(tmp_path, capsys):
    out = tmp_path / "r"
    argv = ["robustness", "armenia_exits", "--out", str(out), "--samples", "8"]
    assert main([*argv, "--replicates", "2", "--quiet"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Armenia has left by 2034Q4: ") and "with the fitted model" in said
    assert "each design point's share is of only 2 runs (steps of 50%)" in said
    r = json.loads((out / "robustness.json").read_text())
    assert r["headlines"][0]["point_runs"] == 2
    assert r["outcome"] == "ARM_exited" and r["horizon"] == "2034Q4"
    from alliance_sim.scenario.stamp import model_stamp

    assert r["model"] == model_stamp(load_scenario("armenia_exits"))  # what made it
    assert f"model {r['model']}, alliance-sim" in (out / "robustness.md").read_text()
    assert set(r["posterior"]) >= {"p", "lo", "hi"} and set(r["envelope"]) >= {"lo", "hi"}
    assert r["envelope"]["lo"] <= r["envelope"]["hi"]
    assert r["runs"] == r["points"] * 2 == 8 * (len(r["parameters"]) + 2) * 2
    for d in r["drivers"]:
        assert set(d) >= {"parameter", "S1", "S1_conf", "ST", "ST_conf", "identified", "sourced"}
    assert (out / "drivers.png").stat().st_size > 0
    assert (out / "robustness.md").read_text().startswith("# What the headline rests on")
    assert main([*argv, "--replicates", "2", "--quiet"]) == 0  # the same analysis: replaced
    capsys.readouterr()
    before = (out / "robustness.json").read_bytes()
    # a different analysis does not silently replace it: one line, the earlier one kept
    assert main([*argv, "--replicates", "3", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "replicates 2; this one has replicates 3" in err
    assert "--force" in err and (out / "robustness.json").read_bytes() == before
    assert main([*argv, "--replicates", "3", "--quiet", "--force"]) == 0
    said = capsys.readouterr().out
    assert "replaced the earlier analysis of Armenia exits? (replicates 2; " in said
    assert json.loads((out / "robustness.json").read_text())["replicates"] == 3
    (out / "notes.txt").write_text("mine")
    assert main([*argv, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and err.count("\n") == 1
    assert (out / "notes.txt").read_text() == "mine"


def test_the_python_function_gives_the_command_s_analysis(tmp_path, capsys):
    """A notebook had no way to run the analysis but the shell (a red-team): robustness()
    returns what the command writes, writes the same files given out=, and its refusals name
    its arguments, not the command's options."""
    from alliance_sim import robustness
    from alliance_sim.errors import AllianceSimError

    argv = ["robustness", "armenia_exits", "--out", str(tmp_path / "a"), "--samples", "8"]
    assert main([*argv, "--replicates", "2", "--quiet"]) == 0
    cli = json.loads((tmp_path / "a" / "robustness.json").read_text())
    api = robustness("armenia_exits", tmp_path / "b", samples=8, replicates=2, quiet=True)
    assert {k: v for k, v in api.items() if k != "seconds"} == {
        k: v for k, v in cli.items() if k != "seconds"
    }
    assert api["headlines"][0]["statement"].startswith("Armenia has left by 2034Q4: ")
    for f in ("robustness.json", "robustness.md", "drivers.png"):
        assert (tmp_path / "b" / f).stat().st_size > 0
    before = (tmp_path / "b" / "robustness.json").read_bytes()
    bad = [
        ({"samples": 12}, r"^samples = 12: allowed a power of two, 8 or more"),
        ({"samples": 4}, r"^samples = 4: allowed a power of two, 8 or more"),
        ({"samples": 8, "quiet": "no"}, r"^quiet = 'no': allowed True, False or None"),
        ({"samples": 4096, "out": None}, r"^samples=4096 x \(\d+ parameters \+ 2\) x replicates="),
        ({"samples": 8, "replicates": 0}, r"^replicates = 0: allowed a whole number"),
        ({"samples": 8, "replicates": 3}, r"^out=\S+ holds an earlier .*force=True to replace"),
        ({"samples": 8, "replicates": 3, "out": 5}, r"^out = 5: allowed a path"),
        ({"samples": 8, "hold_own": "yes"}, r"^hold_own = 'yes': allowed True or False"),
    ]
    for kw, said in bad:
        with pytest.raises(AllianceSimError, match=said):
            robustness("armenia_exits", **{"out": tmp_path / "b", "quiet": True, **kw})
    assert (tmp_path / "b" / "robustness.json").read_bytes() == before  # refused, kept
    with pytest.raises(AllianceSimError, match=r"^scenario = 3: allowed a shipped scenario"):
        robustness(3)
    sc = load_scenario("armenia_exits")  # a loaded scenario, nothing written
    again = robustness(sc, samples=8, replicates=2, quiet=True)
    assert again["envelope"] == api["envelope"] and again["drivers"] == api["drivers"]
    assert again["command"] == cli["command"]
    # a scenario changed in Python: no command reruns it from its file, and it says so (the
    # command of armenia_exits was recorded for an analysis at 2028Q4: a red-team); one run
    # to another end is rerun by `--end`
    from alliance_sim import with_end
    from alliance_sim.scenario.load import with_params

    cut = robustness(with_end(sc, "2028Q4"), samples=8, replicates=2, quiet=True)
    assert cut["horizon"] == "2028Q4"
    assert cut["command"].startswith("alliance-sim robustness armenia_exits --end 2028Q4 --out")
    changed = with_params(with_end(sc, "2028Q4"), {"western_offer": 0.1})
    changed = robustness(changed, samples=8, replicates=2, quiet=True)
    assert changed["horizon"] == "2028Q4" and "alliance-sim" not in changed["command"]
    assert changed["command"].startswith("none from a file: a scenario changed in Python")
    capsys.readouterr()
    robustness("armenia_exits", tmp_path / "b", samples=8, replicates=3, force=True, quiet=True)
    assert "replaced the earlier analysis of Armenia exits? (replicates 2; " in (
        capsys.readouterr().err
    )  # the command says so; the function replaced it without a word (a red-team)


def test_a_run_result_is_named_as_one(tmp_path, capsys):
    """(A run's folder was called "a sweep result": helper-62.)"""
    out = tmp_path / "run"
    assert main(["run", "baseline", "--out", str(out), "--replicates", "2", "--quiet"]) == 0
    capsys.readouterr()
    argv = ["robustness", "baseline", "--out", str(out), "--samples", "8", "--replicates", "2"]
    assert main([*argv, "--force", "--quiet"]) == 2  # --force never replaces what it did not write
    err = capsys.readouterr().err
    assert "holds a run result (manifest.json)" in err and err.count("\n") == 1
    assert (out / "manifest.json").is_file() and not (out / "robustness.json").exists()


@pytest.mark.parametrize(
    "extra, said",
    [
        (["--samples", "12"], "--samples 12: allowed a power of two"),
        (["--samples", "4"], "--samples 4: allowed a power of two, 8 or more"),
        (["--replicates", "0"], "must be a positive whole number"),
    ],
)
def test_bad_options_get_one_line(tmp_path, capsys, extra, said):
    out = tmp_path / "r"
    try:
        code = main(["robustness", "baseline", "--out", str(out), *extra])
    except SystemExit as e:  # argparse's own refusals
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and not out.exists()


SHIPPED = ("baseline", "russia_wins_ukraine")  # the two; docs/robustness has more


@pytest.mark.parametrize("name", SHIPPED)
def test_the_shipped_analyses_are_of_the_shipped_scenarios(name):
    """Stale analyses fail here: a change to the scenario, its chain, the posterior it
    continues or the model (its stamp) must be followed by `alliance-sim robustness NAME --out
    docs/robustness/NAME --samples 256`."""
    from alliance_sim.report.robustness import shipped

    sc = load_scenario(name)
    r = shipped(name)
    assert r is not None, f"docs/robustness/{name} is missing"
    assert r["scenario_hash"] == sc.hash and r["posterior_sha256"] == sc.posterior.sha256
    from alliance_sim.scenario.stamp import model_stamp

    assert r.get("model") == model_stamp(sc), "made by another model: run it again"
    assert r["samples"] >= 256 and r["replicates"] >= 32
    # and of today's design: the same parameters over the same ranges
    from alliance_sim.analysis.uncertain import span

    today = {p.name: span(p) for p in rb.uncertain(sc)}
    for h in r["headlines"]:
        assert {d["parameter"]: d["range"] for d in h["drivers"]} == today
    assert {p["name"]: p["range"] for p in r["parameters"]} == today


@pytest.mark.parametrize("name", SHIPPED)
def test_the_rule_every_strong_driver_is_pinned_down_sourced_or_published(name):
    """docs/validation.md section 10: a parameter with a first-order index of 0.1 or more (its
    95% interval above zero) on a shipped headline is identified by calibration or cited;
    otherwise the README and validation.md publish the headline as its envelope, naming that
    parameter."""
    from alliance_sim.report.robustness import shipped
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    validation = (ROOT / "docs" / "validation.md").read_text("utf-8")
    for h in shipped(name)["headlines"]:
        strong = [
            d
            for d in h["drivers"]
            if d["S1"] is not None and d["S1"] >= rb.RULE and d["S1"] > (d["S1_conf"] or 0.0)
        ]
        loose = [d["parameter"] for d in strong if not (d["identified"] or d["sourced"])]
        assert loose == h["unsupported"]
        if not loose:
            continue
        e = h["envelope"]
        span = f"{e['lo']:.0%}–{e['hi']:.0%}"
        for page, text in (("README.md", readme), ("docs/validation.md", validation)):
            row = next((x for x in text.splitlines() if f"| {name} |" in x and span in x), None)
            assert row is not None, f"{page}: no row of {name} with its envelope {span}"
            for p in loose:
                assert f"`{p}`" in row, f"{page}: {name}'s row does not name {p}"


def test_run_says_what_the_headline_rests_on(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # 16 runs: Armenia leaves by 2028Q4 in about a third of runs, so some run shows it whatever
    # the posterior's first sets are (4 runs showed none after a refit)
    assert main(["run", "baseline", "--replicates", "16", "--out", "b"]) == 0
    said = capsys.readouterr().out
    assert "baseline: what it rests on beyond the fitted model, from the shipped analysis" in said
    assert "over what the record does not pin down" in said
    (tmp_path / "mine.toml").write_text(
        'name = "m"\ndescription = "d"\nextends = "baseline"\n[params]\nwestern_offer = 0.1\n'
    )
    assert main(["run", "mine.toml", "--replicates", "4", "--out", "m"]) == 0
    said = capsys.readouterr().out
    assert "mine: no shipped analysis of this scenario; to measure what it" in said
    assert main(["run", "mine.toml", "--replicates", "2", "--out", "m2", "--end", "2028Q4"]) == 0
    said = " ".join(capsys.readouterr().out.split())  # unwrapped
    assert "to measure what it rests on beyond the fitted model: alliance-sim robustness " in said
    assert "mine.toml --end 2028Q4 --out DIR" in said  # this run's horizon, not the file's
    assert main(["run", "baseline", "--replicates", "16", "--out", "e", "--end", "2028Q4"]) == 0
    said = " ".join(capsys.readouterr().out.split())  # not the analysed horizon: no analysis
    assert "is at 2034Q4, not this run's 2028Q4; for this horizon: alliance-sim robustness " \
        "baseline --end 2028Q4 --out DIR" in said  # fmt: skip
    assert main(["compare", "b", "m", "--out", "r.md"]) == 0
    page = (tmp_path / "r.md").read_text()
    assert page.index("## Beyond the fitted model") < page.index("known limits")
    assert "over what the record does not pin down" in page
    assert "\n  - Armenia has left by 2034Q4" in page  # nested under its scenario's line
    # a comparison at 2028Q4 says that the analysis it quotes is at its own horizon
    capsys.readouterr()
    assert main(["compare", "b", "e", "--out", "e.html"]) == 0
    said = capsys.readouterr().out  # the answer on screen, as the README shows it, under a
    # note that e's runs are b's cut at 2028Q4 (every difference zero by construction)
    assert said.startswith("note: e holds the runs of b to 2028Q4 (the same scenario"), said
    assert "\nBy 2028Q4" in said and "- Armenia has left the CSTO by 2028Q4" in said
    page = (tmp_path / "e.html").read_text()
    assert "at that analysis&#x27;s horizon, 2034Q4, not this comparison&#x27;s 2028Q4" in page
    assert "</li><ul>" not in page and "<ul><li>Armenia has left by 2034Q4" in page
    # a result cut short is not "another version of the scenario" (review finding)
    assert "is at 2034Q4, not this run&#x27;s 2028Q4" in page
    assert "another version of the scenario" not in page


def test_the_bootstrap_confidence_is_reproducible_at_seed_zero(baseline):
    """SALib ignores a falsy seed: seed 0 must still give the same confidence twice."""
    params = rb.uncertain(baseline)[:4]
    y = np.random.default_rng(5).random(8 * (len(params) + 2))
    a, b = rb.indices(y, params, 0), rb.indices(y, params, 0)
    np.testing.assert_array_equal(a["S1_conf"], b["S1_conf"])
    np.testing.assert_array_equal(a["ST_conf"], b["ST_conf"])


def test_reports_say_what_is_scripted_and_what_the_model_decides(tmp_path, monkeypatch):
    from alliance_sim.report.scripted import script

    scripted, decided = script(load_scenario("iran_joins").data)
    assert any("IRN application" in s for s in scripted)
    assert any("consent to IRN's 2026Q1 application" in d for d in decided)
    scripted, decided = script(load_scenario("armenia_exits").data)
    assert "2025Q3 ARM appeal, left unanswered" in scripted
    assert not any("answers the 2025Q3" in d for d in decided)  # the file fixed it
    assert any("western_offer 0.08" in s and "[params]" in s for s in scripted)  # set by hand
    # an event a sweep moves says so: "2026Q1 IRN application" read as if every pooled run
    # applied then (red-team)
    iran = load_scenario("iran_joins")
    scripted, decided = script(iran.data, tuple(a.name for a in iran.sweep.axes))
    assert "2026Q1 IRN application (credibility signal 0.5; quarter, commitment swept)" in scripted
    assert "whether the members consent to IRN's application (its quarter swept)" in decided
    # a value set by hand that the sweep varies is marked where it is printed, as an event is
    # ("sets western_offer 0.08, russian_pressure 0.35" read as what every pooled run used)
    arm = load_scenario("armenia_exits")
    scripted, _ = script(arm.data, tuple(a.name for a in arm.sweep.axes))
    sets = next(s for s in scripted if s.endswith("([params])"))
    assert "western_offer 0.08 (swept)" in sets and "russian_pressure 0.35 (swept)" in sets
    assert "russian_bandwidth 0.4," in sets and "russian_bandwidth 0.4 (swept)" not in sets
    data = {"members": {"KAZ": {"trade_share_russia": 0.3}}, "region": {"members": ["KAZ"],
            "chinese_offer": 0.1}}  # fmt: skip
    scripted, _ = script(data, ("members.KAZ.trade_share_russia", "region.chinese_offer"))
    assert "sets for KAZ: trade_share_russia 0.3 (swept) ([members.KAZ])" in scripted
    assert "for KAZ only: chinese_offer 0.1 (swept) ([region])" in scripted
    data = {"events": [{"id": "in", "at": "2026Q1", "type": "accession", "member": "IRN"}]}
    _, decided = script(data)
    assert any("applies of its own accord before its scripted accession (2026Q1)" in d
               for d in decided), decided  # fmt: skip
    _, decided = script(data, ("events.in.at",))  # a swept quarter is no fact (red-team)
    assert any("before its scripted accession (its quarter swept)" in d for d in decided)
    data["events"][0]["member"] = "UZB"  # another state's accession leaves Iran's choice whole
    _, decided = script(data)
    assert not any("scripted accession" in d for d in decided), decided
    scripted, decided = script(load_scenario("kazakhstan_unrest_repeat").data)
    assert any("whether Russia answers the 2026Q1 KAZ unrest" in d for d in decided)
    monkeypatch.chdir(tmp_path)
    for name in ("baseline", "iran_joins"):
        assert main(["run", name, "--replicates", "3", "--out", name, "--quiet"]) == 0
    assert main(["compare", "baseline", "iran_joins", "--out", "r.html"]) == 0
    page = (tmp_path / "r.html").read_text()
    head = page.index("What is scripted, what the model decides")
    assert page.index("Headline") < head < page.index("known limits")
    assert "scripts: no event (the status quo)" in page and "IRN application" in page


def test_an_event_aimed_at_a_member_most_runs_have_lost_says_so(tmp_path, monkeypatch):
    """A report listed a 2033 offer to Armenia as scripted in a scenario where Armenia had
    left in most runs by then, as if every run received it (a red-team)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "late.toml").write_text(
        'name = "Late offer"\nextends = "armenia_exits"\n[[events]]\nid = "late"\n'
        'at = "2033Q1"\ntype = "offer"\nmember = "ARM"\nsource = "west"\nkind = "arms"\n'
        "size = 0.5\n"
    )
    for name, f in (("late", "late.toml"), ("base", "baseline")):
        assert main(["run", f, "--replicates", "20", "--out", name, "--quiet"]) == 0
    assert main(["compare", "base", "late", "--out", "r.md"]) == 0
    page = (tmp_path / "r.md").read_text()
    runs = run_scenario("late.toml", "again", replicates=20, quiet=True).runs
    k = int((runs["ARM_exit_step"] < 8 * 4 + 1).sum())  # 2024Q4 + 33 quarters = 2033Q1
    assert k >= 10, k  # the premise: most runs have lost Armenia by 2033Q1
    said = f"  - Armenia has left before 2033Q1 in {k} of the 20 runs of Late offer ({k / 20:.0%})"
    assert said + f": its 2033Q1 offer acts in the other {20 - k} only" in page, page
    assert "has left before" not in page[: page.index("- Late offer scripts")]  # the baseline
    # a member brought back (a red-team): a rejoin acts on those that left and is not pointed
    # out; an event after it is read from the statuses then, not from exit quarters (the last
    # exit's quarter, which a rejoin and a second exit overwrite)
    from alliance_sim.report.sections import gone_before

    (tmp_path / "back.toml").write_text(
        'name = "Back"\nextends = "late.toml"\n[[events]]\nid = "back"\nat = "2033Q3"\n'
        'type = "rejoin"\nmember = "ARM"\n[[events]]\nid = "p"\nat = "2034Q2"\n'
        'type = "pressure"\nmember = "ARM"\nsize = 0.3\n'
    )
    back = run_scenario("back.toml", "back", replicates=20, quiet=True)
    lines = gone_before(back)
    assert not any("rejoin" in x for x in lines) and any("2033Q1 offer" in x for x in lines)
    ts = back.timeseries
    st = ts[(ts["member"] == "ARM") & (ts["step"] == 37)]["status"].astype(str)  # 2034Q1
    k2 = int((st == "exited").sum())
    assert (back.runs["ARM_exit_step"] < 38).sum() >= 5 > k2  # exit quarters would say gone
    assert not any("2034Q2" in x for x in lines), lines  # the statuses: most came back


@pytest.mark.parametrize("name", ["history_2006_2024", "history_2020_2024_calibrated"])
def test_a_replay_has_no_fitted_forecast_to_rest_on(tmp_path, capsys, name):
    out = tmp_path / "r"
    assert main(["robustness", name, "--out", str(out), "--samples", "8"]) == 2
    err = capsys.readouterr().err
    assert "needs a forecast that continues a calibrated posterior" in err
    assert err.count("\n") == 1 and not out.exists()


def test_an_analysis_too_large_is_refused_before_it_runs(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["robustness", "baseline", "--out", str(out), "--samples", "4096"]) == 2
    err = capsys.readouterr().err
    assert "--samples 4096 x" in err and "allowed at most" in err and not out.exists()


def test_a_sweep_is_not_told_what_the_scenario_rests_on(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["sweep", "baseline", "--out", "s", "--samples", "1", "--replicates", "3"]
    assert main(argv) == 0
    assert "rests on beyond the fitted model" not in capsys.readouterr().out


def test_an_analysis_given_for_a_sweep_says_why_it_is_not_shown(tmp_path, monkeypatch, capsys):
    """`compare base sweep --robustness DIR`, DIR an analysis of the sweep's scenario, was
    accepted and then left out of the report without a word (helper-100)."""
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "armenia_exits", "--out", "s", "--replicates", "1", "--quiet"]) == 0
    argv = ["robustness", "armenia_exits", "--out", "r", "--samples", "8", "--replicates", "2"]
    assert main([*argv, "--quiet"]) == 0
    assert main(["run", "baseline", "--out", "b", "--replicates", "2", "--quiet"]) == 0
    assert main(["compare", "b", "s", "--robustness", "r/robustness.json", "--out", "x.md"]) == 0
    text = " ".join((tmp_path / "x.md").read_text().split())
    assert (
        "Armenia exits? (a sweep, s): the robustness analysis r/robustness.json is not shown "
        "beside this sweep (it is of the scenario's values as its file sets them; a sweep pools "
        "its design points; compare a run of the scenario to read it beside that); its own "
        "report: r/robustness.md"
    ) in text, text
    # with a run of the scenario in the report, the line says it is shown beside that run
    assert main(["run", "armenia_exits", "--out", "a", "--replicates", "2", "--quiet"]) == 0
    assert main(["compare", "a", "s", "--robustness", "r", "--out", "y.md"]) == 0
    text = " ".join((tmp_path / "y.md").read_text().split())
    said = "(a sweep, s): the robustness analysis r is shown beside Armenia exits? (a), a run"
    assert said in text, text


def test_a_statement_quotes_no_index_inside_its_noise():
    """At a small --samples every total index can sit inside its confidence interval (an ST of
    1.91 ± 4.7 was printed as the 'largest'): the statement then says so instead."""
    from alliance_sim.analysis.robustness import statement

    h = {
        "posterior": {"p": 0.1, "lo": 0.08, "hi": 0.14},
        "envelope": {"lo": 0.0, "hi": 0.12},
        "top_driver": {"parameter": "x"},
        "drivers": [
            {"parameter": "x", "S1": 0.05, "S1_conf": 0.6, "ST": 1.91, "ST_conf": 4.7},
            {"parameter": "y", "S1": 0.02, "S1_conf": 0.1, "ST": 0.4, "ST_conf": 0.6},
        ],
    }
    said = statement("Iran", h)
    assert "ST 1.91" not in said and "no index is clear of its noise" in said
    h["drivers"][1]["ST_conf"] = 0.1
    assert "(largest total index clear of its noise: y, ST 0.40)" in statement("Iran", h)


def test_the_leader_is_the_first_driver_clear_of_its_noise():
    """A 16-sample analysis of the baseline put exit_hazard first for Kazakhstan (S1 0.24 ±
    0.29) and western_openness fifth (0.10 ± 0.09, clear of zero): the statement said no
    parameter explained a tenth alone while listing western_openness as one that did."""
    from alliance_sim.analysis.robustness import leading, strong

    drivers = [
        {"parameter": "exit_hazard", "S1": 0.24, "S1_conf": 0.29},
        {"parameter": "ties_decay", "S1": 0.22, "S1_conf": 0.56},
        {"parameter": "western_openness", "S1": 0.105, "S1_conf": 0.094},
        {"parameter": "z", "S1": 0.2, "S1_conf": 0.05},
    ]
    assert [d["parameter"] for d in strong(drivers)] == ["western_openness", "z"]
    assert leading(drivers) == 2
    assert leading(drivers[:2]) == 0  # none is clear: the largest, for the words that follow


def test_a_recovery_threshold_is_varied_as_a_hysteresis_that_keeps_the_order(baseline):
    """Sampled on its own, a recovery threshold fell at or below its entry threshold in about
    one design point in five (an inverted hysteresis, which validate refuses): it is sampled as
    the width above the entry threshold's value in the same run -- the point's, else the run's
    posterior set."""
    from alliance_sim.analysis.uncertain import absolute
    from alliance_sim.scenario.plan import points, spec_for
    from alliance_sim.scenario.semantics import THRESHOLDS, ordered

    params = rb.uncertain(baseline)
    varied = {p.name: p for p in params}
    assert varied["suspend_recover"].above == "suspend_below"
    assert varied["hedge_recover"].above == "hedge_below"
    assert (varied["suspend_recover"].low, varied["suspend_recover"].high) == (0.02, 0.2)
    rows = points(rb.with_design(baseline, rb.design(baseline, params, 64, 0))).to_dict("records")
    bases = [spec_for(baseline, None, k).params for k in range(0, 400, 40)]
    names = sorted(THRESHOLDS)
    got = [absolute(row, b, params) for row in rows for b in bases]
    theta = [
        [g.get(n, b.get(n, np.nan)) for n in names]
        for g, b in zip(got, bases * len(rows), strict=True)
    ]
    assert ordered(names, np.array(theta, dtype=float), baseline.params).all()
    for g, row in zip(got[:: len(bases)], rows, strict=True):  # the width is what was sampled
        assert g["suspend_recover"] - g["suspend_below"] == pytest.approx(row["suspend_recover"])
    # one at a time (the response surfaces): the entry threshold is the run's own
    one = absolute({"suspend_recover": 0.05}, bases[0], [varied["suspend_recover"]])
    assert one["suspend_recover"] == pytest.approx(bases[0]["suspend_below"] + 0.05)
    # and it is written as what it is, in the table, the list and the figure
    from alliance_sim.analysis.uncertain import span
    from alliance_sim.report.robustness import _label

    assert span(varied["suspend_recover"]) == "suspend_below + 0.02 to 0.2"
    assert _label("suspend_recover") == "Suspend recover (width above suspend_below)"


def test_a_design_point_read_once_gives_the_specs_of_reading_it_per_run(baseline):
    """design_runs reads each point once (PointValues) and puts it, with its hysteresis made
    absolute on each posterior set, on every set's spec: the same specs, key for key, as
    at_point on absolute() per run (which took half a robustness analysis's time)."""
    from alliance_sim.analysis.uncertain import absolute, widths_on
    from alliance_sim.scenario.plan import points, spec_for
    from alliance_sim.scenario.runspecs import PointValues, at_point

    params = rb.uncertain(baseline)
    rows = points(rb.with_design(baseline, rb.design(baseline, params, 4, 0))).to_dict("records")
    bases = [spec_for(baseline, None, k) for k in (0, 7, 31)]
    for row in rows:
        once = PointValues.of(baseline, row)
        for b in bases:
            got = once.on(b, widths_on(row, b.params, params))
            want = at_point(baseline, b, absolute(row, b.params, params))
            assert got == want and list(got.params) == list(want.params)
            assert got.params["suspend_recover"] > got.params["suspend_below"]


def test_an_index_that_moved_nothing_and_noise_are_shown_as_such(tmp_path, monkeypatch):
    """At --samples 8 an index of exactly 0 with a 0 half-width read '0.00 [0.00, 0.00]', an
    exact-looking value; and the figure drew bars the statement calls noise, unmarked."""
    import matplotlib.axes

    from alliance_sim.report import robustness as rr

    assert rr._ci(0.0, 0.0) == "0 (moved no design point: no evidence either way)"
    assert rr._ci(0.02, 0.02) == "0.02 [0.00, 0.04]" and rr._ci(-0.001, 0.0) == "0.00 [0.00, 0.00]"
    said = []
    real = matplotlib.axes.Axes.text
    monkeypatch.setattr(
        matplotlib.axes.Axes,
        "text",
        lambda ax, x, y, s, *a, **k: said.append(s) or real(ax, x, y, s, *a, **k),
    )
    noise = {"S1": 0.2, "S1_conf": 0.8, "ST": 0.3, "ST_conf": 1.0}
    clear = {"S1": 0.2, "S1_conf": 0.05, "ST": 0.3, "ST_conf": 0.1}
    for drivers, marked in (([noise], True), ([noise, clear], False)):
        said.clear()
        head = {
            "label": "Armenia has left by 2034Q4",
            "posterior": {"p": 0.4, "lo": 0.3, "hi": 0.5},
            "envelope": {"lo": 0.1, "hi": 0.9},
            "drivers": [
                {**d, "parameter": "exit_hazard", "identified": False, "sourced": False}
                for d in drivers
            ],
        }
        rr.figure({"headlines": [head]}, tmp_path / "d.png")
        assert any("read these bars as noise" in s for s in said) == marked


def test_a_driver_named_where_replicate_noise_is_most_of_the_spread_says_so():
    """--samples 8 --replicates 4: replicate noise was 91% of the spread across points, yet
    "chiefly dependence_weight (S1 0.61 ± 0.45)" was printed without a word.  The statement
    now says the driver may be noise; it still names it (the share assumes independent
    replicates, and withholding the driver hid one that larger designs confirm)."""
    from alliance_sim.analysis.robustness import restate, statement

    strong_one = {
        "parameter": "dependence_weight",
        "S1": 0.61,
        "S1_conf": 0.45,
        "ST": 0.29,
        "ST_conf": 0.2,
        "identified": False,
        "sourced": False,
        "low": 1,
        "high": 4.5,
    }
    h = {
        "label": "Kyrgyzstan has left by 2030Q4",
        "posterior": {"p": 0.02, "lo": 0.01, "hi": 0.04},
        "envelope": {"lo": 0.0, "hi": 0.5},
        "top_driver": {
            **strong_one,
            "at_low": 0.51,
            "at_low_ci": [0.45, 0.57],
            "at_high": 0.25,
            "at_high_ci": [0.2, 0.3],
        },
        "drivers": [strong_one],
        "noise_share": 0.91,
    }
    said = statement(h["label"], h)
    assert "chiefly dependence_weight (S1 0.61" in said
    assert "replicate noise is about 91% of its spread" in said
    assert "so the driver named may be noise" in said
    assert restate({"headlines": [h]})["headlines"][0]["unsupported"] == ["dependence_weight"]
    h["noise_share"] = 0.09  # the shipped analyses' level: nothing added
    assert "noise" not in statement(h["label"], h)
    # "0%-100% over what the record does not pin down" at --replicates 2 (a new user): each
    # point's share moves in steps of a half, which the statement now says
    h["point_runs"] = 2
    assert "; each design point's share is of only 2 runs (steps of 50%), so that range is" in (
        statement(h["label"], h)
    )
    h["point_runs"] = 32  # the shipped analyses: nothing added
    assert "design point's share" not in statement(h["label"], h)


def test_a_leader_below_the_first_in_the_table_says_why():
    """A new user read "chiefly west_security_share (S1 0.19 ± 0.17 ...)" above a table and
    drivers.png that ranked dependence_weight (0.67) and alternatives_weight first: the
    statement now says that those rank above it inside their noise."""
    from alliance_sim.analysis.robustness import statement

    top = {"parameter": "west_security_share", "S1": 0.19, "low": 0.1, "high": 0.4,
           "at_low": 0.26, "at_low_ci": [0.2, 0.32], "at_high": 0.49,
           "at_high_ci": [0.42, 0.56]}  # fmt: skip
    h = {
        "posterior": {"p": 0.1, "lo": 0.08, "hi": 0.14},
        "envelope": {"lo": 0.0, "hi": 1.0},
        "top_driver": top,
        "drivers": [
            {"parameter": "dependence_weight", "S1": 0.67, "S1_conf": 0.9, "ST": 1, "ST_conf": 1},
            {"parameter": "alternatives_weight", "S1": 0.52, "S1_conf": 0.8, "ST": 1,
             "ST_conf": 1},
            {"parameter": "west_security_share", "S1": 0.19, "S1_conf": 0.17, "ST": 0.3,
             "ST_conf": 0.1},
        ],
    }  # fmt: skip
    said = statement("Kyrgyzstan has left", h)
    assert "chiefly west_security_share" in said
    want = (
        "the largest S1 whose two ends differ visibly (dependence_weight 0.67 ± 0.90, "
        "alternatives_weight 0.52 ± 0.80 rank above it, inside their noise)"
    )
    assert want in said, said
    # red-team: one ranked above it clear of zero (its ends overlap, else it would lead) was
    # said to be "inside theirs"
    h["drivers"][0] = {**h["drivers"][0], "S1": 0.72, "S1_conf": 0.3}
    said = statement("Kyrgyzstan has left", h)
    assert (
        "(dependence_weight 0.72 ± 0.30 ranks above it, clear of zero, but its two ends "
        "overlap; alternatives_weight 0.52 ± 0.80 ranks above it, inside its noise)"
    ) in said, said
    h["drivers"] = h["drivers"][2:]
    assert "rank above it" not in statement("Kyrgyzstan has left", h)
    # a tie as printed (0.19 and 0.19) is not "above" it (helper-63)
    h["drivers"] = [{**h["drivers"][0], "parameter": "other", "S1": 0.1912}, *h["drivers"]]
    assert "above it" not in statement("Kyrgyzstan has left", h)


def test_a_driver_whose_ends_overlap_is_not_named_and_a_visible_one_leads():
    """New user (helper-61), robustness at the default 64 samples: "chiefly
    members.KAZ.regime_need (S1 0.11 ± 0.09: 51% [36%, 67%] near 0.3, 42% [22%, 59%] near 1)"
    while exit_hazard and pressure_tolerance (total indices 0.30, 0.27) moved the headline far
    more; at 256 samples the named driver changed.  An index clear of zero whose two ends
    overlap is not called the driver; the first strong driver whose ends differ leads."""
    import alliance_sim.analysis.robustness as rb
    from alliance_sim.analysis.uncertain import Uncertain

    noisy_one = {"parameter": "members.KAZ.regime_need", "S1": 0.11, "S1_conf": 0.09,
                 "ST": 0.04, "ST_conf": 0.05}  # fmt: skip
    top = {**noisy_one, "low": "0.3", "high": "1", "at_low": 0.51, "at_low_ci": [0.36, 0.67],
           "at_high": 0.42, "at_high_ci": [0.22, 0.59]}  # fmt: skip
    h = {
        "posterior": {"p": 0.83, "lo": 0.79, "hi": 0.86},
        "envelope": {"lo": 0.03, "hi": 1.0},
        "top_driver": top,
        "drivers": [noisy_one, {"parameter": "exit_hazard", "S1": 0.08, "S1_conf": 0.2,
                                "ST": 0.30, "ST_conf": 0.1}],
    }  # fmt: skip
    said = rb.statement("Kazakhstan has left", h)
    assert "chiefly" not in said
    assert (
        "no parameter visibly moves it alone: members.KAZ.regime_need, the largest first-order "
        "index clear of zero (S1 0.11 ± 0.09), gives 51% [36%, 67%] near 0.3 and 42% [22%, 59%] "
        "near 1, within their noise; the largest total index clear of its noise is "
        "exit_hazard's, ST 0.30"
    ) in said, said
    # red-team: with no total index clear of its noise it added "(no index is clear of its
    # noise ...)" right after calling an S1 clear of zero
    h["drivers"][1] = {**h["drivers"][1], "ST_conf": 0.4}
    said = rb.statement("Kazakhstan has left", h)
    assert "no index is clear" not in said and "total index" not in said, said

    # summarise: two strong drivers; the first (larger S1) has overlapping ends, the second
    # visible ones: the second leads
    params = [Uncertain(n, 0.0, 1.0, "test", False, False) for n in ("a", "b", "c")]
    fixed = {
        "S1": np.array([0.3, 0.2, 0.01]),
        "S1_conf": np.array([0.1, 0.05, 0.01]),
        "ST": np.array([0.35, 0.25, 0.02]),
        "ST_conf": np.array([0.1, 0.05, 0.01]),
    }
    ends = {0: ([0.3, 0.6], [0.4, 0.7]), 1: ([0.1, 0.2], [0.6, 0.8])}  # column -> (low, high)

    def fake_ends(y, u, d, seed, runs=None):
        lo, hi = ends[int(u[0])]
        return {"at_low": sum(lo) / 2, "at_low_ci": lo, "at_high": sum(hi) / 2,
                "at_high_ci": hi}  # fmt: skip

    mp = pytest.MonkeyPatch()
    mp.setattr(rb, "indices", lambda y, params, seed: fixed)
    mp.setattr(rb, "ends", fake_ends)
    try:
        unit = np.tile(np.array([[0.0, 1.0, 2.0]]), (10, 1))  # column j holds j: which one
        out = rb.summarise(np.linspace(0, 1, 10), unit, params, h["posterior"], 4, 0)
    finally:
        mp.undo()
    assert out["top_driver"]["parameter"] == "b"
    ends[1] = ([0.3, 0.6], [0.4, 0.7])  # neither visible: the first strong one, not named
    mp.setattr(rb, "indices", lambda y, params, seed: fixed)
    mp.setattr(rb, "ends", fake_ends)
    try:
        out = rb.summarise(np.linspace(0, 1, 10), unit, params, h["posterior"], 4, 0)
    finally:
        mp.undo()
    assert out["top_driver"]["parameter"] == "a"
    said = rb.statement("x", {**out, "envelope": out["envelope"]})
    assert "chiefly" not in said and "no parameter visibly moves it alone: a," in said


def test_the_script_says_how_big_and_how_long_each_event_is():
    """A report's "What is scripted" read "2025Q1 KAZ pressure" of a 16-quarter campaign of
    size 0.5, whose size swung the headline from 1% to 80% (helper-61)."""
    from alliance_sim.report.scripted import script

    sc = {
        "events": [
            {"id": "p", "at": "2025Q1", "type": "pressure", "member": "KAZ", "size": 0.5,
             "duration": 16},
            {"id": "q", "at": "2025Q2", "type": "pressure", "member": "KGZ", "size": 0.2},
            {"id": "o", "at": "2025Q3", "type": "offer", "member": "KAZ", "source": "west",
             "kind": "investment", "size": 0.5},
            {"id": "b", "at": "2026Q2", "type": "bandwidth", "change": -0.1},
        ]
    }  # fmt: skip
    said = script(sc)[0]
    assert "2025Q1 KAZ pressure (size 0.5, for 16 quarters)" in said
    assert "2025Q2 KGZ pressure (size 0.2, for 4 quarters)" in said  # the default duration
    assert "2025Q3 KAZ offer (west investment, size 0.5)" in said
    assert "2026Q2 Russian bandwidth (by -0.1)" in said
    # red-team (helper-62): an offer without `kind` lost its source; a signal went unsaid
    sc["events"] += [
        {"id": "c", "at": "2025Q4", "type": "offer", "member": "KAZ", "source": "china",
         "size": 0.3},
        {"id": "v", "at": "2027Q1", "type": "bandwidth", "value": 0.9, "credibility_signal": 1.5},
    ]  # fmt: skip
    said = script(sc)[0]
    assert "2025Q4 KAZ offer (china investment, size 0.3)" in said
    assert "2027Q1 Russian bandwidth (to 0.9, credibility signal 1.5)" in said
    swept = script(sc, ("events.p.size",))[0]  # a swept size is not given as the file's
    assert "2025Q1 KAZ pressure (for 16 quarters; size swept)" in swept


def test_the_scenarios_own_settings_are_named_and_can_be_held(tmp_path, capsys):
    """A new user's scenario raised the offers to Kazakhstan in [region] (0.12, 0.15); its
    robustness varied them from 0.02 to 0.16 and called the range "over what the record does
    not pin down" (helper-61). The scenario's own settings are now named in the statement,
    and --hold-own keeps them at the scenario's values; a [sweep] axis, whose range the
    scenario itself declares uncertain, is not one of them."""
    f = tmp_path / "kz.toml"
    f.write_text(
        'name = "Kazakhstan squeezed"\ndescription = "d"\nextends = "baseline"\n'
        'sources = ["x"]\nend = "2027Q4"\nfocus = ["KAZ"]\n[params]\nwest_opportunism = 1.0\n'
        '[region]\nmembers = ["KAZ"]\nwhy = "w"\nwestern_offer = 0.12\nchinese_offer = 0.15\n'
    )
    sc = load_scenario(f)
    varied = {p.name: p for p in rb.uncertain(sc)}
    own = {n for n, p in varied.items() if p.own}
    assert own == {"region.western_offer", "region.chinese_offer", "west_opportunism"}
    assert not varied["russian_pressure"].own  # baseline's [sweep] range, inherited
    assert rb.kept(sc, list(varied.values())) == {}  # [region]'s values are varied as region.X
    # the file's own value of a parameter its inherited [sweep] covers is a premise (red-team:
    # russian_bandwidth = 0.5 was varied over baseline's 0.2-0.7, unnamed)
    g = tmp_path / "kz2.toml"
    g.write_text(f.read_text().replace("west_opportunism = 1.0", "russian_bandwidth = 0.5"))
    mine = {p.name for p in rb.uncertain(load_scenario(g)) if p.own}
    assert "russian_bandwidth" in mine and "russian_pressure" not in mine
    out = tmp_path / "r"
    argv = ["robustness", str(f), "--out", str(out), "--samples", "8", "--replicates", "2"]
    assert main([*argv, "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "over what the record does not pin down and 3 of the scenario's own settings (" in said
    assert "--hold-own keeps them at the scenario's values)" in said
    r = json.loads((out / "robustness.json").read_text())
    assert {p["name"] for p in r["parameters"] if p["own"]} == own and not r["held"]
    md = (out / "robustness.md").read_text()
    assert "`region.western_offer` 0.02 to 0.16 (set by the scenario: one of its premises" in md
    assert main([*argv, "--quiet", "--hold-own"]) == 2  # another analysis: not replaced
    assert "hold-own False; this one has hold-own True" in capsys.readouterr().err
    assert main([*argv, "--quiet", "--hold-own", "--force"]) == 0
    said = capsys.readouterr().out
    assert "(the scenario's own settings held at its values: west_opportunism, region." in said
    r = json.loads((out / "robustness.json").read_text())
    assert {h["name"] for h in r["held"]} == own and not any(p["own"] for p in r["parameters"])
    assert r["command"].endswith("--hold-own") and r["hold_own"] is True
    assert all(n not in {p["name"] for p in r["parameters"]} for n in own)


def test_the_drivers_figure_footer_lines_do_not_overlap(tmp_path, monkeypatch):
    """drivers.png printed its footnote and its provenance on one line, over each other
    (helper-61); its title says when the scenario's own settings were varied too."""
    from alliance_sim.report import robustness as rr

    seen = {}
    monkeypatch.setattr(rr, "save", lambda fig, path, **k: seen.setdefault("fig", fig))
    row = {"parameter": "exit_hazard", "S1": 0.3, "S1_conf": 0.1, "ST": 0.4, "ST_conf": 0.1,
           "identified": False, "sourced": False}  # fmt: skip
    head = {"label": "Kazakhstan has left by 2030Q4", "drivers": [row], "noise_share": 0.1,
            "posterior": {"p": 0.5, "lo": 0.4, "hi": 0.6}, "envelope": {"lo": 0.0, "hi": 1.0},
            "own_varied": ["region.western_offer", "region.chinese_offer"]}  # fmt: skip
    rr.figure({"headlines": [head], "scenario": "a long scenario name " * 3,
               "scenario_hash": "f" * 16, "alliance_sim": "0.1.0"}, tmp_path / "d.png")  # fmt: skip
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = seen["fig"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.texts]
    assert len(boxes) == 2 and not boxes[0].overlaps(boxes[1])
    assert "and 2 of the scenario's own settings" in fig.axes[0].get_title(loc="right")
    # one legend below the panels, clear of the footer and of the axes (inside a panel it
    # covered bars: helper-72)
    legend = fig.legends[0].get_window_extent(renderer)
    assert not any(legend.overlaps(b) for b in boxes)
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.x1  # one panel: cut at both sides
    assert not legend.overlaps(fig.axes[0].get_tightbbox(renderer))


def test_a_swept_quarter_reads_as_a_quarter_in_the_script():
    """ "sweeps events.arm_appeal.at from 8101 to 8105" (ordinals; helper-63)."""
    from types import SimpleNamespace

    from alliance_sim.report.scripted import axis_text

    ax = SimpleNamespace(name="events.a.at", values=None, low=8101, high=8105, quarter=True)
    assert axis_text(ax) == "events.a.at from 2025Q2 to 2026Q2"


def test_a_named_drivers_numbers_read_as_its_rule_does():
    """helper-63: "chiefly X (S1 0.31 ± 0.31 ...)" of an interval above zero by 0.007, and
    ends "18% [1%, 50%]" and "0% [0%, 1%]" of intervals that are apart, read as if the rule
    had been broken. Printed with the decimals that show what the rule saw."""
    from alliance_sim.analysis.robustness import statement

    row = {"parameter": "dependence_weight", "S1": 0.3116, "S1_conf": 0.3061, "ST": 0.4,
           "ST_conf": 0.1, "identified": False, "sourced": False}  # fmt: skip
    top = {"parameter": "dependence_weight", "S1": 0.3116, "low": "1", "high": "4.5",
           "at_low": 0.18, "at_low_ci": [0.0127, 0.503], "at_high": 0.0,
           "at_high_ci": [0.0, 0.0083]}  # fmt: skip
    h = {"posterior": {"p": 0.1, "lo": 0.05, "hi": 0.15}, "envelope": {"lo": 0.0, "hi": 0.6},
         "top_driver": top, "drivers": [row]}  # fmt: skip
    said = statement("Kyrgyzstan has left", h)
    assert "chiefly dependence_weight (S1 0.312 ± 0.306: 18.0% [1.3%, 50.3%] near 1, 0.0% " in said
    assert "[0.0%, 0.8%] near 4.5)" in said
    top.update(at_low_ci=[0.12, 0.5])  # apart at whole percentages: as before
    row.update(S1=0.3, S1_conf=0.1)
    top.update(S1=0.3)
    said = statement("Kyrgyzstan has left", h)
    assert "(S1 0.30 ± 0.10: 18% [12%, 50%] near 1, 0% [0%, 1%] near 4.5)" in said


def test_a_hand_set_figure_with_no_range_is_said_to_be_kept(tmp_path):
    """A user's remittances_from_russia = 0.6 for Kyrgyzstan (the record's figure is sourced,
    so it has no plausible range) was neither varied nor named among the premises the
    statement says it keeps (helper-67)."""
    from alliance_sim.analysis.robustness_words import _premises

    f = tmp_path / "kgz.toml"
    f.write_text('name = "K"\nextends = "baseline"\nfocus = ["KGZ"]\nend = "2028Q4"\n'
                 "[members.KGZ]\nremittances_from_russia = 0.6\n")  # fmt: skip
    sc = load_scenario(f)
    fixed = rb.kept(sc, rb.uncertain(sc))
    assert fixed == {"members.KGZ.remittances_from_russia": "no plausible range"}, fixed
    r = rb.analyse(sc, samples=8, replicates=2, answer_runs=20)
    h = r["headlines"][0]
    assert h["own_fixed"] == list(fixed) and h["own_fixed_why"] == fixed
    said = "(kept as the scenario sets it: members.KGZ.remittances_from_russia (no plausible "
    assert said in h["statement"]
    both = _premises(
        {"own_varied": ["region.chinese_offer"], "own_fixed": list(fixed), "own_fixed_why": fixed}
    )
    assert both == (
        " and 1 of the scenario's own settings (region.chinese_offer; --hold-own keeps it at "
        "the scenario's values; kept as the scenario sets it: members.KGZ.remittances_from_"
        "russia (no plausible range))"
    )
    # a figure with a range that is not varied says why: not a focus member's (a red-team
    # read "no plausible range" beside a range of 0.2-0.7), and a switch is named too
    g = tmp_path / "wo.toml"
    g.write_text('name = "W"\nextends = "armenia_exits"\nfocus = ["ARM"]\n[params]\n'
                 "mech_fear_of_patron = 0\n[members.KGZ]\nwestern_openness = 0.5\n")  # fmt: skip
    # (its own focus: without one, the members the file names would lead it, KGZ's figure
    # then a focus member's, varied)
    other = load_scenario(g)
    got = rb.kept(other, rb.uncertain(other))
    assert {k: v for k, v in got.items() if not k.startswith("events.")} == {
        "mech_fear_of_patron": "a mechanism's switch",
        "members.KGZ.western_openness": "not a focus member's figure",
    }
    swept = {u.name for u in rb.uncertain(other)}  # armenia_exits' events: swept or named
    assert got["events.border_attack.at"] == "an event's date"
    assert got["events.french_arms.size"] == "an event's figure"
    assert not swept & set(got)


def test_the_scenarios_events_are_named_as_kept(tmp_path):
    """A user's twenty Chinese offers, whose size moved Kyrgyzstan's exit from 1% to 34%,
    were neither varied nor named: "0%-75% over what the record does not pin down" and an
    empty own_fixed (helper-75).  An event's date and figures are named as kept, unless a
    [sweep] range varies them."""
    f = tmp_path / "cn.toml"
    f.write_text(
        'name = "CN"\nextends = "baseline"\nfocus = ["KGZ"]\nend = "2030Q4"\n'
        '[[events]]\nid = "sco"\nat = "2026Q1"\ntype = "offer"\nmember = "KGZ"\n'
        'source = "china"\nkind = "sco"\nsize = 0.2\n'
    )
    sc = load_scenario(f)
    fixed = rb.kept(sc, rb.uncertain(sc))
    assert fixed == {"events.sco.at": "an event's date", "events.sco.size": "an event's figure"}
    r = rb.analyse(sc, samples=8, replicates=2, answer_runs=20)
    said = "kept as the scenario sets them: events.sco.at (an event's date), events.sco.size"
    assert said in r["headlines"][0]["statement"]


def test_a_report_uses_the_robustness_analysis_the_user_ran(tmp_path, monkeypatch, capsys):
    """A report said "no shipped analysis of this scenario; ... run alliance-sim robustness"
    beside an analysis the user had run (helper-67): `compare --robustness DIR` and
    `build_report(robustness=[DIR])` put its statements in the report."""
    from alliance_sim import build_report

    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.toml").write_text(
        'name = "K"\nextends = "baseline"\nfocus = ["KGZ"]\nend = "2026Q4"\n'
    )
    assert main(["run", "k.toml", "--replicates", "4", "--out", "k", "--quiet"]) == 0
    assert main(["run", "baseline", "--end", "2026Q4", "--replicates", "4", "--out", "b",
                 "--quiet"]) == 0  # fmt: skip
    argv = ["robustness", "k.toml", "--out", "rob", "--samples", "8", "--replicates", "2"]
    assert main([*argv, "--quiet"]) == 0
    said = json.loads((tmp_path / "rob" / "robustness.json").read_text())
    lead = said["headlines"][0]["statement"]
    capsys.readouterr()
    assert main(["compare", "b", "k", "--out", "r.md", "--robustness", "rob"]) == 0
    page = (tmp_path / "r.md").read_text()
    assert "- k: what it rests on beyond the fitted model, from the analysis of this " in page
    assert "(rob; alliance-sim robustness k.toml --out DIR --samples 8" in page
    assert f"  - {lead}." in page
    # what was found before what to run: the reference (baseline cut to 2026Q4) has no
    # analysis at that horizon, and its instruction came first (helper-71)
    section = page[page.index("- k: what it rests on") - 2 :]
    assert "The shipped robustness analysis of baseline is at 2034Q4" in section
    assert main(["compare", "b", "k", "--out", "r2.md"]) == 0  # without it: the command
    assert "k: no shipped analysis of this scenario" in (tmp_path / "r2.md").read_text()
    capsys.readouterr()
    assert main(["compare", "b", "k", "--out", "r3.md", "--robustness", "b"]) == 2
    err = capsys.readouterr().err
    assert "--robustness b: no robustness analysis there" in err and err.count("\n") == 1
    (tmp_path / "other.toml").write_text('name = "O"\nextends = "k.toml"\nend = "2027Q4"\n')
    assert main(["robustness", "other.toml", "--out", "rob2", "--samples", "8",
                 "--replicates", "2", "--quiet"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["compare", "b", "k", "--out", "r3.md", "--robustness", "rob2"]) == 2
    err = capsys.readouterr().err
    assert "--robustness rob2: an analysis of 'O' (scenario " in err and "none of the" in err
    assert not (tmp_path / "r3.md").exists()
    out = build_report(["b", "k"], tmp_path / "r4.html", robustness=["rob"], quiet=True)
    assert lead.split(":")[0] in out.read_text()


def test_events_on_a_state_outside_and_on_two_members_are_read_too(tmp_path):
    """An offer to Uzbekistan (outside the alliance since 2012) and a clash naming its two
    members in `members` got no line (a red-team)."""
    from alliance_sim.report.sections import _left_before, gone_before

    f = tmp_path / "uz.toml"
    f.write_text(
        'name = "UZ"\nextends = "baseline"\nend = "2026Q4"\n[[events]]\nid = "u"\n'
        'at = "2025Q1"\ntype = "offer"\nmember = "UZB"\nsource = "china"\nsize = 0.3\n'
        '[[events]]\nid = "c"\nat = "2026Q1"\ntype = "clash"\nmembers = ["ARM", "KGZ"]\n'
    )
    r = run_scenario(f, tmp_path / "uz", replicates=10, quiet=True)
    lines = gone_before(r)
    assert lines[0] == (
        "Uzbekistan is outside the alliance as 2025Q1 opens in every run of UZ: its 2025Q1 "
        "offer acts on a state outside it"
    )
    k, n = _left_before(r, "ARM", 5, False)  # 2026Q1
    said = any("before 2026Q1" in x and "clash" in x for x in lines)
    assert said == (k / n >= 0.25), (k, n, lines)
    # where the quarter before is not recorded, exit quarters are read: not for a joiner,
    # whose runs would count as in before it joined (a red-team)
    from alliance_sim import sweep

    thin = sweep("baseline", tmp_path / "t", samples=1, replicates=2, end="2026Q4",
                 record="every:8", quiet=True)  # fmt: skip
    assert _left_before(thin, "IRN", 3, False) is None
    assert _left_before(thin, "ARM", 3, False)[1] == 2


def test_two_analyses_of_one_scenario_are_refused(tmp_path, monkeypatch, capsys):
    """`--robustness A --robustness B` of the same scenario used the last one without a word
    (a red-team)."""
    import shutil

    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.toml").write_text('name = "K"\nextends = "baseline"\nend = "2025Q4"\n')
    assert main(["run", "k.toml", "--replicates", "3", "--out", "k", "--quiet"]) == 0
    assert main(["run", "baseline", "--replicates", "3", "--end", "2025Q4", "--out", "b",
                 "--quiet"]) == 0  # fmt: skip
    argv = ["robustness", "k.toml", "--samples", "8", "--replicates", "2", "--quiet"]
    assert main([*argv, "--out", "rob"]) == 0
    shutil.copytree(tmp_path / "rob", tmp_path / "rob2")
    capsys.readouterr()
    argv = ["compare", "b", "k", "--out", "r.md", "--robustness", "rob", "--robustness", "rob2"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--robustness rob2: a second analysis of K (scenario " in err and "beside rob;" in err
    assert "asking the same (outcome exit)" in err
    assert not (tmp_path / "r.md").exists()
    # an exit and a hedging analysis of one scenario stand side by side (helper-75: a report
    # about hedging could carry only one of them)
    rob = ["robustness", "k.toml", "--samples", "8", "--replicates", "2", "--quiet"]
    assert main([*rob, "--out", "robh", "--outcome", "hedging"]) == 0
    capsys.readouterr()
    argv = ["compare", "b", "k", "--out", "r.md", "--robustness", "rob", "--robustness", "robh"]
    assert main(argv) == 0
    said = (tmp_path / "r.md").read_text()
    assert "K has left by 2025Q4" not in said  # (K's headlines are its focus members')
    assert "is hedging, suspended or out at 2025Q4" in said and "has left by 2025Q4" in said
    assert "--outcome hedging" in said


def test_the_figure_draws_the_total_index_the_statement_names():
    """A statement named "largest total index clear of its noise: alternatives_weight, ST
    0.62" that drivers.png, the twelve largest first-order indices, did not draw."""
    from alliance_sim.analysis.robustness_words import largest_total
    from alliance_sim.report.robustness import SHOWN, drawn

    drivers = [{"parameter": f"p{i}", "S1": 0.3 - 0.01 * i, "ST": 0.3 - 0.01 * i,
                "ST_conf": 0.5} for i in range(SHOWN + 3)]  # fmt: skip
    drivers.append({"parameter": "alternatives_weight", "S1": 0.03, "ST": 0.62, "ST_conf": 0.2})
    assert largest_total(drivers)["parameter"] == "alternatives_weight"
    rows = drawn(drivers)
    assert len(rows) == SHOWN and rows[-1]["parameter"] == "alternatives_weight"
    assert [r["parameter"] for r in rows[:-1]] == [f"p{i}" for i in range(SHOWN - 1)]
    from alliance_sim.report.robustness import tabled

    assert tabled(drivers) == rows  # and the table under it lists it too (helper-99)
    drivers[-1]["ST_conf"] = 0.9  # inside its noise: not named, not forced in
    assert drawn(drivers) == drivers[:SHOWN] == tabled(drivers)


def test_two_analyses_finishing_together_into_one_folder_do_not_mix(tmp_path, monkeypatch):
    """Two analyses started at once both passed the folder's first check; the second to
    finish replaced the first's files (or mixed them). The files are written under the
    folder's lock and the folder checked again there: as if run one after the other."""
    from contextlib import contextmanager

    from alliance_sim.errors import AllianceSimError, UserError
    from alliance_sim.report import robustness as rr
    from alliance_sim.runs.locks import writer

    first = rb.shipped("baseline")
    other = {**first, "replicates": first["replicates"] + 1}
    out = tmp_path / "r"
    out.mkdir()
    busy = pytest.raises(AllianceSimError, match="being written by another alliance-sim proc")
    with writer(out), busy:  # another process writes
        rr.write(dict(other), out)
    assert not (out / "robustness.json").exists()
    from alliance_sim.report import robustness_dir as rd

    real = rd.writer

    @contextmanager
    def finished_first(d):  # the other analysis finishes while this one computes
        monkeypatch.setattr(rd, "writer", real)
        rr.write(dict(first), d)
        with real(d):
            yield

    monkeypatch.setattr(rd, "writer", finished_first)
    with pytest.raises(UserError, match="holds an earlier robustness analysis"):
        rr.write(dict(other), out)
    kept = json.loads((out / "robustness.json").read_text())
    assert kept["replicates"] == first["replicates"]
    rr.write(dict(first), out)  # the same analysis again, beside the lock file: replaced
    assert sorted(p.name for p in out.iterdir()) == sorted((*rr.FILES, ".alliance-sim.lock"))


def test_an_analysis_made_by_another_model_is_named_as_such():
    """An analysis is matched to a result by scenario hash, which a change of the equations
    leaves alone: one made by another model (its stamp recorded) says so in a report."""
    from alliance_sim.report.robustness import rests_on

    r = dict(rb.shipped("baseline"))
    args = ("baseline", "baseline", r["scenario_hash"], r["horizon"])
    same = rests_on(*args, given=("out/rob", {**r, "model": "a" * 16}), model="a" * 16)
    assert "another model" not in same[0] and same[1].startswith("- ")
    other = rests_on(*args, given=("out/rob", {**r, "model": "a" * 16}), model="b" * 16)
    assert f"made by another model ({'a' * 16}; this result's is {'b' * 16})" in other[0]
    assert other[1:] == same[1:]
    unknown = rests_on(*args, given=("out/rob", {k: v for k, v in r.items() if k != "model"}))
    assert "another model" not in unknown[0]  # written before analyses recorded it: no claim


def test_the_terminal_line_of_drivers_carries_the_noise_caveat(tmp_path, monkeypatch, capsys):
    """At a small design the line "not pinned down and not sourced, S1 >= 0.1: ..." was read
    alone, its caveat ("replicate noise is about 68% ...") being in the sentence above
    (helper-71)."""
    from alliance_sim.report import robustness_api

    head = {"statement": "A 2% [1%, 4%]", "unsupported": ["fear_weight"], "noise_share": 0.68}
    quiet = {**head, "statement": "B 3%", "noise_share": 0.1}
    result = {"headlines": [head, quiet], "runs": 8, "points": 4, "replicates": 2,
              "parameters": [1], "seconds": 1.0}  # fmt: skip
    monkeypatch.setattr(robustness_api, "analyse_into", lambda *a, **k: (result, tmp_path, None))
    assert main(["robustness", "baseline", "--out", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == (
        "  not pinned down and not sourced, S1 >= 0.1: fear_weight (replicate noise is about "
        "68% of the spread: may be noise)"
    )
    assert out[3] == "  not pinned down and not sourced, S1 >= 0.1: fear_weight"


def _own_kind(tmp_path, name: str, kind: str, col: str):
    """An analysis of ``name`` asking ``kind`` of its focus members (its headline ``col``) and
    40 runs of the scenario (set k, seed k), whose shares are today's answer."""
    sc = load_scenario(name)
    r = rb.analyse(sc, samples=8, replicates=2, answer_runs=40, outcome=kind)
    head = next(h for h in r["headlines"] if h["outcome"] == col)
    assert r["outcome_kind"] == kind and r["command"].endswith(f" --outcome {kind}")
    return sc, head, run_scenario(sc, tmp_path / "runs", replicates=40, quiet=True).runs


def test_a_headline_about_hedging_has_its_own_analysis(tmp_path, capsys):
    """A report's hedging headline was shown beside an analysis of exit, the only one there
    was (helper-71): `--outcome hedging` asks whether each focus member is hedging, suspended
    or out at the horizon, today's answer being the runs' own shares."""
    sc, kaz, runs = _own_kind(tmp_path, "kazakhstan_unrest_repeat", "hedging",
                              "KAZ_hedging_or_worse")  # fmt: skip
    assert kaz["label"] == f"Kazakhstan is hedging, suspended or out at {sc.end}"
    assert kaz["posterior"]["p"] == (runs["KAZ_status"] >= 2).mean() > 0
    out = tmp_path / "rob"
    argv = ["robustness", "kazakhstan_unrest_repeat", "--out", str(out), "--samples", "8",
            "--replicates", "2", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert main([*argv, "--outcome", "hedging"]) == 2  # another analysis: not replaced
    err = capsys.readouterr().err
    assert "(outcome exit; this one has outcome hedging)" in err  # as the option names it
    with pytest.raises(SystemExit) as stop:  # argparse: one line, exit 2
        main([*argv, "--outcome", "hedge"])
    assert stop.value.code == 2 and "invalid choice: 'hedge'" in capsys.readouterr().err
    from alliance_sim import robustness
    from alliance_sim.errors import AllianceSimError

    allowed = r"outcome = 'hedge': allowed 'exit', 'suspended', 'hedging'"
    with pytest.raises(AllianceSimError, match=allowed):
        robustness("kazakhstan_unrest_repeat", samples=8, replicates=2, outcome="hedge")


def test_a_second_analysis_into_a_busy_folder_is_refused_before_it_runs(tmp_path, monkeypatch):
    """The folder's lock was taken only to write: a second analysis ran to its end and was
    then refused, its work lost (red-team). The lock is held from before the analysis, and
    folders made for an analysis that fails are removed again."""
    from alliance_sim.errors import AllianceSimError
    from alliance_sim.report import robustness_api
    from alliance_sim.runs.locks import writer

    ran = []
    monkeypatch.setattr(rb, "analyse", lambda *a, **k: ran.append(1) or 1 / 0)
    sc = load_scenario("armenia_exits")
    kw = dict(samples=8, replicates=2, seed=0, hold_own=False, force=False)
    busy = tmp_path / "busy"
    busy.mkdir()
    with writer(busy), pytest.raises(AllianceSimError, match="being written by another"):
        robustness_api.analyse_into(sc, busy, **kw)
    assert not ran
    new = tmp_path / "a" / "b"
    with pytest.raises(ZeroDivisionError):
        robustness_api.analyse_into(sc, new, **kw)
    assert ran and not (tmp_path / "a").exists()  # made for it, and removed


def test_third_red_team_of_the_robustness_folder_and_outcome(tmp_path, monkeypatch, capsys):
    """A refused analysis removed the running one's lock and folder (it thought it had made
    them); a folder named drivers.png was met only after the whole analysis; Uzbekistan, out
    since 2012, read 0% "hedging, suspended or out" (helper-72)."""
    from contextlib import contextmanager

    from alliance_sim.analysis.uncertain import outcome_values
    from alliance_sim.errors import StoreError
    from alliance_sim.report import robustness_dir as rd

    @contextmanager
    def refused(d):  # another process took the lock first
        raise StoreError(f"{d} is being written by another alliance-sim process")
        yield

    monkeypatch.setattr(rd, "writer", refused)
    new = tmp_path / "n" / "x"
    with pytest.raises(StoreError), rd.holding(new, {"scenario_hash": "h"}):
        pass
    assert new.is_dir()  # the other process's folder: not this one's to remove
    monkeypatch.undo()
    out = tmp_path / "rob"
    out.mkdir()
    (out / "robustness.md").write_text(rd.TITLE + "X\n")
    (out / "drivers.png").mkdir()
    assert main(["robustness", "armenia_exits", "--out", str(out), "--samples", "8",
                 "--replicates", "2", "--quiet"]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "holds drivers.png, which is not a file alliance-sim wrote" in err
    assert err.count("\n") == 1 and not (out / "robustness.json").exists()  # before it ran
    status = {"UZB_status": np.array([1.0, 2.0, 3.0, 4.0, np.nan, 0.0])}
    assert outcome_values(status, "UZB_hedging_or_worse").tolist() == [0, 1, 1, 1, 1, 1]


def test_an_analysis_stopped_while_it_writes_leaves_the_earlier_one_whole(tmp_path, monkeypatch):
    """Stopped while drivers.png was written, an earlier analysis was left with half a figure
    (savefig writes in place), or with our temporary file, which then made the same command
    refuse the folder (helper-73)."""
    from alliance_sim.report import robustness as rr
    from alliance_sim.runs import atomic

    first = rb.shipped("baseline")
    d = tmp_path / "r"
    rr.write(dict(first), d)
    before = {n: (d / n).read_bytes() for n in rr.FILES}

    def half(result, path):  # a figure cut short by Ctrl-C
        path.write_bytes(b"\x89PNG")
        raise KeyboardInterrupt

    monkeypatch.setattr(rr, "figure", half)
    with pytest.raises(KeyboardInterrupt):
        rr.write({**first, "seed": 1}, d, force=True)
    monkeypatch.undo()

    def stopped(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic.os, "fsync", stopped)  # stopped while the JSON is written
    with pytest.raises(KeyboardInterrupt):
        rr.write({**first, "seed": 1}, d, force=True)
    monkeypatch.undo()
    assert {n: (d / n).read_bytes() for n in rr.FILES} == before
    assert sorted(p.name for p in d.iterdir()) == sorted((*rr.FILES, ".alliance-sim.lock"))
    (d / ".drivers.tmp99.png").write_bytes(b"x")  # a kill -9's leftover: ours, not a stranger
    rr.write(dict(first), d)


def test_a_ctrl_c_between_the_renames_leaves_one_analysis_not_a_mix(tmp_path, monkeypatch, ctrl_c):
    """A Ctrl-C that landed after robustness.json was put in place kept the new JSON beside
    the old figure and text (helper-74): the three renames run with SIGINT held back, so
    the folder holds one analysis or the other, whole."""
    import os
    import signal

    from alliance_sim.report import robustness as rr

    first = rb.shipped("baseline")
    d = tmp_path / "r"
    rr.write(dict(first), d)
    real = os.replace
    calls = []

    def interrupted(src, dst):  # Ctrl-C at the first rename
        if not calls:
            os.kill(os.getpid(), signal.SIGINT)
        calls.append(dst)
        real(src, dst)

    monkeypatch.setattr(rr.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        rr.write({**first, "seed": 7}, d, force=True)
    monkeypatch.undo()
    assert len(calls) == 3  # all three renamed before the interrupt was delivered
    assert json.loads((d / "robustness.json").read_text())["seed"] == 7
    assert "--seed 7" not in first["command"]  # the md is the new one too (it states its hash)
    assert (d / "robustness.md").read_text() == rr.markdown({**first, "seed": 7})


def test_a_state_outside_at_the_start_is_asked_whether_it_is_a_member(baseline, tmp_path):
    """Uzbekistan, out since 2012, is a candidate in every forecast: asked whether it "has
    left by 2034Q4", it read 0% -- a state that left twelve years before (helper-72).  Like
    Iran it is asked whether it is a member at the horizon, and the answer is the runs'."""
    from alliance_sim.analysis.uncertain import headline_outcomes

    focus = ["UZB", "ARM", "IRN"]  # (in its description too: else run_scenario refuses it)
    sc = replace(baseline, focus=tuple(focus), data={**baseline.data, "focus": focus})
    for kind in ("exit", "hedging"):
        heads = headline_outcomes(sc, kind)
        assert heads[0] == ("UZB_joined", f"Uzbekistan is a member at {sc.end}")
        assert heads[2] == ("IRN_joined", f"Iran is a member at {sc.end}")
    assert headline_outcomes(sc, "exit")[1][0] == "ARM_exited"
    ans = rb.posterior_answer(sc, 40, 0)
    assert set(ans) == {"UZB_joined", "ARM_exited", "IRN_joined"}
    runs = run_scenario(sc, tmp_path / "r", replicates=40, seed=0, quiet=True).runs
    if "point" in runs:  # the baseline's sweep: its base point is not one of them
        runs = runs[runs["point"] == runs["point"].min()]
    assert 0 <= ans["UZB_joined"]["p"] <= 0.1 and runs["UZB_joined"].mean() <= 0.1


def test_the_mark_is_explained_only_where_a_bar_carries_it():
    """A figure whose outcome does not vary (Uzbekistan a member at the horizon: 0% at every
    point) has no bars, yet its footnote explained the mark of a bar (a red-team)."""
    from alliance_sim.report.robustness import footnote

    heads = rb.shipped("baseline")["headlines"]
    assert footnote(heads) == "* not identified by calibration and not from a cited source"
    still = [dict(h, drivers=[]) for h in heads]
    assert footnote(still) == ""
    sourced = [dict(h, drivers=[dict(r, sourced=True) for r in h["drivers"]]) for h in heads]
    assert footnote(sourced) == ""


def test_the_progress_line_is_one_line_in_a_log(tmp_path, capsys):
    """Piped into `tail`, the progress updates ran together ("design points 2,500 of
    2,848design points 2,848 of 2,848": helper-75): off a terminal only the last is printed,
    on a line of its own."""
    argv = ["robustness", "baseline", "--out", str(tmp_path / "r"), "--samples", "8",
            "--replicates", "2"]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and err.count("design points") == 1
    assert "design points 664 of 664\n" in err


def test_an_end_of_no_exit_in_few_runs_is_not_certain():
    """ "0% [0%, 0%] near 4.5": every design point near that end had no exit in its 8 runs,
    and the bootstrap over points, which sees only their means, closed the interval at zero
    (helper-75); it is never narrower than the runs pooled there allow."""
    from alliance_sim.analysis.robustness import ends

    d, n = 3, 64
    u = np.random.default_rng(1).random(n * (d + 2))
    y = np.where(u <= 0.2, 0.0, 0.5)  # no exit wherever the parameter is low
    closed = ends(y, u, d, 0)
    assert closed["at_low"] == 0 and closed["at_low_ci"] == [0.0, 0.0]
    got = ends(y, u, d, 0, runs=8)
    assert got["at_low"] == 0 and got["at_low_ci"][0] == 0 and 0 < got["at_low_ci"][1] < 0.05
    pooled = int((u <= 0.2).sum()) * 8
    from alliance_sim.analysis.stats import wilson

    assert got["at_low_ci"][1] == pytest.approx(wilson(0, pooled)[1])
    assert got["at_high_ci"][0] <= 0.5 <= got["at_high_ci"][1]


def test_the_fitted_answer_counts_the_runs_run_counts(tmp_path):
    """Armenia, out of the alliance at the start in a few of the posterior's replays, was
    counted as "not left" in those runs: 116 of 400 where the run table gave 72.5% of 397
    (helper-77).  An exit is counted over the runs in which the state was a member, as `run`
    counts it, in the fitted answer and at every design point."""
    baseline = load_scenario(armenia_gone_in_three_replays(tmp_path))
    runs = run_scenario(baseline, tmp_path / "r", replicates=400, seed=0, quiet=True).runs
    runs = runs[runs["point"] == runs["point"].min()] if "point" in runs else runs
    member = runs["ARM_exited"].notna()
    assert (~member).sum() > 0  # replays in which Armenia had already left: the case
    got = rb.posterior_answer(baseline, 400, 0)["ARM_exited"]
    assert got["runs"] == member.sum() < 400
    assert got["p"] == pytest.approx(runs["ARM_exited"].mean())  # pandas skips the NaN
    from alliance_sim.analysis.uncertain import point_means

    y = np.array([1.0, np.nan, 0.0, 1.0, 1.0, 1.0])
    assert point_means(y, 3).tolist() == [0.5, 1.0]
    with pytest.raises(rb.AnalysisError, match="outside the alliance at the start in every"):
        point_means(np.array([np.nan, np.nan, 1.0, 0.0]), 2)


def test_a_hand_edited_question_is_refused(tmp_path):
    """A copy of an exit analysis with "hold_own": "false" passed as another question and the
    same analysis stood twice in a report (third red-team)."""
    from alliance_sim.errors import UserError
    from alliance_sim.report.robustness_api import read_analyses

    class R:  # what read_analyses reads of a compared result
        name = "Baseline"

        class manifest:
            scenario_hash = rb.shipped("baseline")["scenario_hash"]

    for key, value in (("hold_own", "false"), ("outcome_kind", "Hedging"), ("outcome_kind", None)):
        r = dict(rb.shipped("baseline"), **{key: value})
        (tmp_path / "e.json").write_text(json.dumps(r))
        with pytest.raises(UserError, match="allowed an analysis as alliance-sim robustness wrote"):
            read_analyses([str(tmp_path / "e.json")], [R()])


def test_robustness_at_the_quarter_a_run_was_cut_to(tmp_path, monkeypatch, capsys):
    """`robustness --end Q` analyses the scenario a `run --end Q` ran (the same scenario hash),
    so that a report of that run quotes it; before, a user had to save a copy of the file with
    `end = Q` (a new user asked where --end was)."""
    from alliance_sim import robustness
    from alliance_sim.runs.results import Result
    from alliance_sim.scenario.load import with_end

    monkeypatch.chdir(tmp_path)
    small = ["--samples", "8", "--replicates", "2", "--quiet"]
    assert main(["run", "baseline", "--replicates", "8", "--out", "e", "--end", "2028Q4"]) == 0
    assert main(["run", "baseline", "--replicates", "8", "--out", "b"]) == 0
    assert main(["robustness", "baseline", "--end", "2028Q4", "--out", "rob", *small]) == 0
    got = json.loads((tmp_path / "rob" / "robustness.json").read_text())
    assert got["horizon"] == "2028Q4" and all(h["horizon"] == "2028Q4" for h in got["headlines"])
    assert got["scenario_hash"] == Result.open("e").manifest.scenario_hash
    assert got["command"].startswith("alliance-sim robustness baseline --end 2028Q4 --out DIR")
    assert "by 2028Q4" in got["headlines"][0]["statement"]
    capsys.readouterr()
    assert main(["compare", "b", "e", "--out", "r.md", "--robustness", "rob"]) == 0
    page = " ".join((tmp_path / "r.md").read_text().split())
    assert "from the analysis of this scenario (rob; alliance-sim robustness baseline --end " \
        "2028Q4 --out DIR --samples 8" in page  # fmt: skip
    # the same folder at another horizon: refused, saying how the two differ
    capsys.readouterr()
    assert main(["robustness", "baseline", "--out", "rob", *small]) == 2
    err = capsys.readouterr().err
    assert "horizon 2028Q4" in err and "this one has horizon 2034Q4" in err, err
    assert err.count("\n") == 1
    assert main(["robustness", "baseline", "--end", "2020Q1", "--out", "rob3", *small]) == 2
    err = capsys.readouterr().err
    assert "--end 2020Q1" in err and err.count("\n") == 1 and not (tmp_path / "rob3").exists()
    # from Python: end=, or a scenario run to another end, name the same command
    kw = dict(samples=8, replicates=2, quiet=True)
    r1 = robustness("baseline", end="2028Q4", **kw)
    r2 = robustness(with_end(load_scenario("baseline"), "2028Q4"), **kw)
    for r in (r1, r2):
        assert r["scenario_hash"] == got["scenario_hash"]
        assert r["command"] == got["command"]
    assert robustness("baseline", **kw)["command"].startswith(
        "alliance-sim robustness baseline --out DIR"
    )


@pytest.mark.slow  # (two robustness analyses and four runs: ~26 s)
def test_a_comparison_at_an_earlier_quarter_names_and_quotes_analyses_at_that_quarter(
    tmp_path, monkeypatch, capsys
):
    """`compare b w --at 2028Q4` of runs to 2034Q4 told the user to run `robustness
    western_surge --out DIR` and `--against baseline --out DIR`, which analyse 2034Q4, not the
    quarter compared (helper-99). It names `--end 2028Q4` now, and `--robustness` of such an
    analysis is quoted for the full run compared there (its runs to 2028Q4 are the same)."""
    monkeypatch.chdir(tmp_path)
    small = ["--samples", "8", "--replicates", "2", "--quiet"]
    assert main(["run", "baseline", "--replicates", "8", "--out", "b", "--quiet"]) == 0
    assert main(["run", "western_surge", "--replicates", "8", "--out", "w", "--quiet"]) == 0
    assert main(["compare", "b", "w", "--at", "2028Q4", "--out", "r.md"]) == 0
    page = " ".join((tmp_path / "r.md").read_text().split())
    assert "(at 2028Q4: alliance-sim robustness western_surge --end 2028Q4 --out DIR)" in page
    assert "alliance-sim robustness western_surge --against baseline --end 2028Q4 --out" in page
    assert main(["robustness", "western_surge", "--end", "2028Q4", "--out", "rob", *small]) == 0
    capsys.readouterr()
    args = ["compare", "b", "w", "--at", "2028Q4", "--out", "r2.md", "--robustness", "rob"]
    assert main(args) == 0
    page = " ".join((tmp_path / "r2.md").read_text().split())
    quoted = "western_surge: what it rests on beyond the fitted model, from the analysis of "
    assert quoted + "this scenario (rob; alliance-sim robustness western_surge --end 2028Q4" in page
    # at another quarter the same analysis is refused, naming both quarters (it had said the
    # analysis was "of none of the compared results": red team)
    capsys.readouterr()
    args = ["compare", "b", "w", "--at", "2030Q4", "--out", "r3.md", "--robustness", "rob"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "an analysis of Western surge at 2028Q4, and this comparison reads 2030Q4" in err, err
    assert err.count("\n") == 1
    # a file of the user's, with no shipped analysis: the command it names is at 2028Q4 too
    (tmp_path / "own.toml").write_text('name = "Own"\nextends = "western_surge"\n')
    assert main(["run", "own.toml", "--replicates", "8", "--out", "o", "--quiet"]) == 0
    assert main(["compare", "b", "o", "--at", "2028Q4", "--out", "r4.md"]) == 0
    page = " ".join((tmp_path / "r4.md").read_text().split())
    assert "fitted model: alliance-sim robustness own.toml --end 2028Q4 --out DIR" in page


def test_a_total_index_below_its_first_order_one_is_called_the_estimates_error():
    """At small --samples a table showed ST below S1 (0.20 beside 0.41) with nothing to say that
    no true pair of indices can do that (a new user); the report now names those rows and says
    it is the estimates' error (more --samples), and says nothing where none is below."""
    import copy

    from alliance_sim.report import robustness as rr

    first = rb.shipped("baseline")
    r = copy.deepcopy(first)
    for h in r["headlines"]:
        for d in h["drivers"]:
            d["ST"] = max(d["ST"] or 0.0, d["S1"] or 0.0)
    assert "ST below S1" not in rr.markdown(r)
    top, second = r["headlines"][0]["drivers"][:2]
    top["ST"] = (top["S1"] or 0.0) / 2
    second["ST"] = None  # printed "—": not a number below anything (helper-109)
    assert f"ST below S1 (`{top['parameter']}`) is the estimates' error" in rr.markdown(r)
    # compared as the table prints them, at the finer of the two printings (helper-116)
    row = {"S1": 0.0137, "S1_conf": 0.012, "ST": 0.0137, "ST_conf": 0.0018}
    assert not rr._below(row)  # "0.0137" beside "0.01": equal, not below
    assert rr._below({**row, "ST": 0.0045})  # "0.0137" beside "0.0045"
    assert rr._below({"S1": 0.2051, "S1_conf": 0.05, "ST": 0.2049, "ST_conf": 0.05})  # .21/.20
    assert not rr._below({"S1": 0.2049, "S1_conf": 0.05, "ST": 0.2044, "ST_conf": 0.05})
    assert not rr._below({**row, "ST": None}) and not rr._below({**row, "S1": float("nan")})


def test_each_shipped_robustness_md_is_its_json_as_the_report_renders_it():
    """The shipped analyses' robustness.md files are what the renderer makes of their json:
    a change to the report's words reaches them (re-rendered, the runs untouched)."""
    from pathlib import Path

    from alliance_sim.report import robustness as rr

    root = Path(__file__).resolve().parents[1] / "docs" / "robustness"
    dirs = sorted(p for p in root.iterdir() if (p / "robustness.json").is_file())
    assert len(dirs) == 8
    for d in dirs:
        got = rr.markdown(json.loads((d / "robustness.json").read_text()))
        assert (d / "robustness.md").read_text() == got, d.name


def test_a_fitted_answer_outside_the_range_is_said_to_be():
    """ "78% [74%, 82%] with the fitted model; 88%-100% over what the record does not pin down"
    read as a contradiction to a new user (helper-117): the range draws the unpinned
    parameters evenly over their ranges, not where the fit put them, and the statement now
    says so where the two do not overlap; where they do, it says nothing more."""
    import copy

    from alliance_sim.analysis.robustness_words import statement

    h = copy.deepcopy(rb.shipped("baseline")["headlines"][0])
    assert "outside that range" not in statement(h["label"], h)
    h["envelope"] = {**h["envelope"], "lo": 0.88, "hi": 1.0}
    h["posterior"] = {**h["posterior"], "p": 0.78, "lo": 0.74, "hi": 0.82}
    said = statement(h["label"], h)
    assert "78% [74%, 82%] with the fitted model; 88%-100% over what" in said
    assert "the fitted answer lies outside that range" in said


def test_a_replay_is_not_offered_a_robustness_command_it_would_refuse():
    """`run history_2006_2024_calibrated` and a report of it offered `alliance-sim robustness
    history_2006_2024_calibrated --out DIR`, which refuses a replay (helper-118)."""
    from alliance_sim.report.robustness import rests_on

    sc = load_scenario("history_2006_2024_calibrated")
    said = rests_on("history_2006_2024_calibrated", sc.path, sc.hash, sc.end)
    assert len(said) == 1 and "the only kind alliance-sim robustness analyses" in said[0]
    assert "--out DIR" not in said[0]
    base = load_scenario("baseline")  # a forecast still gets its command or its analysis
    assert "robustness" in " ".join(rests_on("baseline", base.path, base.hash, "2030Q4"))


def test_a_headline_about_freezing_or_leaving_has_its_own_analysis(tmp_path):
    """`--outcome suspended` asks whether each focus member is suspended or out at the
    horizon ("freezes or leaves", the question a reader of Armenia asks first), today's answer
    being the runs' own share; a state outside from the start (NaN) counts as out, as under
    `hedging`, and hedging is not suspension."""
    from alliance_sim.analysis.uncertain import outcome_values

    status = {"ARM_status": np.array([1.0, 2.0, 3.0, 4.0, np.nan, 0.0])}
    assert outcome_values(status, "ARM_suspended_or_out").tolist() == [0, 0, 1, 1, 1, 1]
    sc, arm, runs = _own_kind(tmp_path, "armenia_exits", "suspended", "ARM_suspended_or_out")
    assert arm["label"] == f"Armenia is suspended or out at {sc.end}"
    frozen_or_gone = runs["ARM_status"].isin([3, 4]).mean()
    assert arm["posterior"]["p"] == frozen_or_gone > runs["ARM_exited"].mean()


def test_a_variant_made_in_python_is_not_sent_to_its_files_analysis(tmp_path):
    """A run of `with_params(baseline, ...)` was told "alliance-sim robustness baseline --end
    2028Q4", the analysis of a scenario it is not; a run or sweep of the file itself, cut by
    --end, still gets its command."""
    from alliance_sim import sweep
    from alliance_sim.report.robustness import rests_on
    from alliance_sim.scenario.load import with_params

    v = with_params(load_scenario("baseline"), {"western_offer": 0.2})
    r = run_scenario(v, tmp_path / "v", replicates=4, end="2028Q4", quiet=True)
    m = r.manifest
    said = rests_on("v", m.scenario_path, m.scenario_hash, m.plan.end)
    assert said[0].startswith("v: not baseline as its file stands (changed in Python")
    assert "alliance_sim.robustness(scenario)" in said[0]
    own = run_scenario("baseline", tmp_path / "b", replicates=4, end="2028Q4", quiet=True)
    swept = sweep("baseline", tmp_path / "s", replicates=2, samples=2, end="2028Q4", quiet=True)
    for res in (own, swept):
        m = res.manifest
        said = rests_on("baseline", m.scenario_path, m.scenario_hash, m.plan.end)
        assert "robustness baseline --end 2028Q4 --out DIR" in said[0], said
