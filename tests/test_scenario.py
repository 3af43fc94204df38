"""Scenario files: loading, extends, every bad-input case, each event type's effect."""

from dataclasses import replace

import numpy as np
import pytest

from alliance_sim import AllianceModel, load_scenario, simulate
from alliance_sim.core import members as mb
from alliance_sim.core.events import EVENT_TYPES
from alliance_sim.core.params import BY_NAME
from alliance_sim.engines.batch import run_batch
from alliance_sim.errors import ScenarioError
from alliance_sim.scenario.files import list_scenarios
from alliance_sim.scenario.plan import make_plan, spec_for
from conftest import MINIMAL, SCENARIOS

SHIPPED = sorted(p.stem for p in SCENARIOS.glob("*.toml"))


def test_all_required_scenarios_ship():
    required = {
        "baseline",
        "armenia_exits",
        "iran_joins",
        "russia_wins_ukraine",
        "china_security_push",
        "western_surge",
        "kazakhstan_unrest_repeat",
        "remittance_shock",
        "history_2020_2024",
    }
    assert required <= set(SHIPPED)
    assert [p.stem for p in list_scenarios()] == SHIPPED


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_with_description_and_sources(name):
    sc = load_scenario(name)
    assert sc.description and "\n" not in sc.description
    assert sc.sources, "every shipped scenario cites its sources"
    if sc.sweep:
        plan = make_plan(sc)
        assert plan.n_runs >= 1 and len(plan.points.columns) == len(sc.sweep.axes)


def test_extends_merges_params_members_and_appends_events(write):
    write(
        "base.toml",
        MINIMAL + "[params]\nwestern_offer = 0.1\nrussian_pressure = 0.2\n"
        '[members.ARM]\nthreat_exposure = 0.5\n[[events]]\nid = "a"\nat = "2024Q3"\n'
        'type = "exit"\nmember = "KGZ"\n',
    )
    child = write(
        "child.toml",
        'extends = "base.toml"\nname = "c"\ndescription = "child"\n'
        "[params]\nwestern_offer = 0.3\n[members.ARM]\npressure_tolerance = 0.1\n"
        '[[events]]\nat = "2025Q1"\ntype = "bandwidth"\nvalue = 0.9\n',
    )
    sc = load_scenario(child)
    assert sc.name == "c" and sc.start == "2024Q1" and sc.end == "2026Q4"
    assert sc.params == {"western_offer": 0.3, "russian_pressure": 0.2}
    assert sc.members["ARM"] == {"threat_exposure": 0.5, "pressure_tolerance": 0.1}
    assert [e.type for _, e in sc.events] == ["exit", "bandwidth"]
    dropped = write(
        "drop.toml",
        'extends = "child.toml"\nname = "d"\ndescription = "d"\nremove_events = ["a"]\n',
    )
    assert [e.type for _, e in load_scenario(dropped).events] == ["bandwidth"]


BAD = [
    (
        "typo",
        "[params]\nwestrn_offer = 0.3\n",
        r"unknown parameter 'westrn_offer' in .*x\.toml \[params\]; did you mean 'western_offer'\?",
    ),
    (
        "range",
        "[params]\nwestern_offer = 1.5\n",
        r"western_offer = 1\.5 is out of range; allowed 0 to 1 in .*x\.toml \[params\]",
    ),
    (
        "type",
        '[params]\nwestern_offer = "high"\n',
        r"western_offer = 'high' should be a number, got string in .*\[params\]",
    ),
    (
        "before start",
        '[[events]]\nat = "2023Q4"\ntype = "exit"\nmember = "ARM"\n',
        r"at = '2023Q4' is not after start '2024Q1'.*\[events\[0\] \(exit\)\]",
    ),
    (
        "member",
        '[[events]]\nat = "2024Q3"\ntype = "exit"\nmember = "ARN"\n',
        r"unknown member code 'ARN'.*\[events\[0\] \(exit\)\]; did you mean 'ARM'\?",
    ),
    (
        "member table",
        "[members.KAZZ]\nthreat_exposure = 0.2\n",
        r"unknown member code 'KAZZ'.*\[members\]; did you mean 'KAZ'\?",
    ),
    (
        "event type",
        '[[events]]\nat = "2024Q3"\ntype = "apeal"\nmember = "ARM"\n',
        r"unknown event type 'apeal'.*\[events\[0\]\]; did you mean 'appeal'\?",
    ),
    (
        "missing field",
        '[[events]]\nat = "2024Q3"\ntype = "offer"\nmember = "ARM"\n',
        r"an offer event needs 'source'",
    ),
    ("top key", "swep = 1\n", r"unknown key 'swep'.*; did you mean 'sweep'\?"),
    (
        "no points",
        '[sweep]\nsampler = "grid"\n[sweep.parameters]\n',
        r"sweep with no points.*\[sweep\.parameters\]",
    ),
    (
        "empty list",
        "[sweep]\n[sweep.parameters]\nwestern_offer = []\n",
        r"empty list of values \(a sweep with no points\)",
    ),
    (
        "replicates",
        "[sweep]\nreplicates = 0\n[sweep.parameters]\nwestern_offer = [0.1]\n",
        r"replicates = 0 is out of range; allowed 1 to 100000 in .*\[sweep\.replicates\]",
    ),
    (
        "sampler",
        '[sweep]\nsampler = "lhc"\n[sweep.parameters]\nwestern_offer = [0.1]\n',
        r"unknown sampler 'lhc'.*; did you mean 'lhs'\?",
    ),
    (
        "sweep range",
        "[sweep]\n[sweep.parameters]\nwestern_offer = {low = 0.5, high = 0.2}\n",
        r"low must be below high",
    ),
    ("quarter", 'end = "2026Q5"\n', r"end = '2026Q5' is not a quarter"),
]


@pytest.mark.parametrize("case,extra,pattern", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_clear_line(write, case, extra, pattern):
    text = (
        MINIMAL.replace('end = "2026Q4"\n', "")
        + ('end = "2026Q4"\n' if "end =" not in extra else "")
        + extra
    )
    p = write("x.toml", text)
    with pytest.raises(ScenarioError, match=pattern) as err:
        load_scenario(p)
    assert "\n" not in str(err.value) and str(p) in str(err.value)


def test_malformed_toml_names_the_line(write):
    p = write("x.toml", MINIMAL + "[params\nwestern_offer = 0.1\n")
    with pytest.raises(ScenarioError, match=r"x\.toml: malformed TOML: .*line 5"):
        load_scenario(p)


def test_cyclic_and_missing_extends(write):
    write("a.toml", MINIMAL + 'extends = "b.toml"\n')
    b = write("b.toml", MINIMAL + 'extends = "a.toml"\n')
    with pytest.raises(
        ScenarioError,
        match=r"cyclic extends .*\[extends\]: b\.toml -> a\.toml "
        r"-> b\.toml",
    ):
        load_scenario(b)
    c = write("c.toml", MINIMAL + 'extends = "nowhere.toml"\n')
    with pytest.raises(
        ScenarioError,
        match=r"missing file 'nowhere\.toml' in .*c\.toml "
        r"\[extends\]",
    ):
        load_scenario(c)


def test_unknown_scenario_name_suggests():
    with pytest.raises(
        ScenarioError,
        match=r"no scenario named 'armenia_exit'; did you mean "
        r"'armenia_exits'\?",
    ):
        load_scenario("armenia_exit")


def test_scenario_files_are_data_not_code(write):
    p = write("x.toml", MINIMAL + "[params]\nwestern_offer = \"__import__('os').system('x')\"\n")
    with pytest.raises(ScenarioError, match="should be a number"):
        load_scenario(p)


def test_simulate_accepts_a_shipped_name_or_a_path(write):
    a = simulate("armenia_exits", seed=2)
    b = simulate(SCENARIOS / "armenia_exits.toml", seed=2)
    assert a.keys() == b.keys()
    assert np.array_equal(list(a.values()), list(b.values()), equal_nan=True)
    assert a != simulate("armenia_exits", seed=2, western_offer=0.0)


# --- each event type's effect on the model ---------------------------------------------------


def model_of(write, events: str, quarters: int = 8, params: str = "", seed: int = 4):
    p = write("ev.toml", MINIMAL + params + events)
    spec = spec_for(load_scenario(p))
    m = AllianceModel(
        rng=seed, start=spec.start, members=spec.members, events=spec.events, **spec.params
    )
    m.run_for(quarters)
    return m.trajectory()


def col(traj, key, code):
    return traj[key][:, 0, mb.INDEX[code]]


def test_every_event_type_is_covered_below():
    covered = {
        "appeal",
        "unrest",
        "clash",
        "offer",
        "pressure",
        "accession",
        "exit",
        "rejoin",
        "bandwidth",
        "remittance_shock",
        "russian_force",
        "az_event",
        "application",
    }
    assert covered == set(EVENT_TYPES)


def test_an_application_is_decided_by_consensus(write):
    """Iran applies: with every member loyal it gets in; with consensus and drifting members
    someone blocks and the blocker is recorded; with the mechanism off it always gets in."""
    event = '[[events]]\nat = "2024Q3"\ntype = "application"\nmember = "IRN"\n'
    path = write("app.toml", MINIMAL + event)
    sc = load_scenario(path)
    spec = spec_for(sc)
    blocked = {"consent_cut": 1.0, "consent_scale": 0.01}  # nobody consents
    welcome = {"consent_cut": 0.0, "entrapment_weight": 0.0, "consent_scale": 0.01}
    _, out_no = run_batch([replace(spec, params=blocked)] * 5, list(range(5)))
    _, out_yes = run_batch([replace(spec, params=welcome)] * 5, list(range(5)))
    off = {**blocked, "mech_consensus": 0}
    _, out_off = run_batch([replace(spec, params=off)] * 5, list(range(5)))
    assert (out_no["IRN_joined"] == 0).all() and (out_no["KAZ_blocked"] == 1).all()
    assert (out_yes["IRN_joined"] == 1).all() and (out_yes["KAZ_blocked"] == 0).all()
    assert (out_off["IRN_joined"] == 1).all()


@pytest.mark.parametrize("kind", ["appeal", "unrest"])
def test_appeal_and_unrest_answered_or_not(write, kind):
    base = model_of(write, "")
    yes = model_of(
        write, f'[[events]]\nat = "2024Q2"\ntype = "{kind}"\nmember = "TJK"\nanswered = true\n'
    )
    no = model_of(
        write, f'[[events]]\nat = "2024Q2"\ntype = "{kind}"\nmember = "TJK"\nanswered = false\n'
    )
    assert col(yes, "credibility", "TJK")[1] > col(base, "credibility", "TJK")[1]
    assert col(no, "credibility", "TJK")[1] < col(base, "credibility", "TJK")[1]
    assert col(no, "grievance", "TJK")[1] > col(base, "grievance", "TJK")[1]
    assert col(yes, "answered", "TJK")[1] and not col(no, "answered", "TJK")[1]


def test_clash_between_members_is_never_answered(write):
    t = model_of(
        write,
        '[[events]]\nat = "2024Q2"\ntype = "clash"\nmembers = ["KGZ", "TJK"]\n',
        params="[params]\nrussian_bandwidth = 1.0\n",
    )
    for code in ("KGZ", "TJK"):
        assert col(t, "appealed", code)[1] and not col(t, "answered", code)[1]
    base = model_of(write, "", params="[params]\nrussian_bandwidth = 1.0\n")
    assert col(t, "credibility", "KGZ")[1] < col(base, "credibility", "KGZ")[1]


@pytest.mark.parametrize("source,key", [("west", "western_ties"), ("china", "chinese_ties")])
def test_offer_adds_ties_and_lowers_commitment(write, source, key):
    base = model_of(write, "")
    t = model_of(
        write,
        f'[[events]]\nat = "2024Q2"\ntype = "offer"\nmember = "KAZ"\n'
        f'source = "{source}"\nkind = "investment"\nsize = 1.0\n',
    )
    decay = BY_NAME["ties_decay"].default
    # the offer lands at the start of the quarter and, like all ties, starts to fade
    assert col(t, key, "KAZ")[1] == pytest.approx(col(base, key, "KAZ")[1] + 1.0 - decay)
    assert col(t, "commitment", "KAZ")[-1] < col(base, "commitment", "KAZ")[-1]


def test_pressure_campaign_raises_pressure_for_its_duration(write):
    base = model_of(write, "")
    t = model_of(
        write,
        '[[events]]\nat = "2024Q2"\ntype = "pressure"\nmember = "BLR"\nsize = 0.3\nduration = 3\n',
    )
    d = col(t, "pressure", "BLR") - col(base, "pressure", "BLR")
    assert np.allclose(d[1:4], 0.3, atol=0.02) and np.allclose(d[4:], 0.0, atol=0.02)


def test_accession_exit_rejoin(write):
    t = model_of(
        write,
        '[[events]]\nat = "2024Q3"\ntype = "accession"\nmember = "IRN"\n'
        "commitment = 0.9\n"
        '[[events]]\nat = "2024Q4"\ntype = "exit"\nmember = "KAZ"\n'
        '[[events]]\nat = "2025Q2"\ntype = "rejoin"\nmember = "KAZ"\n'
        "commitment = 0.6\n",
    )
    iran, kaz = col(t, "status", "IRN"), col(t, "status", "KAZ")
    assert iran[1] == mb.CANDIDATE and iran[2] == mb.ACTIVE
    assert kaz[3] == mb.EXITED and kaz[4] == mb.EXITED and kaz[5] == mb.ACTIVE


def test_accession_of_a_member_is_refused(write):
    p = write("x.toml", MINIMAL + '[[events]]\nat = "2024Q3"\ntype = "accession"\nmember = "KAZ"\n')
    with pytest.raises(ScenarioError, match="KAZ is already a member"):
        load_scenario(p)


def test_bandwidth_change_moves_pressure(write):
    base = model_of(write, "")
    t = model_of(write, '[[events]]\nat = "2024Q2"\ntype = "bandwidth"\nvalue = 1.0\n')
    assert t["bandwidth"][1, 0] == 1.0
    assert col(t, "pressure", "KAZ")[1] > col(base, "pressure", "KAZ")[1]


def test_remittance_shock_adds_grievance_and_lowers_commitment(write):
    base = model_of(write, "", quarters=12)
    t = model_of(
        write,
        '[[events]]\nat = "2024Q2"\ntype = "remittance_shock"\nmember = "TJK"\nsize = 0.6\n',
        quarters=12,
    )
    assert col(t, "grievance", "TJK")[1] > col(base, "grievance", "TJK")[1]
    assert col(t, "commitment", "TJK")[-1] < col(base, "commitment", "TJK")[-1]


def test_russian_force_frightens_exposed_members_more(write):
    """Fear of the patron: Kazakhstan (border, 18% Russian minority) moves away more than
    Tajikistan (neither); with the mechanism off the event changes nothing."""
    event = '[[events]]\nat = "2024Q2"\ntype = "russian_force"\nsize = 1.0\n'
    base = model_of(write, "", quarters=12)
    t = model_of(write, event, quarters=12)
    drop = {c: col(base, "commitment", c)[-1] - col(t, "commitment", c)[-1] for c in ("KAZ", "TJK")}
    assert drop["KAZ"] > 0.02 and drop["KAZ"] > 2 * drop["TJK"]
    off = "[params]\nmech_fear_of_patron = 0\n"
    assert np.array_equal(
        col(model_of(write, event, params=off, quarters=12), "commitment", "KAZ"),
        col(model_of(write, "", params=off, quarters=12), "commitment", "KAZ"),
    )


def test_az_war_raises_armenias_threat_and_the_agent_acts(write):
    """An Azerbaijani war raises the threat the Mesa AzerbaijanTurkey agent holds, which then
    relaxes; a delimitation deal lowers it below the standing level for good."""
    from alliance_sim.engines.mesa_model import AzerbaijanTurkey

    p = write(
        "az.toml",
        MINIMAL
        + '[[events]]\nat = "2024Q2"\ntype = "az_event"\nkind = "war"\nsize = 1.0\n'
        + '[[events]]\nat = "2025Q2"\ntype = "az_event"\nkind = "delimitation"\nsize = 0.3\n',
    )
    spec = spec_for(load_scenario(p))
    m = AllianceModel(rng=1, start=spec.start, events=spec.events, **spec.params)
    agent = next(iter(m.agents_by_type[AzerbaijanTurkey]))
    seen = []
    for _ in range(12):
        m.step()
        seen.append(agent.threat)
    assert seen[0] > 1.5 and seen[3] < seen[0]  # the surge, then it fades
    assert seen[-1] < 1.0  # the deal lowered the standing level


def test_iran_applies_and_whether_it_gets_in_is_an_outcome(tmp_path):
    """iran_joins: Iran's membership at the horizon is strictly between never and always, and
    the members that blocked are recorded per run: Iran is out at the horizon exactly when a
    member blocked it or it joined and left again."""
    from alliance_sim import run_scenario

    runs = run_scenario("iran_joins", tmp_path / "i", replicates=100, record="end").runs
    joined = runs["IRN_joined"]
    assert 0 < joined.mean() < 1
    blockers = runs[[f"{c}_blocked" for c in ("BLR", "KAZ", "KGZ", "TJK", "ARM")]].fillna(0)
    blocked = blockers.sum(axis=1) > 0
    left = runs["IRN_exited"].fillna(0) == 1
    assert ((blocked | left) == (joined == 0)).all()
    assert not (blocked & left).any()  # a blocked application never got in


def test_exit_below_may_lie_above_suspend_below(tmp_path):
    """36.5% of the 2006-2024 posterior's sets put exit_below at or above suspend_below (every
    suspended member then counts as below it); a scenario file may say the same."""
    import pandas as pd

    from alliance_sim import evaluate

    f = tmp_path / "waiting_room.toml"
    f.write_text(
        'name = "w"\ndescription = "d"\nextends = "baseline"\n[params]\nexit_below = 0.3\n',
        "utf-8",
    )
    sc = load_scenario(f)
    assert sc.params["exit_below"] == 0.3 > sc.params.get("suspend_below", 0.25)
    out = evaluate(pd.DataFrame({"exit_below": [0.05, 0.5]}), sc, replicates=40)
    share = out.groupby("point")["ARM_exited"].mean()
    assert share[1] > share[0]  # a freeze leads to exit when the threshold sits above it


def test_a_local_scenario_that_shadows_a_shipped_one_says_so(tmp_path, monkeypatch, capsys):
    """./scenarios/baseline.toml silently took the place of the shipped baseline: results
    read as the shipped scenario's.  A differing file says so once; an identical copy not."""
    from alliance_sim.cli.main import main
    from alliance_sim.scenario.files import find_scenario, shipped_dir

    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    mine = tmp_path / "scenarios" / "baseline.toml"
    mine.write_text(
        f'name = "mine"\ndescription = "x"\nextends = "{shipped_dir() / "baseline.toml"}"\n'
        "[params]\nwestern_offer = 0.07\n"
    )
    assert main(["validate", "baseline"]) == 0
    err = capsys.readouterr().err
    assert f"'baseline' is {mine}, not the shipped scenario" in err
    find_scenario("baseline")
    assert capsys.readouterr().err == ""  # once per file
    twin = tmp_path / "scenarios" / "armenia_exits.toml"
    twin.write_bytes((shipped_dir() / "armenia_exits.toml").read_bytes())
    assert find_scenario("armenia_exits") == twin
    assert capsys.readouterr().err == ""  # the same bytes as the shipped file


def test_extends_by_name_says_when_a_file_of_that_name_lies_beside(tmp_path, capsys):
    """A user who copied baseline.toml beside their file to edit it, and wrote extends =
    "baseline", got the shipped baseline without a word.  Now one line says which file was
    read and how to name the one beside; nothing is said when the copy is unchanged."""
    from alliance_sim.scenario.files import shipped_dir

    shipped = (shipped_dir() / "baseline.toml").read_text()
    copy = tmp_path / "baseline.toml"
    copy.write_text(shipped)
    mine = tmp_path / "mine.toml"
    mine.write_text('extends = "baseline"\n[params]\nwestern_offer = 0.07\n')
    load_scenario(mine)
    assert capsys.readouterr().err == ""  # the same bytes: nothing to say
    # edited (here: a file of its own that extends the shipped one by its path)
    edited = "[params]\nrussian_pressure = 0.5\n"
    copy.write_text(f'extends = "{shipped_dir() / "baseline.toml"}"\n{edited}')
    sc = load_scenario(mine)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"not {copy} beside it" in err, err
    assert 'write extends = "baseline.toml" to extend that file' in err
    other = tmp_path / "other.toml"  # a second file beside it is named too (red team)
    other.write_text('extends = "baseline"\n')
    load_scenario(other)
    assert f"extends = 'baseline' in {other} reads" in capsys.readouterr().err
    load_scenario(other)
    assert capsys.readouterr().err == ""  # once per file and process
    assert sc.params["western_offer"] == 0.07
    mine.write_text('extends = "baseline.toml"\n[params]\nwestern_offer = 0.07\n')
    assert load_scenario(mine).params["russian_pressure"] == 0.5  # the file beside
    assert capsys.readouterr().err == ""


def test_a_local_scenario_extends_the_shipped_one_of_its_own_name(tmp_path, monkeypatch):
    """./scenarios/baseline.toml with extends = "baseline" found itself and was refused with
    "missing file 'baseline' ... did you mean 'baseline'?"; it extends the shipped one."""
    from alliance_sim.scenario.files import shipped_dir

    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "baseline.toml").write_text(
        'name = "mine"\ndescription = "x"\nextends = "baseline"\n[params]\nwestern_offer = 0.07\n'
    )
    mine, shipped = load_scenario("baseline"), load_scenario(shipped_dir() / "baseline.toml")
    assert mine.name == "mine" and mine.end == shipped.end
    assert mine.start == shipped.start and mine.sweep == shipped.sweep


def test_list_scenarios_shows_what_each_name_runs_from_a_folder_of_ones_own(
    tmp_path, monkeypatch, capsys
):
    """With ./scenarios present, `list scenarios` showed only its files, hiding the shipped
    scenarios that still ran by name; a file of one's own that did not load broke the list."""
    from alliance_sim.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mine.toml").write_text(
        'name = "mine"\ndescription = "my own"\nextends = "baseline"\n'
    )
    (tmp_path / "scenarios" / "broken.toml").write_text("name = \n")
    (tmp_path / "scenarios" / "armenia_exits.toml").write_text(
        'name = "a"\ndescription = "my armenia"\nextends = "baseline"\n'
    )
    assert main(["list", "scenarios"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "armenia_exits" in lines and "baseline" in lines  # the shipped ones still listed
    assert "my own" in lines["mine"] and str(tmp_path / "scenarios") in lines["mine"]
    assert "does not load" in lines["broken"]
    arm = lines["armenia_exits"]
    assert "my armenia" in arm and "hides the shipped one" in arm
    assert "hides" not in lines["mine"]


def _posterior_variant(tmp_path, name, change=None, meta=...):
    """A copy of the shipped 2020-2024 posterior with ``change(table)`` applied and its
    metadata replaced by ``meta`` (bytes; None: none), and a scenario replaying it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from alliance_sim.scenario.files import find_scenario

    src = find_scenario("history_2020_2024").parent / "calibrated" / "history_2020_2024.parquet"
    table = pq.read_table(src)
    if change is not None:
        table = change(table)
    if meta is not ...:
        table = table.replace_schema_metadata({b"alliance_sim": meta} if meta else {})
    pq.write_table(table, tmp_path / f"{name}.parquet")
    toml = tmp_path / f"{name}.toml"
    toml.write_text(
        f'name = "t"\ndescription = "t"\nextends = "history_2020_2024"\n'
        f'calibration = "{name}.parquet"\n'
    )
    return toml, pa


def test_a_posterior_with_values_out_of_range_is_refused_at_validation(tmp_path, capsys):
    """Red-team: a posterior with Armenia's initial commitment at 7.0 (allowed 0 to 1) was
    validated and started every run from it; one with contagion = 99 in one set failed that
    set's runs one by one while the command exited 0."""
    from alliance_sim.cli.main import main

    def put(name, value, row=None):
        def change(t):
            import pyarrow as pa

            col = t.column(name).to_pylist()
            for i in range(len(col)) if row is None else [row]:
                col[i] = value
            return t.set_column(t.schema.get_field_index(name), name, pa.array(col))

        return change

    cases = {
        "member": (
            put("members.ARM.initial_commitment", 7.0),
            "members.ARM.initial_commitment = 7.0",
        ),
        "global": (put("contagion", 99.0, row=3), "contagion = 99.0 in set 3"),
    }
    for name, (change, said) in cases.items():
        toml, _ = _posterior_variant(tmp_path, name, change)
        assert main(["validate", str(toml)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and said in err and "allowed" in err, err
        assert main(["run", str(toml), "--replicates", "3", "--out", str(tmp_path / name)]) == 2
        capsys.readouterr()
        assert not (tmp_path / name).exists()
    toml, _ = _posterior_variant(tmp_path, "fine")  # the shipped file's values: all allowed
    assert main(["validate", str(toml)]) == 0


def test_a_posterior_whose_record_is_missing_or_not_ours_is_one_line(tmp_path, capsys, monkeypatch):
    """Red-team: metadata holding a JSON list gave a traceback, metadata that is not JSON a line
    naming no file, none at all a line blaming the scenario's [start]; a 263 MB posterior was
    read (4 GB of memory) where a scenario file of that size is refused."""
    from alliance_sim.cli.main import main
    from alliance_sim.scenario import posterior_file

    for name, meta, said in (
        ("listmeta", b"[1, 2]", "no alliance_sim record"),
        ("badjson", b"{not json", "metadata is not JSON"),
        ("nometa", None, "no alliance_sim record"),
    ):
        toml, _ = _posterior_variant(tmp_path, name, meta=meta)
        assert main(["validate", str(toml)]) == 2, name
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and said in err and f"{name}.parquet" in err, err
    monkeypatch.setattr(posterior_file, "MAX_FILE_BYTES", 1000)
    toml, _ = _posterior_variant(tmp_path, "big")
    assert main(["validate", str(toml)]) == 2
    err = capsys.readouterr().err.strip()
    assert "allowed at most 1,000 bytes for a posterior" in err and len(err.splitlines()) == 1


def test_a_wrong_suffix_or_a_result_file_is_named_in_one_line(tmp_path, monkeypatch, capsys):
    """A new user's `run tjk_china.tml` got "no scenario named ..." and the shipped list, and
    `validate out/tjk/manifest.json` "malformed TOML: Invalid statement"."""
    from alliance_sim.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.toml").write_text('extends = "baseline"\n')
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "manifest.json").write_text('{"scenario": {}}\n')
    (tmp_path / "notes.txt").write_text("some notes\n")
    said = {}
    for arg in ("mine.tml", "out/manifest.json", "notes.txt"):
        assert main(["validate", arg]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        said[arg] = err
    assert "did you mean 'mine.toml'?" in said["mine.tml"]
    assert "manifest.json: a result's manifest, not a scenario" in said["out/manifest.json"]
    notes = said["notes.txt"]
    assert "notes.txt: not TOML (" in notes and "), not a scenario file" in notes
    (tmp_path / "ok.txt").write_text('extends = "baseline"\n')  # TOML under another suffix: read
    assert main(["validate", "ok.txt"]) == 0
