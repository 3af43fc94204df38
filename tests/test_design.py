"""Intervals that respect the design: planted sweeps in which replicate k shares its seed (its
random numbers) at every point, with known true design averages."""

import numpy as np
import pytest

from alliance_sim.analysis.design import (
    cluster_bootstrap,
    clustered_mean,
    compare,
    compare_clustered,
    wilson,
)
from alliance_sim.analysis.stats import compare_samples, proportion_ci


def planted_exits(rng, k=30, points=20, shared=0.7):
    """0/1 outcomes of a sweep with common random numbers: replicate r draws one uniform that
    it reuses at every point with probability ``shared``.  The point's exit probability rises
    from 0.1 to 0.5, so the true design average is 0.3."""
    p = np.linspace(0.1, 0.5, points)
    u_rep = rng.random(k)[:, None]
    u = np.where(rng.random((k, points)) < shared, u_rep, rng.random((k, points)))
    y = (u < p).astype(float)
    cluster = np.repeat(np.arange(k), points)
    return y.ravel(), cluster, 0.3


def test_clustered_interval_covers_a_planted_design_average_at_the_nominal_rate():
    rng = np.random.default_rng(11)
    trials, hits, naive_hits = 400, 0, 0
    for _ in range(trials):
        y, cl, truth = planted_exits(rng)
        est = clustered_mean(y, cl)
        hits += est.lo <= truth <= est.hi
        naive = proportion_ci(y)  # every run taken as independent
        naive_hits += naive.lo <= truth <= naive.hi
        assert 30 <= est.n <= 600
    assert 0.91 <= hits / trials <= 0.985, hits / trials
    assert naive_hits / trials < 0.85  # what the design costs when ignored


def test_clustered_mean_of_a_continuous_outcome_covers_the_truth():
    rng = np.random.default_rng(12)
    hits = 0
    for _ in range(300):
        k, points = 25, 16
        rep = rng.normal(0, 0.15, k)[:, None]  # the seed's shared luck
        x = 0.5 + rep + np.linspace(-0.1, 0.1, points) + rng.normal(0, 0.05, (k, points))
        est = clustered_mean(x.ravel(), np.repeat(np.arange(k), points))
        hits += est.lo <= 0.5 <= est.hi
    assert 0.91 <= hits / 300 <= 0.985


def test_outcome_constant_across_points_gets_the_width_its_replicates_allow():
    # 3 of 10 replicates exit at all 40 points: 10 independent outcomes, not 400
    y = np.repeat((np.arange(10) < 3).astype(float), 40)
    cl = np.repeat(np.arange(10), 40)
    est = clustered_mean(y, cl)
    assert est.value == pytest.approx(0.3) and est.n == 10
    assert (est.lo, est.hi) == pytest.approx(wilson(0.3, 10))
    assert est.lo == pytest.approx(0.108, abs=0.005) and est.hi == pytest.approx(0.603, abs=0.005)
    naive = proportion_ci(y)
    assert naive.hi - naive.lo < 0.1 < est.hi - est.lo


def test_independent_runs_keep_the_ordinary_interval_and_the_edges_stay_open():
    rng = np.random.default_rng(13)
    y = (rng.random(200) < 0.2).astype(float)
    est, plain = clustered_mean(y, np.arange(200)), proportion_ci(y)
    assert est.n == 200 and (est.lo, est.hi) == pytest.approx((plain.lo, plain.hi))
    none = clustered_mean(np.zeros(400), np.repeat(np.arange(10), 40))
    assert none.value == 0 and none.n == 10 and none.hi == pytest.approx(wilson(0, 10)[1])
    assert 0.25 < none.hi < 0.3  # ten seeds, none exiting: not [0%, 1%]
    every = clustered_mean(np.ones(400), np.repeat(np.arange(10), 40))
    assert every.hi == pytest.approx(1) and 0.7 < every.lo < 0.75


def test_cluster_bootstrap_of_a_median_counts_seeds():
    rng = np.random.default_rng(14)
    x = np.repeat(rng.normal(size=8), 5)
    est = cluster_bootstrap(x, np.repeat(np.arange(8), 5))
    assert est.n == 8 and est.lo < est.value < est.hi
    one = cluster_bootstrap(np.array([3.0]), np.array([0]))
    assert (one.lo, one.hi, one.n) == (3.0, 3.0, 1)


def test_paired_comparison_of_clustered_sweeps_resamples_seeds():
    rng = np.random.default_rng(15)
    k, points = 12, 30
    base = np.repeat((rng.random(k) < 0.3).astype(float), points)
    flip = np.repeat(rng.random(k) < 0.5, points)  # the scenario makes half the seeds exit
    other = np.where(flip, 1.0, base)
    cl = np.repeat(rng.integers(0, 2**31, k), points)
    c = compare("x", base, other, paired=True, binary=True, cluster_a=cl)
    assert c.test == "Wilcoxon signed-rank on cluster means" and c.n <= k
    pooled = compare_samples("x", base, other, paired=True, binary=True)
    assert pooled.n == k * points
    # the honest interval is wider than the one that counts every run as a pair
    assert (c.diff.hi - c.diff.lo) > 2 * (pooled.diff.hi - pooled.diff.lo)
    assert c.diff.lo <= c.diff.value <= c.diff.hi


def test_clustered_comparison_finds_a_planted_difference_and_not_a_null_one():
    rng = np.random.default_rng(16)
    k, points = 40, 10
    rep = np.repeat(rng.normal(0, 0.1, k), points)
    cl = np.repeat(np.arange(k), points)
    a = 0.5 + rep + rng.normal(0, 0.02, k * points)
    hit = compare_clustered("x", a, a + 0.03 + rng.normal(0, 0.02, k * points), cl, paired=True)
    miss = compare_clustered("x", a, a + rng.normal(0, 0.02, k * points), cl, paired=True)
    assert hit.p < 0.01 and hit.diff.lo > 0
    assert miss.p > 0.01 and miss.diff.lo < 0 < miss.diff.hi
    b = 0.6 + np.repeat(rng.normal(0, 0.1, k), points)
    unp = compare_clustered("x", a, b, cl, cl + 1000, paired=False)
    assert unp.test.startswith("cluster bootstrap") and unp.diff.lo > 0 and unp.n <= k
    assert unp.p < 0.01


def test_an_unpaired_test_agrees_with_its_interval():
    """A sweep's seeds (each a mean over 40 points) against a run's (0 or 1): a rank test on
    seed means read p = 0.84 beside an interval clear of zero."""
    rng = np.random.default_rng(17)
    k, points = 10, 40
    sweep = (rng.random(k * points) < 0.55).astype(float)  # 55% against 43%
    cl = np.repeat(np.arange(k), points)
    run = (rng.random(400) < 0.43).astype(float)
    c = compare_clustered("x", run, sweep, np.arange(400) + 10_000, cl, paired=False)
    assert c.diff.lo > 0 and c.p < 0.05  # the interval and the test say the same
    from scipy import stats

    ranks = stats.mannwhitneyu(_seed_means(sweep, cl), run).pvalue
    assert ranks > 0.05  # what the rank test on seed means said here
    null = compare_clustered(
        "x", run, run[::-1].copy(), np.arange(400), np.arange(400) + 1, paired=False
    )
    assert null.diff.lo < 0 < null.diff.hi and null.p > 0.05


def _seed_means(x, cl):
    return np.bincount(cl, weights=x) / np.bincount(cl)


def test_seeds_needed_counts_seeds_not_runs_in_a_sweep():
    """0 exits in 500 runs of a 20-seed, 25-point sweep where the outcome is the same at every
    point of a seed: the design holds 20 independent runs, whose Wilson interval is [0%, 16%].
    An interval 10 points wide at 0% needs about 35 seeds (3.84 / (n + 3.84) <= 0.10); the
    old rule took its worst case from 500 'independent' runs and said 12."""
    from alliance_sim.analysis.design import seeds_needed

    seeds = np.repeat(np.arange(20), 25)
    x = np.zeros(500)
    k = seeds_needed(x, seeds, 0.05, binary=True)
    assert 34 <= k <= 36
    # every run its own seed: the same rule on runs (0 of 500 independent runs is already
    # narrower than 10 points, so the runs there are enough)
    assert seeds_needed(x, None, 0.05, binary=True) <= 36
    # a half-and-half outcome constant within seeds needs ~385 seeds, however many points
    y = (seeds % 2).astype(float)
    assert 375 <= seeds_needed(y, seeds, 0.05, binary=True) <= 390


def test_seeds_needed_delivers_the_interval_it_promises():
    """Plan with 30 seeds of a clustered design, run the number of seeds it asks for, and the
    clustered interval is about +/- 5 points wide (not much wider, not much narrower)."""
    from alliance_sim.analysis.design import clustered_mean, seeds_needed

    rng = np.random.default_rng(5)

    def design(k):
        base = rng.random(k) < 0.3  # a seed's tendency
        x = np.where(rng.random((k, 8)) < 0.8, base[:, None], rng.random((k, 8)) < 0.3)
        return x.ravel().astype(float), np.repeat(np.arange(k), 8)

    x, g = design(30)
    need = seeds_needed(x, g, 0.05, binary=True)
    widths = []
    for _ in range(20):
        est = clustered_mean(*design(need), binary=True)
        widths.append((est.hi - est.lo) / 2)
    assert 0.035 < np.median(widths) < 0.065
    # a mean: the t interval's half-width
    c = rng.normal(0.5, 0.2, 30)[:, None] + rng.normal(0, 0.05, (30, 8))
    need = seeds_needed(c.ravel(), np.repeat(np.arange(30), 8), 0.05, binary=False)
    assert 45 < need < 130  # sd of seed means ~0.2: (1.96 * 0.2 / 0.05)^2 ~ 61


def test_a_clustered_binary_comparison_tests_what_its_interval_shows():
    """Red-team finding: a sweep against a run had an interval clear of 0 beside p = 0.052
    (a bootstrap p), and p moved when the two were swapped.  The p of the interval's own
    inversion agrees with it at 0.05 exactly and does not depend on the order."""
    from alliance_sim.analysis.comparison import newcombe, newcombe_p

    rng = np.random.default_rng(21)
    agree = 0
    for trial in range(40):
        k, points = 20, 10
        base = np.repeat(rng.random(k) < 0.4, points).astype(float)
        shift = 0.05 + 0.2 * rng.random()
        y = (rng.random(k * points) < 0.4 + shift).astype(float)  # a run: its own seeds
        ca, cb = np.repeat(np.arange(k), points), np.arange(1000, 1000 + k * points)
        ref, this = clustered_mean(base, ca, True), clustered_mean(y, cb, True)
        d = newcombe(ref, this)
        p = newcombe_p(base, ca, y, cb)
        assert (d.lo > 0 or d.hi < 0) == (p < 0.05), (trial, d, p)
        assert p == pytest.approx(newcombe_p(y, cb, base, ca), rel=1e-6)
        agree += p < 0.05
    assert 0 < agree < 40  # both sides of 0.05 were seen


def test_the_seeds_a_comparison_asks_for_deliver_its_target():
    """The comparison's last column counted effective runs, which a sweep cannot run: run the
    number of seeds it asks for (25 points each) and the difference's interval is about
    +/- 5 points."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row

    rng = np.random.default_rng(9)

    def sweep(k, offset):
        tendency = np.repeat(rng.random(k), 25)  # a seed's draw, shared by its 25 points
        point_p = np.tile(np.linspace(0.2, 0.6, 25), k)
        y = rng.random(k * 25) < 0.5 * point_p + 0.5 * tendency * point_p + offset
        return pd.DataFrame({"x": y.astype(float), "seed": np.repeat(np.arange(k) + offset, 25)})

    ra, rb = sweep(20, 0.0), sweep(20, 0.1)
    need = _row("x", True, ra, rb, None, 0)["seeds for ±target"]
    halves = []
    for _ in range(10):
        d = _row("x", True, sweep(need, 0.0), sweep(need, 0.1), None, 0)["difference"]
        halves.append((d.hi - d.lo) / 2)
    assert 0.035 < np.median(halves) < 0.065, (need, halves)


def test_one_case_in_a_clustered_sweep_is_not_read_as_independence():
    """Red-team finding: one exit in 4,000 runs of 20 seeds made the design effect 1 (n_eff
    4,000, [0.00%, 0.14%]) and "seeds for ±5 pts" fell from 35 at no exit to 1, while a
    single seed of the same sweep had the member leave at every point.  One case says
    nothing about the other seeds: it reads like no case."""
    from alliance_sim.analysis.design import seeds_needed

    seeds = np.repeat(np.arange(20), 200)
    none, one = np.zeros(4000), np.zeros(4000)
    one[5] = 1
    e0, e1 = clustered_mean(none, seeds, True), clustered_mean(one, seeds, True)
    assert e1.n == e0.n == 20 and e1.hi == pytest.approx(e0.hi, rel=0.05)
    assert seeds_needed(one, seeds, 0.05, True) == seeds_needed(none, seeds, 0.05, True) == 35
    # every run its own seed: unchanged
    assert clustered_mean(one, None, True).n == 4000
    # an outcome that varies within every seed keeps its sandwich estimate: two pseudo-seeds,
    # tried first, cut it to about 200 here and made intervals half as wide again as needed
    half = (np.random.default_rng(3).random(4000) < 0.5).astype(float)
    assert clustered_mean(half, seeds, True).n > 1000


def test_no_jump_where_one_more_seed_shows_a_case():
    """Red-team finding (third pass): with a threshold at 5 informative seeds, one more seed
    with a case shrank the upper bound 55-fold and "seeds for ±5 pts" from 36 to 5.  The
    small-sample step (t with m - 1 degrees of freedom) moves n_eff by less than half from 4
    to 5 such seeds, and one seed with a case still reads like none."""
    seeds = np.repeat(np.arange(20), 200)
    n_eff = []
    for m in range(1, 8):
        x = np.zeros(4000)
        x[np.arange(m) * 200] = 1  # m seeds with one case each
        n_eff.append(clustered_mean(x, seeds, True).n)
    assert n_eff[0] == 20 and (np.diff(n_eff) >= 0).all()
    assert n_eff[4] / n_eff[3] < 1.5 and n_eff[6] / n_eff[5] < 1.2


def test_seeds_needed_refuses_a_half_width_it_cannot_reach():
    """Red-team finding: half_width 0 or below looped for ever (the doubling never ends)."""
    from alliance_sim.analysis.design import seeds_needed

    x, g = np.r_[np.zeros(50), np.ones(50)], np.repeat(np.arange(10), 10)
    for bad in (0, -0.05, float("nan"), float("inf"), "0.05", None):
        with pytest.raises(ValueError, match="half_width"):
            seeds_needed(x, g, bad)


def test_a_side_whose_values_all_come_from_one_seed_is_not_tested():
    """A joiner's commitment exists only in the runs where it joined: in a sweep those were
    the 12 points of one seed, and the bootstrap, which cannot resample one seed, read
    p < 0.001 on "n_eff = 1" and the report bolded it."""
    rng = np.random.default_rng(3)
    a, ca = rng.normal(0.7, 0.2, 400), np.arange(400)
    b = np.full(40 * 12, np.nan)
    b[:12] = 0.83  # seed 0 at its 12 points
    cb = np.repeat(np.arange(40), 12)
    c = compare_clustered("IRN_commitment", a, b, ca, cb, paired=False)
    assert c.test == "too few runs" and not np.isfinite(c.p)
    b[12:24] = 0.80  # two seeds: Welch's t itself rejected a true null in 11% (red-team)
    assert compare_clustered("IRN_commitment", a, b, ca, cb, paired=False).test == "too few runs"
    b[24:36] = 0.86  # three: a rough estimate, widened to Welch's t on 2 degrees of freedom
    c = compare_clustered("IRN_commitment", a, b, ca, cb, paired=False)
    assert 0.005 < c.p < 0.05 and c.diff.hi - c.diff.lo > 0.1  # Welch's t on 2 df: p 0.02


def test_the_widening_follows_the_run_weighted_mean_it_widens():
    """Red-team: seeds of 25 and 1 runs, 100 a side, were widened 2.6 times (the unweighted
    seed means' variance against a run-weighted estimate's bootstrap) and covered 100%."""
    rng = np.random.default_rng(11)
    sizes = np.tile([25, 1], 50)
    seed_effect = rng.normal(0, 0.1, (2, 100))
    a = np.concatenate(
        [rng.normal(0.5 + e, 0.2, s) for e, s in zip(seed_effect[0], sizes, strict=True)]
    )
    b = np.concatenate(
        [rng.normal(0.5 + e, 0.2, s) for e, s in zip(seed_effect[1], sizes, strict=True)]
    )
    ca = np.repeat(np.arange(100), sizes)
    cb = ca + 1000
    c = compare_clustered("x", a, b, ca, cb, paired=False)

    def robust(x, cl):
        sums, n = np.bincount(cl - cl.min(), weights=x), np.bincount(cl - cl.min())
        return 100 / 99 * (((sums - n * x.mean()) ** 2).sum() / n.sum() ** 2)

    half = (c.diff.hi - c.diff.lo) / 2
    expected = 1.96 * np.sqrt(robust(a, ca) + robust(b, cb))
    assert 0.85 < half / expected < 1.2, half / expected


def test_a_value_only_some_runs_have_is_compared_over_each_scenarios_own_runs():
    """Paired on seed, a joiner's commitment was differenced over the runs in which it joined
    in both scenarios while the two means beside it were over each one's own runs: 0.706 and
    0.673 shown with a difference of +0.010 [+0.004, +0.017]."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row

    rng = np.random.default_rng(5)
    n = 400
    seeds = np.arange(n)
    a = np.where(rng.random(n) < 0.3, rng.normal(0.73, 0.1, n), np.nan)
    b = np.where(rng.random(n) < 0.3, rng.normal(0.70, 0.1, n), np.nan)
    ra = pd.DataFrame({"run": seeds, "seed": seeds, "IRN_commitment": a})
    rb = pd.DataFrame({"run": seeds, "seed": seeds, "IRN_commitment": b})
    merged = ra.merge(rb, on="seed", suffixes=("_a", "_b"))
    row = _row("IRN_commitment", False, ra, rb, merged, 0)
    diff = row["this"].value - row["reference"].value
    assert row["difference"].value == pytest.approx(diff)
    assert row["difference"].lo < diff < row["difference"].hi and not row["paired"]
    # where both have the value in the same runs, the pairs stay
    both = rng.random(n) < 0.5
    ra["IRN_commitment"] = np.where(both, rng.normal(0.7, 0.1, n), np.nan)
    rb["IRN_commitment"] = np.where(both, rng.normal(0.7, 0.1, n), np.nan)
    merged = ra.merge(rb, on="seed", suffixes=("_a", "_b"))
    assert _row("IRN_commitment", False, ra, rb, merged, 0)["paired"]


def test_a_binary_difference_is_called_only_where_its_interval_and_its_test_agree():
    """New-user trial: "+2 points [+0.1, +3] — a small difference (McNemar (exact) p =
    0.070)": Newcombe's interval excluded 0 while the exact test did not reject.  With a few
    discordant pairs the exact test is the one to believe; a difference is now called only
    where both say so, and otherwise it is "unclear" and says why."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row
    from alliance_sim.analysis.stats import UNCLEAR
    from alliance_sim.report.headline import binary_sentence

    rng = np.random.default_rng(8)
    split = 0
    for trial in range(40):
        n = 100
        a = (rng.random(n) < 0.45).astype(float)
        b = a.copy()
        b[rng.choice(np.flatnonzero(a == 0), 2 + trial % 5, replace=False)] = 1.0  # 2-6 leave in B
        seeds = np.arange(n)
        ra = pd.DataFrame({"run": seeds, "seed": seeds, "ARM_exited": a})
        rb = pd.DataFrame({"run": seeds, "seed": seeds, "ARM_exited": b})
        row = _row("ARM_exited", True, ra, rb, ra.merge(rb, on="seed", suffixes=("_a", "_b")), 0)
        d, p = row["difference"], row["p"]
        excludes = d.lo > 0 or d.hi < 0
        if excludes != (p < 0.05):
            split += 1
            assert row["effect"] == UNCLEAR, (trial, d, p, row["effect"])
            row.update({"horizon": "2028Q4", "scenario": "B", "reference name": "A"})
            said = binary_sentence(pd.Series(row | {"p (Holm)": p}))
            assert "unclear: its interval excludes zero, but its test does not" in said
            assert "the interval includes no difference" not in said
        elif excludes:
            assert row["effect"] != UNCLEAR
    assert split  # designs where the two disagree were seen


def test_rows_that_cannot_be_tested_say_so_everywhere():
    """Red-team: a side with one run kept a Newcombe p (0.524, in the Holm family) beside
    "no estimate"; the headline called +31 points "negligible" ("too few runs no test;
    n_eff = 0"); a commitment difference of -0.035 [-0.109, +0.032], p = 0.30, was "small"."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row
    from alliance_sim.analysis.stats import UNCLEAR
    from alliance_sim.report.headline import binary_sentence, sentence

    n = 100
    a = np.full(n, np.nan)
    a[0] = 0.0  # Iran joined in one baseline run
    b = np.where(np.arange(n) % 3 == 0, (np.arange(n) % 2).astype(float), np.nan)
    ra = pd.DataFrame({"run": range(n), "seed": range(n), "IRN_exited": a})
    rb = pd.DataFrame({"run": range(n), "seed": range(n), "IRN_exited": b})
    row = _row("IRN_exited", True, ra, rb, None, 0)
    assert row["effect"].startswith("no estimate") and not np.isfinite(row["p"])
    assert row["seeds for ±target"] is None
    row.update({"horizon": "2034Q4", "scenario": "B", "reference name": "A", "p (Holm)": 1.0})
    said = binary_sentence(pd.Series(row))
    assert "too few runs on a side for a test" in said and "negligible" not in said
    assert "the 1 run (of 100)" in said and "in which it joined" in said
    for seed, effect in ((1, UNCLEAR), (6, "large")):  # small A12, p 0.24; large, p 0.005
        rng = np.random.default_rng(seed)
        x, y = rng.normal(0.70, 0.1, 20), rng.normal(0.67, 0.1, 20)
        ra = pd.DataFrame({"run": range(20), "seed": range(20), "BLR_commitment": x})
        rb = pd.DataFrame({"run": range(20), "seed": range(100, 120), "BLR_commitment": y})
        assert _row("BLR_commitment", False, ra, rb, None, 0)["effect"] == effect
    row = _row("BLR_commitment", False, ra, rb, None, 0)
    row.update({"horizon": "2034Q4", "scenario": "B", "reference name": "A", "p (Holm)": 1.0})
    assert "Belarus's mean commitment" in sentence(pd.Series(row))


def test_a_one_seed_side_never_divides_by_zero(recwarn):
    """Red-team: two sweeps of one replicate each crashed `compare` (ZeroDivisionError in the
    few-seeds step, which a 0/1 outcome reached); an all-NaN side warned on stderr."""
    a = (np.arange(25) % 2).astype(float)
    b = (np.arange(25) % 3 == 0).astype(float)
    one = np.zeros(25, int)
    for cb in (one + 1, np.repeat(np.arange(5), 5) + 10):
        c = compare_clustered("ARM_exited", a, b, one, cb, paired=False, binary=True)
        assert c.test != "too few runs"  # a 0/1 outcome: Newcombe's interval follows
        c = compare_clustered("ARM_commitment", a, b, one, cb, paired=False)
        assert c.test == "too few runs"
    c = compare_clustered("x", np.full(5, np.nan), b[:5], one[:5], one[:5] + 1, paired=False)
    assert c.test == "too few runs"
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_a_ratio_to_a_reference_of_one_run_is_not_given():
    """A new user's headline read "61.0 times the reference" against a reference share of
    0.5%, one run in 200: a ratio with no interval that says nothing sure.  It is given only
    where the reference's share rests on five runs or more."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row
    from alliance_sim.report.headline import binary_sentence

    n = 200
    seeds = np.arange(n)
    for shown_in_ref, ratio in ((1, False), (8, True)):
        a = np.zeros(n)
        a[:shown_in_ref] = 1.0
        b = np.zeros(n)
        b[: 4 * shown_in_ref + 40] = 1.0
        ra = pd.DataFrame({"run": seeds, "seed": seeds, "KGZ_exited": a})
        rb = pd.DataFrame({"run": seeds, "seed": seeds, "KGZ_exited": b})
        row = _row("KGZ_exited", True, ra, rb, ra.merge(rb, on="seed", suffixes=("_a", "_b")), 0)
        row.update({"horizon": "2030Q4", "scenario": "B", "reference name": "A"})
        said = binary_sentence(pd.Series(row | {"p (Holm)": row["p"]}))
        assert ("times the reference" in said) == ratio, said
    # a scenario in which it never happens: its 0% says it, "0.0 times the reference" did not
    # (a new user's trial)
    some = np.zeros(n)
    some[:20] = 1.0  # 10% in the reference: a share for which a ratio is said
    rs = pd.DataFrame({"run": seeds, "seed": seeds, "KGZ_exited": some})
    none = pd.DataFrame({"run": seeds, "seed": seeds, "KGZ_exited": np.zeros(n)})
    row = _row("KGZ_exited", True, rs, none, rs.merge(none, on="seed", suffixes=("_a", "_b")), 0)
    row.update({"horizon": "2030Q4", "scenario": "B", "reference name": "A"})
    said = binary_sentence(pd.Series(row | {"p (Holm)": row["p"]}))
    assert " 0% " in said and "times the reference" not in said, said


def test_a_fall_in_hedging_says_what_else_it_can_mean():
    """ "Kazakhstan is hedging at 2030Q4 in 18% vs 27%: -9 points" read as less hedging, where
    every run had moved on to a freeze or an exit (helper-61)."""
    import pandas as pd

    from alliance_sim.analysis.comparison import _row
    from alliance_sim.report.headline import binary_sentence

    n = 200
    runs = pd.DataFrame({"run": range(n), "seed": range(n)})
    ref = runs.assign(KAZ_hedging=(np.arange(n) % 4 == 0).astype(float))  # 25%
    this = runs.assign(KAZ_hedging=(np.arange(n) % 10 == 0).astype(float))  # 10%
    near = runs.assign(KAZ_hedging=((np.arange(n) % 4 == 0) & (np.arange(n) != 0)).astype(float))
    caveat = "fewer hedging can mean more suspended or gone, not more committed"
    # a fall of 15 points: said; a rise: not; a fall of half a point (helper-62: said of a
    # null difference): not
    for a, b, said in ((ref, this, True), (this, ref, False), (ref, near, False)):
        row = _row("KAZ_hedging", True, a, b, None, 0)
        row.update({"horizon": "2030Q4", "scenario": "B", "reference name": "A",
                    "p (Holm)": row["p"]})  # fmt: skip
        text = binary_sentence(pd.Series(row))
        assert (caveat in text) == said, text
        assert text.endswith(".") and ".;" not in text


def test_a_cohesion_row_says_when_a_joiner_moves_the_average():
    """Iran's accession lowered mean cohesion 0.56 -> 0.51, about half of it Iran entering the
    average of the allies (helper-64); the headline's cohesion row now says so."""
    import pandas as pd

    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.headline import _composed

    comp = pd.DataFrame(
        {
            "outcome": ["IRN_joined", "cohesion_final"],
            "difference": [Estimate(0.27, 0.15, 0.39, 60), Estimate(-0.05, -0.07, -0.03, 60)],
        }
    )
    row = comp.iloc[1]
    said = _composed("Mean cohesion at 2030Q4 is 0.51 in A vs 0.56 in B (effect small).", row, comp)
    assert said.endswith("so Iran joining in more runs of one scenario moves it by its own "
                         "commitment, not only through the others'.")  # fmt: skip
    same = comp.assign(difference=[Estimate(0.0, 0.0, 0.0, 60)] * 2)
    assert _composed("x.", same.iloc[1], same) == "x."  # nobody joins more: nothing added
    assert _composed("x.", comp.iloc[0], comp) == "x."  # not a cohesion row
    # four scenarios (helper-67): "so Iran and Iran joining ..." under a pair where Iran joined
    # alike -- the other pairs' rows were read, one run in 200 counted as a difference
    four = pd.DataFrame(
        {
            "outcome": ["IRN_joined", "cohesion_final"] * 3,
            "scenario": ["A", "A", "B", "B", "C", "C"],
            "difference": [Estimate(0.0, -0.01, 0.01, 200), Estimate(-0.01, -0.03, 0.01, 200),
                           Estimate(-0.005, -0.028, 0.014, 200), Estimate(0.0, -0.02, 0.02, 200),
                           Estimate(0.27, 0.15, 0.39, 200), Estimate(-0.05, -0.07, -0.03, 200)],
        }
    )  # fmt: skip
    assert _composed("x.", four.iloc[1], four) == "x."  # A: Iran joins alike
    assert _composed("x.", four.iloc[3], four) == "x."  # B: -0.005, its interval spans zero
    assert _composed("x.", four.iloc[5], four).count("Iran") == 1  # C: once


def test_a_hedging_row_says_how_many_runs_start_hedging(tmp_path):
    """Kyrgyzstan is hedging at the start of most forecast runs (81-85% of the baseline's runs), and
    "hedging at 2030Q4 in 60% vs 57%" read as an outcome of the scenarios (helper-67)."""
    import pandas as pd

    from alliance_sim import compare_results, run_scenario, sweep
    from alliance_sim.analysis.stats import Estimate
    from alliance_sim.report.headline import _started

    a = run_scenario("baseline", tmp_path / "a", replicates=10, end="2026Q4", quiet=True)
    b = run_scenario("western_surge", tmp_path / "b", replicates=10, end="2026Q4", quiet=True)
    comp = compare_results([a, b])
    start = comp.attrs["hedging_at_start"]
    ts = a.timeseries
    kgz = ts[(ts["member"] == "KGZ") & (ts["step"] == 0)]["status"].astype(str)
    assert start["Baseline"]["KGZ"] == (kgz == "hedging").mean() > 0.05, start
    assert start["Baseline"]["ARM"] == 0  # suspended at the start, not hedging
    d = Estimate(0.03, -0.08, 0.14, 10)
    row = pd.Series({"outcome": "KGZ_hedging", "scenario": "Western surge",
                     "reference name": "Baseline", "difference": d})  # fmt: skip
    said = _started("Kyrgyzstan is hedging at 2026Q4 in 60% (...).", row, comp)
    share = f"{start['Baseline']['KGZ']:.0%}"
    if f"{start['Western surge']['KGZ']:.0%}" == share:  # the same replays' ends: the same
        assert said.endswith(f"(...). It is hedging at the start in {share} of the runs of both.")
    else:
        assert f"of the runs of Western surge, {share} of the other's." in said
    thin = sweep("baseline", tmp_path / "t", samples=1, replicates=4, end="2028Q4",
                 record="every:8", quiet=True)  # fmt: skip
    at = compare_results([thin, a]).attrs["hedging_at_start"]  # thin read at 2026Q4, early
    assert set(at) == {"Baseline (t)", "Baseline (a)"} and "KGZ" in at["Baseline (t)"], at
    arm = row.copy()
    arm["outcome"] = "ARM_hedging"
    assert _started("x.", arm, comp) == "x."  # nobody starts hedging: nothing added
