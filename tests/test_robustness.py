"""A corpus of broken inputs: scenario files, command-line options and API calls.

Each must end in exit status 2 (an AllianceSimError for the API) with ONE line that names the
file or option, the key and what is allowed - no traceback, no hang, no blow-up - or be
accepted because it is valid.  The inputs are data; add a row to cover a new mistake.
"""

from __future__ import annotations

import resource
import shutil

import pytest

from alliance_sim import load_scenario, run_scenario, sweep
from alliance_sim.cli.main import main
from alliance_sim.errors import AllianceSimError
from conftest import MINIMAL

EV = '\n[[events]]\nat = "2025Q1"\n'  # an event table, to be completed by a case
SW = "\n[sweep]\n"
SWP = "\n[sweep.parameters]\n"
HEAD = MINIMAL.replace('end = "2026Q4"\n', "")  # name, description, start

# (id, text appended to the minimal scenario or replacing a key, words the line must hold)
# "{f}" in the words stands for the file's path.
SCENARIOS: list[tuple[str, str, tuple[str, ...]]] = [
    # --- container types before values
    ("start-list", 'start = ["2024Q1"]', ("[start]", "string", "list")),
    ("end-list", 'end = ["2026Q4"]', ("[end]", "string")),
    ("name-int", "name = 5", ("[name]", "string")),
    ("description-list", 'description = ["x"]', ("[description]", "string")),
    ("sources-int", "sources = 5", ("[sources]", "list of strings")),
    ("sources-ints", "sources = [1, 2]", ("[sources]", "list of strings")),
    ("focus-string", 'focus = "ARM"', ("[focus]", "list of strings")),
    ("focus-ints", "focus = [1]", ("[focus]", "list of strings")),
    ("params-int", "params = 5", ("[params]", "table")),
    ("params-list", "params = [1]", ("[params]", "table")),
    ("members-string", 'members = "ARM"', ("[members]", "table")),
    ("members-list", 'members = ["ARM"]', ("[members]", "table")),
    ("member-int", "[members]\nARM = 5", ("[members.ARM]", "table")),
    ("status-list", '[members.ARM]\ninitial_status = ["active"]', ("initial_status", "string")),
    ("events-int", "events = 5", ("[events]", "array of tables")),
    ("events-strings", 'events = ["x"]', ("[events]", "array of tables")),
    ("event-type-list", EV + 'type = ["appeal"]\nmember = "ARM"', ("[events[0]]", "string")),
    ("event-at-list", '\n[[events]]\nat = ["2025Q1"]\ntype = "exit"\nmember = "ARM"', ("at",)),
    ("event-id-int", EV + 'type = "exit"\nmember = "ARM"\nid = 5', ("[events[0]]", "string")),
    ("calibration-int", "calibration = 5", ("[calibration]", "string")),
    ("extends-int", "extends = 5", ("[extends]", "string")),
    ("extends-list", 'extends = ["baseline"]', ("[extends]", "string")),
    ("sweep-int", "sweep = 5", ("[sweep]", "table")),
    ("sweep-parameters-int", SW + "parameters = 5", ("[sweep.parameters]", "table")),
    ("sweep-sampler-list", SW + 'sampler = ["grid"]', ("[sweep.sampler]", "string")),
    ("sweep-scalar", SWP + "western_offer = 0.1", ("western_offer", "list of values")),
    ("calibrate-int", "calibrate = 5", ("[calibrate]", "table")),
    ("calibrate-params-list", "[calibrate]\nparameters = [1]", ("[calibrate.parameters]",)),
    (
        "calibrate-prior-list",
        "[calibrate.parameters]\nwestern_offer = [0.1, 0.2]",
        ("western_offer", "low"),
    ),
    ("remove-events-int", "remove_events = 5", ("[remove_events]", "list of strings")),
    # --- values
    ("start-q5", 'start = "2024Q5"', ("[start]", "quarter")),
    ("start-1066", 'start = "1066Q1"', ("[start]", "1900", "2200")),
    ("end-2400", 'end = "2400Q1"', ("[end]", "2200")),
    ("horizon-centuries", 'end = "2150Q1"', ("[end]", "at most 400 quarters")),
    ("end-before-start", 'end = "2023Q1"', ("[end]", "after start")),
    ("param-unknown", "[params]\nwestrn_offer = 0.1", ("[params]", "did you mean")),
    ("param-string", '[params]\nwestern_offer = "0.1"', ("[params]", "number")),
    ("param-nan", "[params]\nwestern_offer = nan", ("[params]", "allowed")),
    ("param-inf", "[params]\nwestern_offer = inf", ("[params]", "allowed")),
    ("param-range", "[params]\nwestern_offer = 5.0", ("[params]", "allowed")),
    ("param-bool", "[params]\nwestern_offer = true", ("[params]", "number")),
    ("member-unknown", "[members.ARN]\nthreat_exposure = 0.5", ("[members]", "ARM")),
    ("member-russia", "[members.RUS]\nthreat_exposure = 0.5", ("[members]", "allowed")),
    ("member-field", "[members.ARM]\nthreat = 0.5", ("[members.ARM]", "allowed: population_m")),
    ("member-range", "[members.ARM]\nthreat_exposure = 7", ("[members.ARM]", "allowed 0 to 1")),
    ("member-status", '[members.ARM]\ninitial_status = "gone"', ("[members.ARM]", "allowed")),
    ("event-type", EV + 'type = "apeal"\nmember = "ARM"', ("[events[0]]", "did you mean")),
    ("event-no-type", EV + 'member = "ARM"', ("[events[0]]", "allowed")),
    ("event-no-at", '\n[[events]]\ntype = "exit"\nmember = "ARM"', ("[events[0]", "'at'")),
    ("event-early", '\n[[events]]\nat = "2023Q1"\ntype = "exit"\nmember = "ARM"', ("start",)),
    ("event-late", '\n[[events]]\nat = "2030Q1"\ntype = "exit"\nmember = "ARM"', ("after end",)),
    ("event-field", EV + 'type = "exit"\nmember = "ARM"\nsize = 1', ("size", "allowed")),
    ("event-no-member", EV + 'type = "appeal"', ("member",)),
    ("event-member", EV + 'type = "appeal"\nmember = "ARN"', ("ARN", "did you mean")),
    ("event-answer", EV + 'type = "appeal"\nmember = "ARM"\nanswered = "maybe"', ("allowed",)),
    ("clash-one", EV + 'type = "clash"\nmembers = ["KGZ"]', ("two different members",)),
    ("clash-same", EV + 'type = "clash"\nmembers = ["KGZ", "KGZ"]', ("two different",)),
    ("bandwidth-both", EV + 'type = "bandwidth"\nvalue = 0.5\nchange = 0.1', ("exactly one",)),
    ("accession-member", EV + 'type = "accession"\nmember = "ARM"', ("candidate",)),
    (
        "event-duplicate-id",
        EV + 'type = "exit"\nmember = "ARM"\nid = "a"' + EV + 'type = "exit"\nmember = "KAZ"\n'
        'id = "a"',
        ("duplicate event id",),
    ),
    # --- values that make no sense together
    ("appeal-candidate", EV + 'type = "appeal"\nmember = "IRN"', ("IRN", "not acceded")),
    (
        "exit-twice",
        EV + 'type = "exit"\nmember = "ARM"\n\n[[events]]\nat = "2025Q3"\ntype = "exit"\n'
        'member = "ARM"',
        ("[events[1] (exit)]", "has left"),
    ),
    (
        "appeal-after-exit",
        EV + 'type = "exit"\nmember = "ARM"\n\n[[events]]\nat = "2025Q3"\ntype = "appeal"\n'
        'member = "ARM"',
        ("ARM", "has left"),
    ),
    (
        "unrest-exited-at-start",
        '[members.KAZ]\ninitial_status = "exited"' + EV + 'type = "unrest"\nmember = "KAZ"',
        ("KAZ", "exited at the start"),
    ),
    ("hedge-order", "[params]\nhedge_below = 0.6\nhedge_recover = 0.5", ("hedge_below", "below")),
    ("suspend-above-hedge", "[params]\nsuspend_below = 0.5", ("suspend_below", "hedge_below")),
    (
        "suspend-order",
        "[params]\nsuspend_below = 0.3\nsuspend_recover = 0.3",
        ("suspend_recover", "below"),
    ),
    (
        "trade-sum",
        "[members.ARM]\ntrade_russia = 0.9\ntrade_eu = 0.5\ntrade_china = 0.2",
        ("[members.ARM]", "at most 1"),
    ),
    (
        "sweep-threshold-crossing",
        SWP + "hedge_below = { low = 0.3, high = 0.7 }",
        ("[sweep.parameters]", "hedge_below"),
    ),
    # --- sweep sizes and settings
    (
        "replicates-huge",
        SW + "replicates = 1000000000000" + SWP + "western_offer = [0.1]",
        ("allowed 1 to 100000",),
    ),
    ("replicates-zero", SW + "replicates = 0" + SWP + "western_offer = [0.1]", ("replicates",)),
    ("replicates-float", SW + "replicates = 2.5" + SWP + "western_offer = [0.1]", ("whole",)),
    (
        "grid-1e12",
        SW
        + "levels = 1000"
        + SWP
        + "western_offer = { low = 0, high = 1 }\nrussian_pressure = { low = 0, high = 1 }\n"
        "chinese_offer = { low = 0, high = 1 }\nties_decay = { low = 0.1, high = 0.2 }",
        ("[sweep]", "points", "at most"),
    ),
    (
        "saltelli-huge",
        SW + 'sampler = "saltelli"\nsamples = 4194304' + SWP + "western_offer = [0.1, 0.2]",
        ("[sweep.samples]", "allowed 1 to 200000"),  # --samples' limit, before the plan's
    ),
    (
        "saltelli-not-a-power-of-two",
        SW + 'sampler = "saltelli"\nsamples = 40' + SWP + "western_offer = { low = 0, high = 1 }",
        ("[sweep.samples]", "samples = 40", "power of two", "32 or 64"),
    ),
    ("sampler-unknown", SW + 'sampler = "lhc"' + SWP + "western_offer = [0.1]", ("lhs",)),
    ("sweep-empty", SW + "samples = 4", ("[sweep.parameters]", "at least one")),
    ("sweep-empty-list", SWP + "western_offer = []", ("empty list",)),
    ("sweep-low-high", SWP + "western_offer = { low = 0.5, high = 0.1 }", ("low must be below",)),
    ("sweep-unknown-param", SWP + "westrn_offer = [0.1]", ("did you mean",)),
    ("sweep-unknown-key", SW + "smaples = 3" + SWP + "western_offer = [0.1]", ("did you mean",)),
    ("sweep-event-id", SWP + '"events.nope.at" = ["2025Q1"]', ("no event with id",)),
    ("sweep-levels", SW + "levels = 1" + SWP + "western_offer = { low = 0, high = 1 }", ("2",)),
    ("sweep-seed", SW + "seed = -1" + SWP + "western_offer = [0.1]", ("[sweep.seed]",)),
    ("calibrate-draws", "[calibrate]\ndraws = 5", ("[calibrate.draws]", "allowed")),
    ("calibrate-accept", "[calibrate]\naccept = 2", ("[calibrate.accept]", "allowed")),
    # --- whole-file mistakes
    ("unknown-key", "sweeep = 1", ("did you mean 'sweep'",)),
    ("multi-line-description", 'description = """a\nb"""', ("[description]", "one line")),
    ("empty-name", 'name = ""', ("[name]",)),
    ("focus-unknown", 'focus = ["ARN"]', ("[focus]", "ARM")),
    ("malformed", "name = ", ("malformed TOML",)),
    ("extends-missing", 'extends = "nope.toml"', ("[extends]", "nope")),
    ("calibration-missing", 'calibration = "nope.toml"', ("[calibration]", "missing")),
]
for _i, (_id, _text, _words) in enumerate(SCENARIOS):  # a key given twice replaces MINIMAL's
    _key = _text.split("=")[0].strip()
    if _key in ("name", "description", "start", "end") and not _text.startswith("\n"):
        SCENARIOS[_i] = (_id, "\0" + _text, _words)


def _scenario_text(text: str) -> str:
    if text.startswith("\0"):
        text = text[1:]
        key = text.split("=")[0].strip()
        base = "".join(ln + "\n" for ln in MINIMAL.splitlines() if ln.split("=")[0].strip() != key)
        return base + text + "\n"
    return MINIMAL + text + "\n"


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "usage:" not in err, err
    return lines[0]


@pytest.fixture(autouse=True)
def _bounded_memory():
    yield
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 1500, f"peak memory {peak_mb:.0f} MB"


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in SCENARIOS], ids=[c[0] for c in SCENARIOS]
)
def test_broken_scenario_is_one_line(text, words, tmp_path, capsys):
    f = tmp_path / "x.toml"
    f.write_text(_scenario_text(text), "utf-8")
    assert main(["validate", str(f)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(f) in line, line
    for w in words:
        assert w in line, (w, line)


def _nested(depth: int) -> bytes:
    return ("name = 'x'\ndescription = 'y'\nsources = " + "[" * depth + "]" * depth).encode()


FILES: list[tuple[str, bytes, tuple[str, ...]]] = [
    ("latin-1", 'name = "Erevan ü"\n'.encode("latin-1"), ("not UTF-8", "line 1")),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("not UTF-8",)),
    ("utf-16", MINIMAL.encode("utf-16"), ("not UTF-8",)),
    ("arrays-100k-one-line", _nested(100_000), ("line 3", "longer than 10,000")),
    ("arrays-100k", b"a = " + b"[\n" * 100_000 + b"]\n" * 100_000, ("nested too deep", "32")),
    ("tables-100k", b"a = " + b"{b = " * 100_000 + b"1" + b"}" * 100_000, ("longer than",)),
    ("arrays-40", _nested(40), ("nested too deep", "32")),
    ("dotted-40", ("[" + ".".join(["a"] * 40) + "]\nx = 1\n").encode(), ("nested too deep",)),
    ("dotted-20k", ("[" + ".".join(["a"] * 20_000) + "]\n").encode(), ("longer than",)),
    ("huge", b"# " + b"x" * (17 * 2**20), ("bytes", "at most")),
    ("empty", b"", ("[name]", "required")),
    ("nul", b"name = '\x00'", ("malformed TOML",)),
]


@pytest.mark.parametrize(("data", "words"), [c[1:] for c in FILES], ids=[c[0] for c in FILES])
def test_broken_file_is_one_line_naming_it(data, words, tmp_path, capsys):
    f = tmp_path / "x.toml"
    f.write_bytes(data)
    assert main(["validate", str(f)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(f) in line
    for w in words:
        assert w in line, (w, line)


def test_posterior_files(tmp_path, capsys):
    cases = {
        "nan": "[[posterior]]\nwestern_offer = nan\n",
        "empty": "start = '2020Q1'\n",
        "text": "[[posterior]]\nwestern_offer = 'high'\n",
        "not-table": "posterior = [1, 2]\n",
        "unknown": "[[posterior]]\nwestrn_offer = 0.1\n",
    }
    for name, body in cases.items():
        cal = tmp_path / f"{name}.toml"
        cal.write_text(body)
        sc = tmp_path / f"sc-{name}.toml"
        sc.write_text(MINIMAL + f'calibration = "{cal.name}"\n')
        assert main(["validate", str(sc)]) == 2, name
        line = _one_line(capsys.readouterr().err)
        assert "[calibration]" in line and str(cal) in line, line


def test_extends_problems(tmp_path, capsys):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(MINIMAL + 'extends = "b.toml"\n')
    b.write_text(MINIMAL + 'extends = "a.toml"\n')
    assert main(["validate", str(a)]) == 2
    assert "cyclic extends" in _one_line(capsys.readouterr().err)
    c = tmp_path / "c.toml"
    c.write_text(MINIMAL + 'extends = "d.toml"\n')
    (tmp_path / "d.toml").write_bytes(b"name = '\xff'")
    assert main(["validate", str(c)]) == 2
    assert "d.toml: not UTF-8" in _one_line(capsys.readouterr().err)
    e = tmp_path / "e.toml"  # a child whose params are a number, over a valid parent
    e.write_text('extends = "baseline"\nparams = 5\n')
    assert main(["validate", str(e)]) == 2
    assert f"{e} [params]" in _one_line(capsys.readouterr().err)


VALID = [
    ("minimal", MINIMAL),
    ("extends-by-name", 'extends = "baseline"\nname = "mine"\n'),
    ("extends-by-file-name", 'extends = "armenia_exits.toml"\nname = "mine"\n'),
    ("dollar-name", MINIMAL.replace('name = "t"', 'name = "$5bn$ deal \\u001b[2J"')),
    (
        "appeal-after-accession",
        MINIMAL + EV + 'type = "accession"\nmember = "IRN"\n\n[[events]]\nat = "2025Q2"\n'
        'type = "appeal"\nmember = "IRN"\n',
    ),
    (
        "exit-rejoin-exit",
        MINIMAL + EV + 'type = "exit"\nmember = "ARM"\n\n[[events]]\nat = "2025Q2"\n'
        'type = "rejoin"\nmember = "ARM"\n\n[[events]]\nat = "2025Q4"\ntype = "exit"\n'
        'member = "ARM"\n',
    ),
]


@pytest.mark.parametrize("text", [v[1] for v in VALID], ids=[v[0] for v in VALID])
def test_valid_scenarios_are_accepted(text, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # another folder: shipped scenarios are found by name
    f = tmp_path / "mine.toml"
    f.write_text(text, "utf-8")
    assert main(["validate", str(f)]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and "\x1b" not in out


def test_validate_checks_every_file(tmp_path, capsys):
    good, bad1, bad2 = (tmp_path / f"{n}.toml" for n in ("good", "bad1", "bad2"))
    good.write_text(MINIMAL)
    bad1.write_text('start = ["2024Q1"]\n')
    bad2.write_bytes(b"\xff\xfe")
    assert main(["validate", str(bad1), str(good), str(bad2)]) == 2
    cap = capsys.readouterr()
    assert cap.out.count("ok: ") == 1
    errs = cap.err.strip().splitlines()
    assert len(errs) == 2 and str(bad1) in errs[0] and str(bad2) in errs[1]


# --- options ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def result_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("res") / "run"
    run_scenario("armenia_exits", d, replicates=2)
    return d


# (id, argv with {d} a finished result dir and {t} a temporary folder, words of the line)
OPTIONS: list[tuple[str, list[str], tuple[str, ...]]] = [
    ("run-replicates-0", ["run", "baseline", "--replicates", "0"], ("--replicates", "positive")),
    ("run-replicates-abc", ["run", "baseline", "--replicates", "abc"], ("--replicates",)),
    (
        "run-replicates-huge",
        ["run", "{q}", "--replicates", "10000000", "--out", "{t}/r"],
        ("replicates", "100,000"),
    ),
    ("run-seed-neg", ["run", "baseline", "--seed", "-1"], ("--seed",)),
    ("run-engine", ["run", "baseline", "--engine", "numba"], ("--engine", "batch")),
    ("run-missing", ["run", "{t}/nope.toml"], ("nope.toml", "no such")),
    ("run-folder", ["run", "{t}"], ("is a folder",)),
    ("run-empty-name", ["run", ""], ("scenario ''", "allowed")),
    ("run-unknown-name", ["run", "armenia_exit"], ("did you mean 'armenia_exits'",)),
    ("run-out-file", ["run", "{q}", "--out", "{t}/afile"], ("--out", "file")),
    ("run-out-under-file", ["run", "{q}", "--out", "{t}/afile/sub"], ("--out", "file")),
    ("run-out-proc", ["run", "{q}", "--out", "/proc/alliance-sim-out"], ("/proc",)),
    ("sweep-out-empty", ["sweep", "{q}", "--out", ""], ("--out ''", "current directory")),
    ("sweep-out-dot", ["sweep", "{q}", "--out", "."], ("current directory",)),
    ("sweep-out-root", ["sweep", "{q}", "--out", "/"], ("root",)),
    ("sweep-out-home", ["sweep", "{q}", "--out", "{home}"], ("home directory",)),
    ("sweep-out-parent", ["sweep", "{q}", "--out", ".."], ("parent of the current",)),
    ("sweep-out-scenario-dir", ["sweep", "{t}/s/x.toml", "--out", "{t}/s"], ("scenario file",)),
    ("sweep-out-file", ["sweep", "{q}", "--out", "{t}/afile"], ("--out", "file")),
    (
        "sweep-out-foreign",
        ["sweep", "{q}", "--out", "{t}/foreign", "--force"],
        ("not a result",),
    ),
    (
        "sweep-workers-1000",
        ["sweep", "{q}", "--out", "{t}/w", "--workers", "1000"],
        ("--workers 1000: allowed", "cores"),
    ),
    (
        "sweep-workers-0",
        ["sweep", "{q}", "--out", "{t}/w", "--workers", "0"],
        ("--workers",),
    ),
    (
        "sweep-chunk-0",
        ["sweep", "{q}", "--out", "{t}/w", "--chunk-size", "0"],
        ("--chunk-size",),
    ),
    (
        "sweep-record",
        ["sweep", "{q}", "--out", "{t}/w", "--record", "often"],
        ("--record", "every:N"),
    ),
    (
        "sweep-record-0",
        ["sweep", "{q}", "--out", "{t}/w", "--record", "every:0"],
        ("--record",),
    ),
    (
        "sweep-executor",
        ["sweep", "{q}", "--out", "{t}/w", "--executor", "mpi"],
        ("--executor",),
    ),
    (
        "sweep-replicates-huge",
        ["sweep", "{q}", "--out", "{t}/w", "--replicates", "1000000000000"],
        ("replicates", "100,000"),
    ),
    (
        "sweep-samples-huge",
        ["sweep", "baseline", "--out", "{t}/w", "--samples", "1000000000"],
        ("samples", "200,000"),
    ),
    (
        "sweep-runs-huge",
        ["sweep", "baseline", "--out", "{t}/w", "--samples", "100000", "--replicates", "1000"],
        ("runs", "2,000,000"),
    ),
    (
        "sweep-seed-huge",
        ["sweep", "{q}", "--out", "{t}/w", "--seed", str(2**64)],
        ("--seed",),
    ),
    ("sweep-no-sweep", ["sweep", "history_2020_2024", "--out", "{t}/w"], ("no [sweep]",)),
    (
        "sweep-scheduler-bad",
        [
            "sweep",
            "armenia_exits",
            "--out",
            "{t}/w",
            "--executor",
            "dask",
            "--scheduler",
            "::nonsense::",
        ],
        ("--scheduler", "Dask"),
    ),
    ("sweep-no-out", ["sweep", "armenia_exits"], ("--out",)),
    ("viz-port-70000", ["viz", "--port", "70000"], ("--port", "65535")),
    ("viz-port-0", ["viz", "--port", "0"], ("--port",)),
    ("viz-port-abc", ["viz", "--port", "abc"], ("--port",)),
    ("plot-missing", ["plot", "{t}/nope", "--out", "{t}/f"], ("nope: no such folder",)),
    ("plot-kind", ["plot", "{d}", "--out", "{t}/f", "--kind", "pie"], ("pie",)),
    ("plot-format", ["plot", "{d}", "--out", "{t}/f", "--format", "gif"], ("--format",)),
    ("plot-out-file", ["plot", "{d}", "--out", "{t}/afile"], ("--out", "file")),
    (
        "plot-outcome",
        ["plot", "{d}", "--out", "{t}/f", "--outcome", "ARM_exitted"],
        ("ARM_exitted",),
    ),
    ("compare-one", ["compare", "{d}", "--out", "{t}/r.html"], ("at least two",)),
    ("compare-out-dir", ["compare", "{d}", "{d}", "--out", "{t}"], ("--out", "folder")),
    (
        "compare-format",
        ["compare", "{d}", "{d}", "--out", "{t}/r.x", "--format", "xls"],
        ("--format",),
    ),
    ("compare-missing", ["compare", "{d}", "{t}/nope", "--out", "{t}/r.html"], ("nope",)),
    (
        "calibrate-generations-0",
        ["calibrate", "history_2020_2024", "--out", "{t}/c.parquet", "--generations", "0"],
        ("--generations", "positive"),
    ),
    (
        "calibrate-method",
        ["calibrate", "history_2020_2024", "--out", "{t}/c.parquet", "--method", "mcmc"],
        ("--method", "invalid choice"),
    ),
    (
        "backtest-cut",
        ["backtest", "history_2020_2024", "--fit-until", "2030Q1", "--out", "{t}/b"],
        ("--fit-until", "2030Q1"),
    ),
    (
        "calibrate-workers",
        ["calibrate", "history_2020_2024", "--out", "{t}/c.toml", "--workers", "1000"],
        ("--workers 1000: allowed",),
    ),
    ("calibrate-out-dir", ["calibrate", "history_2020_2024", "--out", "{t}"], ("--out", "folder")),
    ("calibrate-no-prior", ["calibrate", "armenia_exits", "--out", "{t}/c.toml"], ("calibrat",)),
    ("sensitivity-grid", ["sensitivity", "{d}", "--out", "{t}/f"], ("saltelli",)),
    ("list-bogus", ["list", "bogus"], ("invalid choice",)),
    ("command-bogus", ["frobnicate"], ("invalid choice",)),
    ("no-command", [], ("required",)),
    ("show-unknown", ["show", "nope"], ("no scenario named 'nope'",)),
    ("unknown-option", ["run", "baseline", "--replicatez", "3"], ("unrecognized",)),
]


@pytest.mark.parametrize(("argv", "words"), [c[1:] for c in OPTIONS], ids=[c[0] for c in OPTIONS])
def test_bad_option_is_one_line(argv, words, result_dir, tmp_path, capsys, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "thesis.docx").write_text("precious")
    (tmp_path / "s").mkdir()
    shutil.copy(load_scenario("armenia_exits").path, tmp_path / "s" / "x.toml")
    (tmp_path / "s" / "x.toml").write_text(
        (tmp_path / "s" / "x.toml").read_text().replace('"baseline.toml"', '"baseline"')
    )
    q = tmp_path / "q.toml"  # a quick scenario with a sweep (no calibration file to read)
    q.write_text(MINIMAL + SWP + "western_offer = [0.1, 0.2]\n")
    args = [a.format(d=result_dir, t=tmp_path, home=home, q=q) for a in argv]
    try:
        code = main(args)
    except SystemExit as e:  # argparse
        code = e.code
    assert code == 2
    line = _one_line(capsys.readouterr().err)
    for w in words:
        assert w in line, (w, line)
    assert (tmp_path / "foreign" / "thesis.docx").read_text() == "precious"
    assert list(work.iterdir()) == []


# --- API calls -------------------------------------------------------------------------------

API: list[tuple[str, dict, str]] = [
    ("replicates-0", dict(replicates=0), "replicates = 0"),
    ("replicates-neg", dict(replicates=-3), "replicates = -3"),
    ("replicates-float", dict(replicates=2.0), "replicates = 2.0"),
    ("replicates-bool", dict(replicates=True), "replicates = True"),
    ("samples-0", dict(samples=0), "samples = 0"),
    ("seed-neg", dict(seed=-1), "seed = -1"),
    ("workers-1000", dict(workers=1000), "workers = 1000"),
    ("workers-0", dict(workers=0), "workers = 0"),
    ("chunk-0", dict(chunk_size=0), "chunk_size = 0"),
    ("engine", dict(engine="numba"), "unknown engine"),
    ("record", dict(record="sometimes"), "every:N"),
    ("executor", dict(executor="mpi"), "unknown executor"),
]


@pytest.mark.parametrize(("kw", "words"), [c[1:] for c in API], ids=[c[0] for c in API])
def test_bad_api_call_raises_one_line(kw, words, tmp_path):
    out = tmp_path / "o"
    with pytest.raises(ValueError) as err:
        sweep("armenia_exits", out, **kw)
    msg = str(err.value)
    assert "\n" not in msg and words in msg, msg
    assert not (out / "manifest.json").exists()


@pytest.mark.parametrize("out", ["", ".", "/", ".."])
def test_api_refuses_out_that_could_reach_other_files(out, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("mine")
    monkeypatch.chdir(work)
    for call in (
        lambda: sweep("armenia_exits", out, replicates=1, force=True),
        lambda: run_scenario("armenia_exits", out, replicates=1, force=True),
    ):
        with pytest.raises(AllianceSimError, match=r"allowed|name a folder"):
            call()
    assert [p.name for p in work.iterdir()] == ["keep.txt"]


def test_load_scenario_of_nothing(tmp_path):
    for bad in ("", tmp_path):
        with pytest.raises(AllianceSimError):
            load_scenario(bad)


def test_corpus_has_at_least_100_inputs():
    n = len(SCENARIOS) + len(FILES) + 5 + 3 + len(OPTIONS) + len(API) + 4 + 2
    assert n >= 100, n


def test_nothing_left_behind_by_a_refusal(tmp_path, capsys):
    assert main(["sweep", "armenia_exits", "--out", str(tmp_path / "w"), "--workers", "99"]) == 2
    assert not (tmp_path / "w").exists()


def test_out_path_exists_as_file_under_force(tmp_path, capsys):
    f = tmp_path / "f"
    f.write_text("x")
    assert main(["sweep", "armenia_exits", "--out", str(f), "--force"]) == 2
    assert f.read_text() == "x"


@pytest.mark.parametrize(
    "text, shown",
    [
        ("p < 0.001", "p < 0.001"),  # "<" before a space or digit opens no tag
        ("<0.001 and a > b", "<0.001 and a > b"),
        ("<script>x</script>", "&lt;script>x&lt;/script>"),  # no tag can open
        ("<!-- c --> <?pi <a href=x>", "&lt;!-- c --> &lt;?pi &lt;a href=x>"),
        ("> quoted", "&gt; quoted"),  # no block quote at a line's start
        ("a < b & c", "a < b &amp; c"),
    ],
)
def test_markdown_escapes_what_could_act_and_only_that(text, shown):
    from alliance_sim.textsafe import md

    assert md(text) == shown


def test_escaping_in_terminal_and_markdown(tmp_path, capsys):
    evil = tmp_path / "evil.toml"
    evil.write_text(
        'extends = "armenia_exits"\nname = "<script>x</script> $a$ \\u001b[2J"\n'
        'description = "# Heading injected | col \\u001b]8;;http://x\\u0007"\n',
        "utf-8",
    )
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(evil), "--replicates", "2", "--out", str(a)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b" in out
    assert main(["run", "armenia_exits", "--replicates", "2", "--out", str(b)]) == 0
    assert main(["compare", str(b), str(a), "--out", str(tmp_path / "r.md")]) == 0
    text = (tmp_path / "r.md").read_text()
    assert "<script>" not in text and "</script>" not in text and "&lt;script>" in text
    assert "\n# Heading" not in text and "\x1b" not in text
    assert (a / "commitment.png").is_file()  # $a$ did not break the figure


def test_an_interval_above_zero_never_prints_as_starting_at_zero():
    """New-user trial: a driver listed under "its interval above zero" with S1 0.10
    [0.00, 0.21]: its lower bound, 0.004, was rounded to 0.00."""
    from alliance_sim.report.robustness import _ci

    assert _ci(0.1, 0.096) == "0.1000 [0.0040, 0.1960]"
    assert _ci(0.1, 0.1) == "0.10 [0.00, 0.20]"  # at zero: as it is
    assert _ci(0.3, 0.1) == "0.30 [0.20, 0.40]"
    assert _ci(0.003, 0.001) == "0.0030 [0.0020, 0.0040]"  # it read "0.00 [0.002, 0.00]"
    assert _ci(0.003, None) == "0.00 [0.00, 0.00]"  # no half-width: no TypeError
    assert _ci(-0.1, 0.0999) == "-0.10000 [-0.19990, -0.00010]"  # below zero alike


def test_the_drivers_figure_says_what_made_it(tmp_path, monkeypatch):
    """New-user trial: drivers.png had no footer naming the scenario's hash and the version,
    which the README says every figure's footer carries."""
    import json
    from pathlib import Path

    from alliance_sim.report import robustness as rb

    result = json.loads(
        (Path(__file__).parents[1] / "docs/robustness/baseline/robustness.json").read_text()
    )
    kept = {}
    monkeypatch.setattr(rb, "save", lambda fig, path, **kw: kept.setdefault("fig", fig))
    rb.figure(result, tmp_path / "drivers.png")
    texts = [t.get_text() for t in kept["fig"].texts]
    assert any(result["scenario_hash"] in t and result["alliance_sim"] in t for t in texts)
