"""Analysis checks numbers against synthetic data with known answers."""

import json

import numpy as np
import pandas as pd
import pytest

from alliance_sim.analysis.stats import (
    a12,
    bootstrap_ci,
    compare_samples,
    holm,
    mean_ci,
    paired_key,
    proportion_ci,
)
from alliance_sim.cli.main import main
from alliance_sim.scenario.plan import _from_unit, unit_samples
from alliance_sim.scenario.spec import SweepAxis, SweepSpec


def test_bootstrap_ci_covers_the_true_mean_at_about_its_nominal_rate():
    rng = np.random.default_rng(1)
    trials, hits = 300, 0
    for k in range(trials):
        x = rng.exponential(2.0, 60)  # skewed; true mean 2
        est = mean_ci(x, seed=k)
        hits += est.lo <= 2.0 <= est.hi
    rate = hits / trials
    assert 0.90 <= rate <= 0.985, rate


def test_wilson_interval_covers_a_proportion_near_nominal_rate():
    rng = np.random.default_rng(2)
    hits = sum((e := proportion_ci(rng.random(80) < 0.1)).lo <= 0.1 <= e.hi for _ in range(400))
    assert 0.91 <= hits / 400 <= 0.99
    assert proportion_ci(np.zeros(200)).hi > 0  # no collapse at 0


def test_a12_and_holm_known_values():
    assert a12([1, 2, 3], [1, 2, 3]) == 0.5
    assert a12([4, 5, 6], [1, 2, 3]) == 1.0 and a12([1, 2, 3], [4, 5, 6]) == 0.0
    assert a12([1, 2], [2, 3]) == pytest.approx(0.125)
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    assert np.isnan(holm([np.nan, 0.2])[0]) and holm([np.nan, 0.2])[1] == 0.2


@pytest.mark.parametrize("paired", [True, False])
def test_difference_test_finds_a_planted_difference_and_not_a_null_one(paired):
    rng = np.random.default_rng(3)
    base = rng.normal(0.5, 0.1, 200)
    noise = rng.normal(0, 0.05, 200)
    planted = base + 0.05 + noise if paired else rng.normal(0.55, 0.1, 200)
    null = base + noise if paired else rng.normal(0.5, 0.1, 200)
    hit = compare_samples("x", base, planted, paired=paired, binary=False)
    miss = compare_samples("x", base, null, paired=paired, binary=False)
    assert hit.p < 0.01 and hit.diff.lo > 0 and hit.a12.value > 0.5
    assert miss.p > 0.05 and miss.diff.lo < 0 < miss.diff.hi
    assert hit.test == ("Wilcoxon signed-rank" if paired else "Mann-Whitney U")


@pytest.mark.parametrize("paired", [True, False])
def test_binary_difference_uses_mcnemar_or_fisher(paired):
    rng = np.random.default_rng(4)
    a = (rng.random(300) < 0.2).astype(float)
    b = np.where(rng.random(300) < 0.25, 1.0, a) if paired else (rng.random(300) < 0.45) * 1.0
    c = compare_samples("exit", a, b, paired=paired, binary=True)
    assert c.test == ("McNemar (exact)" if paired else "Fisher exact") and c.p < 0.001
    same = compare_samples("exit", a, a.copy(), paired=paired, binary=True)
    assert same.p > 0.5


def test_holm_keeps_false_positives_rare_over_many_null_tests():
    rng = np.random.default_rng(5)
    families_with_error = 0
    for _ in range(60):
        ps = [
            compare_samples(
                "x", rng.normal(size=50), rng.normal(size=50), paired=False, binary=False
            ).p
            for _ in range(10)
        ]
        families_with_error += (holm(ps) < 0.05).any()
    assert families_with_error / 60 <= 0.12


def test_bootstrap_constant_sample():
    e = bootstrap_ci(np.ones(10))
    assert (e.value, e.lo, e.hi) == (1.0, 1.0, 1.0)


def test_pairing_by_seed_and_point():
    a = pd.DataFrame({"seed": [1, 2, 1, 2], "x": [0, 0, 1, 1], "o": 0.0})
    assert paired_key(a, a.copy(), ["x"], ["x"]) == ["seed", "x"]
    assert paired_key(a, a.assign(seed=[3, 4, 3, 4]), ["x"], ["x"]) is None
    assert paired_key(a, a.copy(), ["x"], ["y"]) is None


def ishigami(x):
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def fake_sweep(tmp_path, sampler, samples, levels=4, replicates=2):
    """A result directory whose outcome is the Ishigami function of the sweep's design."""
    axes = tuple(SweepAxis(f"x{i}", low=-np.pi, high=np.pi) for i in (1, 2, 3))
    spec = SweepSpec(sampler, samples, replicates, 11, levels, axes)
    u = unit_samples(spec)
    x = np.column_stack([_from_unit(a, u[:, j], False) for j, a in enumerate(axes)])
    y = ishigami(x)
    n = len(y)
    runs = pd.DataFrame(
        {
            "run": np.arange(n * replicates),
            "point": np.repeat(np.arange(n), replicates),
            "replicate": np.tile(np.arange(replicates), n),
            "seed": 0,
            **{f"x{i}": np.repeat(x[:, i - 1], replicates) for i in (1, 2, 3)},
            "ishigami": np.repeat(y, replicates),
            "error": pd.Series([None] * n * replicates, dtype="string"),
        }
    )
    d = tmp_path / sampler
    d.mkdir()
    runs.to_parquet(d / "runs.parquet")
    manifest = {
        "kind": "sweep",
        "status": "complete",
        "scenario_name": "ishigami",
        "scenario_hash": "0",
        "package_version": "test",
        "seeds": [0],
        "plan": {
            "sampler": sampler,
            "samples": samples,
            "levels": levels,
            "design_seed": 11,
            "replicates": replicates,
            "n_points": n,
            "n_runs": n * replicates,
            "master_seed": 0,
            "swept": ["x1", "x2", "x3"],
            "axes": [
                {"name": a.name, "low": a.low, "high": a.high, "values": None, "quarter": False}
                for a in axes
            ],
        },
    }
    (d / "manifest.json").write_text(json.dumps(manifest))
    return d


def test_sobol_indices_of_ishigami_through_the_cli_path(tmp_path, capsys):
    from alliance_sim.analysis.sensitivity import analyse
    from alliance_sim.runs.results import Result

    d = fake_sweep(tmp_path, "saltelli", 1024)
    t = analyse(Result.open(d), "ishigami")
    # analytic values (a = 7, b = 0.1)
    np.testing.assert_allclose(t["S1"], [0.314, 0.442, 0.0], atol=0.04)
    np.testing.assert_allclose(t["ST"], [0.558, 0.442, 0.244], atol=0.04)
    assert main(["sensitivity", str(d), "--outcome", "ishigami", "--out", str(tmp_path / "f")]) == 0
    out = capsys.readouterr().out
    assert (
        "Sobol indices of ishigami" in out
        and (tmp_path / "f" / "sensitivity_ishigami.png").is_file()
    )
    # the printed table is written too, to cite or plot anew
    csv = pd.read_csv(tmp_path / "f" / "sensitivity_ishigami.csv", index_col="parameter")
    assert str(tmp_path / "f" / "sensitivity_ishigami.csv") in out
    np.testing.assert_allclose(csv[["S1", "ST"]], t[["S1", "ST"]], rtol=1e-5)


def test_morris_ranks_ishigami_inputs(tmp_path):
    from alliance_sim.analysis.sensitivity import analyse
    from alliance_sim.runs.results import Result

    t = analyse(Result.open(fake_sweep(tmp_path, "morris", 60, levels=4)), "ishigami")
    assert t["mu_star"]["x1"] > t["mu_star"]["x3"] > 0
    assert t["sigma"]["x3"] > 0  # x3 acts only through its interaction with x1


def test_sensitivity_of_a_grid_sweep_is_a_clear_error(tmp_path, capsys):
    d = fake_sweep(tmp_path, "lhs", 32)
    assert main(["sensitivity", str(d), "--outcome", "ishigami"]) == 2
    assert "sampled with 'lhs'; sensitivity analysis needs" in capsys.readouterr().err


def test_a_sweep_reusing_parameter_sets_says_its_units_are_the_sets():
    """New-user finding: 3,000 replicates over 400 posterior sets said they 'rest on 3000
    independent seeds' above a table whose n_eff was 400."""
    from types import SimpleNamespace

    from alliance_sim.analysis.summary import _unit_note

    plan = SimpleNamespace(n_points=2, replicates=6)
    rows = [0, 1, 2, 0, 1, 2] * 2
    runs = pd.DataFrame({"posterior": rows, "posterior_set": rows, "seed": list(range(6)) * 2})
    note = _unit_note(runs, plan)
    assert "6 seeds, which draw 3 distinct parameter sets of the calibration" in note
    assert "at most 3 independent units" in note and "clustered by parameter set" in note
    rows = list(range(6)) * 2
    runs = pd.DataFrame({"posterior": rows, "posterior_set": rows, "seed": rows})
    assert "rest on 6 independent seeds: intervals are clustered by seed" in _unit_note(runs, plan)
    # six rows, but rows 3-5 repeat the sets of rows 0-2 (the SMC's resampling)
    runs["posterior_set"] = runs["posterior"] % 3
    assert "6 seeds, which draw 3 distinct parameter sets" in _unit_note(runs, plan)
    # written before runs recorded their set: rows are not said to be sets (red team)
    old = runs.drop(columns="posterior_set")
    assert "distinct parameter sets" not in _unit_note(old, plan)


def test_a_share_never_reads_as_all_or_none_when_it_is_not():
    """discover said "100%" where its table said 99.9%."""
    from alliance_sim.analysis.stats import percent

    assert [percent(v) for v in (0, 1, 0.9994, 0.0004, 0.5, 0.123)] == [
        "0%", "100%", "99.9%", "0.04%", "50%", "12%"
    ]  # fmt: skip


def test_the_note_on_reused_posterior_sets_does_not_cap_n_eff_below_what_is_printed():
    """New-user trial: "runs sharing a set count as one unit, so n_eff is at most 400" above
    a row with n_eff 490 (a shared set is counted once only where it decides the outcome)."""
    from types import SimpleNamespace

    import pandas as pd

    from alliance_sim.analysis.summary import _unit_note

    rows = [k % 400 for k in range(800)]
    runs = pd.DataFrame({"run": range(800), "posterior": rows, "posterior_set": rows})
    note = _unit_note(runs, SimpleNamespace(n_points=1, replicates=800))
    assert "400 distinct parameter sets" in note and "at most" not in note
    assert "more where its runs differ" in note


def test_wilson_of_numpy_counts_in_the_billions_is_not_all_of_zero_to_one():
    """4 * n * n of a numpy integer overflowed past n of about 1.5 billion (a robustness
    analysis pooling runs met it) and the interval came out [0, 1] with a RuntimeWarning."""
    import warnings

    import numpy as np

    from alliance_sim.analysis.stats import wilson

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lo, hi = wilson(np.int64(5), np.int64(3_000_000_000))
    assert 0 < lo < 5 / 3e9 < hi < 1e-8
    assert wilson(np.int64(3), np.int64(10)) == wilson(3, 10)


def test_the_member_table_gives_no_median_of_a_member_in_too_few_runs():
    """The printed table gave Iran's commitment as "0.70 (0.70-0.70)" from the one run in 100
    in which it had joined, where the figure says "too few for a median" (a new user's
    trial)."""
    import pandas as pd

    from alliance_sim.analysis.summary import MIN_IN, format_table

    row = dict(member="IRN", runs=1, n_effective=1, commitment_median=0.7, commitment_p5=0.7,
               commitment_p95=0.7, active=1.0, hedging=0.0, suspended=0.0, p_exit=0.0,
               p_exit_lo=0.0, p_exit_hi=0.79, median_exit="")  # fmt: skip
    text = format_table(pd.DataFrame([row, {**row, "member": "KAZ", "runs": MIN_IN}]))
    iran, kaz = text.splitlines()[2:]
    assert "0.70" not in iran and "- (in 1 run; too few)" in iran, iran
    assert "0.70 (0.70-0.70)" in kaz, kaz


def test_a12_of_cluster_resamples_is_the_ranked_a12_of_the_resampled_runs_to_the_bit():
    """The bootstrap of A12 counts pairs cluster by cluster instead of ranking each resample's
    runs (a report's comparisons spent most of their time in 300 rankings each): the same
    numbers, with ties, one-valued clusters and clusters drawn many times."""
    from alliance_sim.analysis.a12_boot import a12_resampled
    from alliance_sim.analysis.stats import _a12_rows

    rng = np.random.default_rng(7)
    for t in range(60):
        ca, cb = rng.integers(1, 12, 2)
        a_idx = np.concatenate([np.arange(ca), rng.integers(0, ca, rng.integers(0, 80))])
        b_idx = np.concatenate([np.arange(cb), rng.integers(0, cb, rng.integers(0, 80))])
        # 0/1 outcomes (all ties), rounded values (some ties), continuous values
        make = [lambda n: rng.integers(0, 2, n) * 1.0, lambda n: rng.normal(size=n).round(1),
                lambda n: rng.normal(size=n)][t % 3]  # fmt: skip
        a, b = make(len(a_idx)), make(len(b_idx))
        ma = [np.flatnonzero(a_idx == j) for j in range(ca)]
        mb = [np.flatnonzero(b_idx == j) for j in range(cb)]
        draws = [(rng.integers(0, ca, ca), rng.integers(0, cb, cb)) for _ in range(15)]
        wa = np.array([np.bincount(ja, minlength=ca) for ja, _ in draws], float)
        wb = np.array([np.bincount(jb, minlength=cb) for _, jb in draws], float)
        ranked = [
            _a12_rows(
                b[np.concatenate([mb[j] for j in jb])][None],
                a[np.concatenate([ma[j] for j in ja])][None],
            )[0]
            for ja, jb in draws
        ]
        assert np.array_equal(a12_resampled(b, a, b_idx, a_idx, wb, wa), ranked)


def test_by_point_clusters_runs_that_share_a_parameter_set(tmp_path):
    """With more replicates than the posterior has parameter sets, replicates k and k + 400
    share a set and a starting state; `by_point.csv` gave a plain Wilson interval on 794
    runs as if independent, a fifth too narrow and unlike the response figure's (helper-100).
    It is clustered now, says its independent units, and the runs each share is of."""
    import numpy as np

    from alliance_sim import sweep
    from alliance_sim.analysis.by_point import by_point
    from alliance_sim.analysis.design import clustered_mean, clusters, wilson

    f = tmp_path / "rep.toml"
    f.write_text('name = "rep"\nextends = "baseline"\nend = "2027Q4"\nfocus = ["ARM"]\n'
                 '[sweep]\nsampler = "grid"\nreplicates = 800\n'
                 '[sweep.parameters]\nwestern_offer = [0.02, 0.16]\n')  # fmt: skip
    res = sweep(f, tmp_path / "out", quiet=True)
    t = by_point(res)
    runs = res.runs[res.runs["error"].isna()]
    wider = 0
    for pt, g in runs.groupby("point"):
        row = t[t["point"] == pt].iloc[0]
        x = g["ARM_exited"].to_numpy(float)
        e = clustered_mean(x, clusters(g), binary=True)
        assert np.isclose(row["ARM_p_exit_lo"], e.lo) and np.isclose(row["ARM_p_exit_hi"], e.hi)
        assert row["ARM_n"] == np.isfinite(x).sum() and row["n"] == len(g) == 800
        assert row["ARM_n_eff"] == e.n < row["ARM_n"]
        lo, hi = wilson(np.nanmean(x), np.isfinite(x).sum())  # as if 800 independent runs
        wider += (e.hi - e.lo) > (hi - lo) + 1e-9
    assert wider == 2
    # a report's provenance said "the seed: 800 replicate seeds" of these runs
    from alliance_sim.analysis.scenario_table import independent_unit

    said = independent_unit(res)
    from alliance_sim import load_scenario

    n_sets = len(set(load_scenario("baseline").posterior.set_ids))
    assert said.startswith(f"the parameter set: 800 replicate seeds draw {n_sets} distinct")


def test_pairs_on_parameter_sets_of_two_calibrations_are_linked_into_one_unit():
    """A comparison of two calibrated results pairs runs by seed; a pair shares what decides
    its difference with every pair that draws the same set on either side, transitively."""
    import numpy as np
    import pandas as pd

    from alliance_sim.analysis.design import clusters, distinct_sets

    pairs = pd.DataFrame({
        "seed": range(6),
        "posterior_set_a": [0, 0, 1, 2, 3, 4],
        "posterior_set_b": [5, 6, 6, 7, 8, 8],
    })  # fmt: skip
    label = clusters(pairs)
    assert label[0] == label[1] == label[2]  # 0-0 on a, then 1-2 through b's set 6
    assert label[4] == label[5] and len({label[0], label[3], label[4]}) == 3
    assert distinct_sets(pairs) == 3
    same = pairs.assign(posterior_set_b=pairs["posterior_set_a"])  # one calibration
    assert len(np.unique(clusters(same))) == 5
    none = pairs.assign(posterior_set_a=-1, posterior_set_b=-1)  # no calibration: the seeds
    np.testing.assert_array_equal(clusters(none), np.arange(6))


def test_two_sensitivity_runs_into_one_folder_do_not_mix_their_tables(tmp_path, capsys):
    """`sensitivity --out F` while another process draws into F (another sensitivity, or a
    plot) is refused in one line, nothing written: two writers at once had left one sweep's
    tables beside the other's charts, each checking the folder before either wrote."""
    from conftest import held_by_another_process

    d = fake_sweep(tmp_path, "saltelli", 64)
    figs = tmp_path / "f"
    figs.mkdir()
    argv = ["sensitivity", str(d), "--outcome", "ishigami", "--out", str(figs)]
    with held_by_another_process(figs):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "being written by another alliance-sim process" in err, err
        assert len(err.splitlines()) == 1 and list(figs.iterdir()) == []
    assert main(argv) == 0  # then as before
    assert sorted(f.name for f in figs.iterdir()) == [
        "sensitivity_ishigami.csv", "sensitivity_ishigami.png"
    ]  # fmt: skip


def test_a_result_written_before_sets_were_recorded_says_its_rows_count_apart():
    """A result of the previous code has only the posterior row: its report's provenance said
    "the seed: 400 replicate seeds" beside a differences table that counted sets (red team)."""
    from types import SimpleNamespace

    from alliance_sim.analysis.scenario_table import independent_unit

    plan = SimpleNamespace(n_points=1)
    manifest = SimpleNamespace(plan=plan, seeds=list(range(6)))
    rows = [0, 1, 2, 3, 4, 5]
    old = SimpleNamespace(manifest=manifest, runs=pd.DataFrame({"posterior": rows, "seed": rows}))
    said = independent_unit(old)
    assert said.startswith("the posterior row: written before runs recorded their distinct")
    new = SimpleNamespace(manifest=manifest, runs=old.runs.assign(posterior_set=[0, 1, 0, 1, 2, 2]))
    assert independent_unit(new) == (
        "the parameter set: 6 replicate seeds draw 3 distinct parameter sets of the calibration"
    )
