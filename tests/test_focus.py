"""Whom a scenario's reports lead with: its own ``focus``, or the members its file names."""

from alliance_sim import load_scenario
from alliance_sim.analysis.comparison import compare_results, focus_of
from alliance_sim.report.headline import headline
from alliance_sim.runs.runner import run_scenario


def test_a_file_without_focus_leads_with_the_members_it_names(write):
    """A new user's file set Kyrgyzstan's figures over the baseline and no focus; the report's
    headline opened with Kazakhstan and Armenia and reached Kyrgyzstan seventh."""
    kgz = write(
        "kgz.toml", 'extends = "baseline"\nname = "k"\n[members.KGZ]\nwestern_offer = 0.2\n'
    )
    assert load_scenario(kgz).focus == ("KGZ",)
    both = write(
        "both.toml",
        'extends = "western_surge"\nname = "b"\n'
        '[members.TJK]\nwestern_offer = 0.2\n[[events]]\nid = "x"\nat = "2026Q1"\n'
        'type = "offer"\nmember = "KGZ"\nsource = "west"\nkind = "arms"\nsize = 0.1\n',
    )  # its tables first, then its events' members, then the parent's focus
    parent = load_scenario("western_surge").focus
    assert load_scenario(both).focus == tuple(dict.fromkeys(("TJK", "KGZ", *parent)))
    own = write("own.toml", f'extends = "{kgz}"\nname = "o"\nfocus = ["ARM"]\n[members.TJK]\n'
                'western_offer = 0.2\n')  # fmt: skip
    assert load_scenario(own).focus == ("ARM",)  # a focus of its own is kept as it is
    plain = write(
        "plain.toml", 'extends = "iran_joins"\nname = "p"\n[params]\nwestern_offer = 0.1\n'
    )
    assert load_scenario(plain).focus == load_scenario("iran_joins").focus  # names no member


def test_the_headline_of_such_a_file_opens_with_its_member(write, tmp_path):
    kgz = write(
        "kgz.toml", 'extends = "baseline"\nname = "k"\n[members.KGZ]\nwestern_offer = 0.3\n'
    )
    a = run_scenario("baseline", tmp_path / "a", replicates=20, quiet=True)
    b = run_scenario(kgz, tmp_path / "b", replicates=20, quiet=True)
    assert focus_of([a, b]) == ["KGZ"]  # what reports and `compare` lead with
    head = headline(compare_results([a, b]), focus_of([a, b]))
    assert "Kyrgyzstan" in head.sentences[0], head.sentences[0]


def test_validate_says_the_focus_and_where_it_comes_from(write, capsys):
    """Nothing on the command line said whom a scenario's reports lead with (a new user's
    question once the focus could come from the members a file names)."""
    from alliance_sim.cli.main import main

    kgz = write(
        "kgz.toml", 'extends = "iran_joins"\nname = "k"\n[members.KGZ]\nwestern_offer = 0.2\n'
    )
    plain = write("p.toml", 'extends = "iran_joins"\nname = "p"\n')
    own = write("o.toml", 'extends = "iran_joins"\nname = "o"\nfocus = ["TJK"]\n')
    assert main(["validate", str(kgz), str(plain), str(own), "iran_joins"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "focus KGZ, IRN, KAZ, ARM (the members this file names, then its parent's)" in out[0]
    assert "focus IRN, KAZ, ARM (that of iran_joins, which it extends)" in out[1]
    assert "focus TJK," in out[2] and "focus IRN, KAZ, ARM," in out[3]


def test_a_file_without_a_name_is_not_reported_as_its_parent(write):
    """A new user's file without `name` ran as "Baseline - Status quo ...": the parent's name
    and description, which then headed its table, report and figures."""
    f = write("tjk.toml", 'extends = "baseline"\n[members.TJK]\nwestern_offer = 0.2\n')
    sc = load_scenario(f)
    assert sc.name == "tjk" and sc.description == "Baseline, as changed by tjk.toml"
    g = write("g.toml", f'extends = "{f}"\nname = "G"\n')  # a name, no description
    assert load_scenario(g).description == "tjk, as changed by g.toml"
    own = write("own.toml", 'extends = "baseline"\nname = "Mine"\ndescription = "my question"\n')
    assert (load_scenario(own).name, load_scenario(own).description) == ("Mine", "my question")


def test_a_list_where_a_member_code_goes_is_refused_in_one_line(write, capsys):
    """An extending file's event with `member = ["ARM", "KAZ"]` (or a region's nested list)
    raised a TypeError traceback while its focus was worked out, before validation (red-team)."""
    from alliance_sim.cli.main import main

    f = write("e.toml", 'extends = "baseline"\n[[events]]\nid = "e"\nat = "2025Q1"\n'
              'type = "pressure"\nmember = ["ARM", "KAZ"]\nsize = 0.3\nduration = 2\n')  # fmt: skip
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "unknown member code ['ARM', 'KAZ']" in err and err.count("\n") == 1, err
