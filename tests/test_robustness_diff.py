"""The robustness of a difference: ``alliance-sim robustness NAME --against BASE``."""

import json
from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import load_scenario
from alliance_sim.analysis import robustness as rb
from alliance_sim.analysis import robustness_diff as rd
from alliance_sim.cli.main import main
from alliance_sim.errors import AnalysisError


@pytest.fixture(scope="module")
def pair():
    return load_scenario("china_security_push"), load_scenario("baseline")


def _file(tmp_path, name, body):
    p = tmp_path / f"{name}.toml"
    p.write_text(f'extends = "baseline"\nname = "{name}"\ndescription = "{name}"\n{body}')
    return load_scenario(p)


def test_what_acts_on_both_worlds_is_one_column_and_what_tells_them_apart_is_two(pair, tmp_path):
    """The focus members' figures and the unknowns both scenarios vary are one column each
    (the same value in both runs of a point); the scenario's own [region] values are varied on
    its side only; a value the scenario sets differently is a column per side, its premise
    held by hold_own.  Baseline's own focus (Armenia, Kazakhstan) had Kyrgyzstan's figures
    varied on the scenario's side only."""
    sc, base = pair
    cols, sides, held = rd.merged(sc, base)
    names = [u.name for u in cols]
    both = {c for c, _ in sides["scenario"]} & {c for c, _ in sides["base"]}
    assert {"russian_bandwidth", "members.KGZ.regime_need", "dependence_weight"} <= both
    mine = [n for n in names if n.endswith("[China's security push]")]
    assert mine and all(n.startswith("region.") for n in mine) and not held
    assert not any(n.endswith("[Baseline]") for n in names)
    bw = next(u for u in cols if u.name == "russian_bandwidth")
    assert (bw.low, bw.high) == (0.2, 0.7)  # baseline's [sweep] range: declared uncertain
    hot = _file(tmp_path, "hot", "[params]\nrussian_bandwidth = 0.7\n")
    cols, sides, held = rd.merged(hot, base)
    split = {u.name: u for u in cols if u.name.startswith("russian_bandwidth")}
    assert set(split) == {"russian_bandwidth [hot]", "russian_bandwidth [Baseline]"}
    assert split["russian_bandwidth [hot]"].own and not split["russian_bandwidth [Baseline]"].own
    cols, sides, held = rd.merged(hot, base, hold_own=True)
    assert held == ["russian_bandwidth [hot]"]
    assert [c for c, _ in sides["base"] if c.startswith("russian_bandwidth")] == [
        "russian_bandwidth [Baseline]"
    ]


def test_two_worlds_that_differ_in_nothing_differ_by_zero_at_every_point(pair, tmp_path):
    """Paired run by run (the same posterior set, seed and shared values at a point), a
    scenario that changes nothing of baseline's dynamics differs from it by exactly zero at
    every design point and in every run: any value reaching one side only, or a seed or set
    not shared, shows here."""
    _, base = pair
    same = _file(tmp_path, "same", "")
    assert same.hash != base.hash
    r = rd.analyse_difference(same, base, samples=8, replicates=3, answer_runs=30)
    for h in r["headlines"]:
        a = h["posterior"]
        assert a["p"] == 0 and a["lo"] == -a["hi"] < 0  # no discordant pair: not certain
        assert h["envelope"]["min"] == h["envelope"]["max"] == 0
        assert h["sign"] == {"above": 0.0, "below": 0.0}
        assert h["levels"]["scenario"] == h["levels"]["base"]
        assert h["levels"]["base"]["hi"] > 0  # the levels themselves do vary
        # 30 runs on 22 distinct parameter sets: Wilson's 0 of 22 reaches 15%
        assert "0 points [-15, +15] with the fitted model" in h["statement"]


def test_the_effect_with_the_fitted_model_is_the_difference_of_the_two_answers(pair):
    """The fitted model's effect is the scenario's share minus the base's on the same runs,
    each as :func:`robustness.posterior_answer` gives it for the scenario alone."""
    sc, base = pair
    got = rd.posterior_effect({"scenario": sc, "base": base}, 60, 3, "exit")
    a, b = rb.posterior_answer(sc, 60, 3), rb.posterior_answer(base_focused(sc, base), 60, 3)
    for col, e in got.items():
        assert e["scenario"] == a[col]["p"] and e["base"] == b[col]["p"]
        assert e["p"] == pytest.approx(a[col]["p"] - b[col]["p"], abs=1e-12)
        assert e["lo"] <= e["p"] <= e["hi"] and e["runs"] == 60
    assert got["KGZ_exited"]["p"] > 0  # China's push: Kyrgyzstan leaves more often


def base_focused(sc, base):
    return replace(base, focus=sc.focus)


def test_a_pair_that_is_not_an_effect_is_refused_with_one_line(pair):
    sc, base = pair
    from alliance_sim.scenario.load import with_end

    for other, said in (
        (sc, "the same scenario as China's security push; allowed another scenario"),
        (with_end(base, "2030Q4"), "allowed a scenario with the same start and horizon"),
        (load_scenario("history_2020_2024"), "robustness needs a forecast that continues"),
    ):
        with pytest.raises(AnalysisError, match=said):
            rd.check_pair(sc, other)


def test_the_command_writes_the_difference_and_a_report_does_not_read_it(tmp_path, capsys):
    """`robustness NAME --against BASE` writes the three files of a difference; `compare
    --robustness` refuses it (its numbers are differences, not shares); a level analysis in
    the folder is another analysis, replaced only with --force."""
    out = tmp_path / "d"
    argv = ["robustness", "china_security_push", "--against", "baseline", "--out", str(out),
            "--samples", "8", "--replicates", "2", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    said = capsys.readouterr().out
    assert "Kyrgyzstan has left by 2034Q4, China's security push against Baseline: +" in said
    r = json.loads((out / "robustness.json").read_text())
    assert r["against"] == "Baseline" and r["difference"] and r["against_hash"]
    assert r["command"].startswith("alliance-sim robustness china_security_push --against base")
    assert r["runs"] == 2 * r["points"] * 2
    md = (out / "robustness.md").read_text()
    assert md.startswith("# What the headline rests on: China's security push against Baseline")
    assert (out / "drivers.png").stat().st_size > 10_000
    res = tmp_path / "c"
    assert main(["run", "china_security_push", "--out", str(res), "--replicates", "4",
                 "--quiet"]) == 0  # fmt: skip
    b = tmp_path / "b"
    assert main(["run", "baseline", "--out", str(b), "--replicates", "4", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["compare", str(b), str(res), "--robustness", str(out),
                 "--out", str(tmp_path / "r.html")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "the robustness of a difference" in err and err.count("\n") == 1
    assert main(["compare", str(b), str(res), "--out", str(tmp_path / "r.md")]) == 0
    said = (tmp_path / "r.md").read_text()  # the report says how to measure the effect's
    assert "alliance-sim robustness china_security_push --against baseline --out DIR" in said
    from alliance_sim.report.sections import _effects
    from alliance_sim.runs.results import Result

    short = tmp_path / "s"
    assert main(["run", "baseline", "--out", str(short), "--replicates", "4", "--end",
                 "2030Q4", "--quiet"]) == 0  # fmt: skip
    said = _effects([Result.open(short), Result.open(res)])  # read at 2030Q4: cut there
    assert "robustness china_security_push --against baseline --end 2030Q4 --out DIR" in said[0]
    level = ["robustness", "china_security_push", "--out", str(out), "--samples", "8",
             "--replicates", "2", "--quiet"]  # fmt: skip
    assert main(level) == 2
    err = capsys.readouterr().err
    assert "of China's security push against Baseline (against " in err
    assert json.loads((out / "robustness.json").read_text())["difference"]
    y = np.array([h["posterior"]["p"] for h in r["headlines"]])
    assert np.isfinite(y).all()


SWEEP = """[sweep]
sampler = "lhs"
samples = 64
replicates = 10
seed = 2024

[sweep.parameters]
russian_bandwidth = { low = 0.2, high = 0.7 }
russian_pressure = { low = 0.1, high = 0.5 }
western_offer = { low = 0.02, high = 0.15 }
chinese_offer = { low = 0.02, high = 0.2 }
contagion = { low = -0.5, high = 0.8 }
"""


def test_what_a_red_team_found_splits_or_shares_as_it_should(tmp_path):
    """Red-team findings on --against: two [region] offers of 0.05 and 0.6 read as one shared
    column (their difference vanished); a recovery threshold in one side's [sweep] was a level
    there and a width on the other side (a spread for identical dynamics); a value set equal to
    its default counted as a premise (up to 25 points at points where nothing differed)."""
    base = load_scenario("baseline")
    region = '[region]\nmembers = ["KAZ", "KGZ", "TJK"]\nwhy = "SCO"\nchinese_offer = {}\n'
    a = _file(tmp_path, "ra", 'focus = ["KGZ"]\n' + region.format(0.05))
    b = _file(tmp_path, "rb", 'focus = ["KGZ"]\n' + region.format(0.6))
    cols = rd.merged(b, a)[0]
    names = {u.name for u in cols}
    assert {"region.chinese_offer [rb]", "region.chinese_offer [ra]"} <= names
    same_a = _file(tmp_path, "rc", 'focus = ["KGZ"]\n' + region.format(0.05))
    assert "region.chinese_offer" in {u.name for u in rd.merged(same_a, a)[0]}
    dflt = _file(tmp_path, "dflt", "[params]\nwestern_offer = 0.06\n")  # the default
    hyst = _file(tmp_path, "hyst", SWEEP + "suspend_recover = { low = 0.3, high = 0.45 }\n")
    assert "western_offer" in {u.name for u in rd.merged(dflt, base)[0]}
    both = {"suspend_recover [hyst]", "suspend_recover [Baseline]"}
    assert both <= {u.name for u in rd.merged(hyst, base)[0]}
    r = rd.analyse_difference(hyst, base, samples=8, replicates=2, answer_runs=20)
    for h in r["headlines"]:  # the same dynamics: 0 wherever both read the threshold alike
        assert h["posterior"]["p"] == 0
    r = rd.analyse_difference(dflt, base, samples=8, replicates=2, answer_runs=20)
    for h in r["headlines"]:
        assert h["envelope"]["min"] == h["envelope"]["max"] == 0, h["statement"]


def test_a_fitted_answer_without_a_discordant_pair_is_not_certain(pair):
    """ "0 points [0, 0] with the fitted model" of 400 runs in which Kazakhstan never left in
    either scenario read as certain; "+1 points [0, +2]" of a lower end at -0.1 read as
    starting at zero (red-team)."""
    from alliance_sim.analysis.robustness_words import _places_of

    sc, base = pair
    got = rd.posterior_effect({"scenario": sc, "base": base}, 200, 0, "exit")["KAZ_exited"]
    assert got["p"] == 0 and got["lo"] < -0.005 and got["hi"] > 0.005
    assert _places_of({"lo": -0.00097, "hi": 0.016}) == 1
    assert _places_of({"lo": 0.07, "hi": 0.13}) == 0


def test_a_difference_changed_in_python_names_its_base_in_the_command(tmp_path):
    from alliance_sim import robustness
    from alliance_sim.scenario.load import with_end, with_params

    sc = with_params(
        with_end(load_scenario("china_security_push"), "2030Q4"), {"western_offer": 0.1}
    )
    base = with_end(load_scenario("baseline"), "2030Q4")
    r = robustness(sc, samples=8, replicates=2, against=base, quiet=True)
    assert ", against=that base (baseline.toml, scenario hash " in r["command"]
    assert r["command"].endswith(")")
    # both run to another end: the command line reruns it with --end (both end there)
    ended = with_end(load_scenario("china_security_push"), "2030Q4")
    r = robustness(ended, samples=8, replicates=2, against=base, quiet=True)
    assert r["command"].startswith(
        "alliance-sim robustness china_security_push --against baseline --end 2030Q4 --out DIR"
    )
    # the base changed in Python otherwise: no command
    other = with_params(base, {"western_offer": 0.1})
    r = robustness(ended, samples=8, replicates=2, against=other, quiet=True)
    assert r["command"].startswith("none from a file")


def test_second_red_team_findings(tmp_path, capsys):
    """The report offered `--against` commands that would be refused (a scenario against
    itself, a replay) or measure another horizon (a run cut by --end: now with its --end); a
    path with a space was printed unquoted; "--out (" read its bracket as a value ("another
    out=(force=True ..."); run counts of a difference left out its second scenario; an upper
    bound of 99.6% read 100%."""
    from alliance_sim.analysis.stats import percent_interval, wilson
    from alliance_sim.report.sections import _effects
    from alliance_sim.runs.results import Result
    from alliance_sim.voice import as_arguments

    def run(name, *extra):
        out = tmp_path / "_".join([name, *extra]).replace("/", "_").replace(" ", "_")
        argv = ["run", name, "--out", str(out), "--replicates", "4", "--quiet", *extra]
        assert main(argv) == 0
        return Result.open(out)

    base = run("baseline")
    again = run("baseline", "--seed", "1")
    cut = run("western_surge", "--end", "2030Q4")
    cut_base = run("baseline", "--end", "2030Q4")
    assert _effects([base, again]) == []
    # a run cut by --end is measured at that quarter (it named nothing: helper-117)
    cut_said = _effects([cut_base, cut])[0]
    assert "robustness western_surge --against baseline --end 2030Q4 --out DIR" in cut_said
    # a file that ends at the quarter compared, against one cut there: --end still named
    # (without it the command was refused: the two files' horizons differ; helper-118)
    (mine_30 := tmp_path / "w30.toml").write_text(
        'extends = "western_surge"\nname = "W30"\ndescription = "w"\nend = "2030Q4"\n'
    )
    said_30 = _effects([run(str(mine_30)), cut_base])[0]
    assert f"robustness baseline --against {mine_30} --end 2030Q4 --out DIR" in said_30
    mine = tmp_path / "my files"
    mine.mkdir()
    (mine / "w.toml").write_text('extends = "western_surge"\nname = "W"\ndescription = "w"\n')
    spaced = run(str(mine / "w.toml"))
    said = _effects([base, spaced])[0]
    assert f"alliance-sim robustness '{mine / 'w.toml'}' --against baseline --out DIR" in said
    assert as_arguments("choose another --out (--force only replaces a result") == (
        "choose another out (force=True only replaces a result"
    )
    lo, hi = wilson(39, 40)
    assert percent_interval(39 / 40, lo, min(hi, 1.0)) == "97.5% [87.1%, 99.6%]"
    capsys.readouterr()
    out = tmp_path / "d"
    assert main(["robustness", str(mine / "w.toml"), "--against", "baseline", "--out", str(out),
                 "--samples", "8", "--replicates", "2", "--quiet"]) == 0  # fmt: skip
    r = json.loads((out / "robustness.json").read_text())
    assert r["command"].startswith(f"alliance-sim robustness '{mine / 'w.toml'}' --against")
    assert " replicates x 2 scenarios = " in (out / "robustness.md").read_text()
    assert "points x 2 replicates x 2 scenarios)" in capsys.readouterr().out


def test_the_effect_at_a_point_is_its_mean_paired_difference(pair, monkeypatch):
    """Where a member is one in some runs of one side only (it rejoins at some points of one
    scenario), the effect at a point is the mean of the paired differences over the runs both
    sides have it in, not the difference of two means over different runs.  Here the base
    has the member in every run (1 in replicate 0, else 0) and the scenario is the same but
    without the member in replicate 0: paired, nothing differs; the difference of the means
    read -1/replicates at every point."""
    sc, base = pair
    reps = 4

    def fake(side, specs, seeds, cols):
        k = np.arange(len(specs)) % reps
        y = np.where(k == 0, 1.0, 0.0)
        if side is sc:
            y = np.where(k == 0, np.nan, y)
        return {c: y for c in cols}

    monkeypatch.setattr(rd, "_outcomes", fake)
    r = rd.analyse_difference(sc, base, samples=8, replicates=reps, answer_runs=8)
    for h in r["headlines"]:
        assert h["envelope"]["min"] == h["envelope"]["max"] == 0
        assert h["posterior"]["p"] == 0
    assert rd.paired_means(np.array([1.0, np.nan, 0.0, 1.0, 1.0, np.nan]), 3).tolist() == [
        0.5,
        1.0,
    ]
    with pytest.raises(AnalysisError, match="ARM_exited: at a design point no replicate has the"):
        rd.paired_means(np.array([np.nan, np.nan, 1.0, 0.0]), 2, "ARM_exited")
