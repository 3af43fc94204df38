"""The examples each ``alliance-sim`` command shows under ``--help``."""

EPILOG = {
    "main": """examples:
  alliance-sim run armenia_exits                 # 200 runs, a table and a figure
  alliance-sim sweep armenia_exits --out out/arm --workers 2
  alliance-sim validate scenarios/*.toml
  alliance-sim list parameters""",
    "run": """examples:
  alliance-sim run armenia_exits
  alliance-sim run scenarios/iran_joins.toml --replicates 500 --seed 3 --out out/iran
  alliance-sim run my_scenario.toml --end 2028Q4 --out out/mine    # your file, to 2028""",
    "sweep": """examples:
  alliance-sim sweep armenia_exits --out out/arm-sweep
  alliance-sim sweep baseline --out out/base --samples 16 --replicates 2   # a quick look
  alliance-sim sweep armenia_exits --out out/arm28 --end 2028Q4   # writes by_point.csv too
  alliance-sim sweep baseline --out out/base --executor dask --scheduler tcp://host:8786
An interrupted sweep resumes when the same command is run again.""",
    "validate": "example:\n  alliance-sim validate scenarios/*.toml",
    "show": "example:\n  alliance-sim show armenia_exits",
    "list": "examples:\n  alliance-sim list scenarios\n  alliance-sim list parameters\n"
    "  alliance-sim list events\n  alliance-sim list mechanisms\n"
    "  alliance-sim list sources        # the bibliography data files cite",
    "plot": """examples:
  alliance-sim plot out/arm-sweep --out figures/arm
  alliance-sim plot out/arm-sweep --out figs --kind heatmap --outcome ARM_exited --format svg
  alliance-sim plot out/arm-sweep --out figs --kind pairs --outcome ARM_exited
  alliance-sim plot out/arm-sweep --out paper/figs --style paper --format pdf""",
    "sensitivity": """example:
  alliance-sim sweep china_security_push --out out/china   # its [sweep] is a Saltelli design
  alliance-sim sensitivity out/china --outcome KAZ_exited --out figures/china""",
    "calibrate": """examples:
  alliance-sim calibrate history_2020_2024 --out scenarios/calibrated/history_2020_2024.parquet
  alliance-sim calibrate history_2020_2024 --out /tmp/quick.parquet --draws 200 --generations 3""",
    "backtest": """examples:
  alliance-sim backtest history_2020_2024 --fit-until 2022Q4 --out out/backtest
  alliance-sim backtest history_2020_2024 --fit-until 2022Q4 --out /tmp/bt --draws 100 --quiet
  alliance-sim backtest history_2006_2024 --origins 2010Q4,2014Q4,2018Q4,2022Q4 --out out/roll""",
    "robustness": """examples:
  alliance-sim robustness baseline --out out/robust-base        # about 20 seconds on 2 cores
  alliance-sim robustness russia_wins_ukraine --out out/robust-rwu --samples 128
  alliance-sim robustness baseline --end 2028Q4 --out out/robust-28   # as run --end 2028Q4
  alliance-sim robustness armenia_exits --out /tmp/r --samples 8 --replicates 4   # smoke test
                                                      # (at that size its drivers are noise)""",
    "discover": """examples:
  alliance-sim sweep armenia_exits --out out/arm
  alliance-sim discover out/arm --outcome ARM_exited
  alliance-sim discover out/arm --outcome cohesion_final --threshold 0.4 --below --box 12""",
    "export": """examples:
  alliance-sim export out/arm --format csv              # writes out/arm/csv/*.csv
  alliance-sim export out/arm --format csv --out ~/arm-csv
  alliance-sim export out/arm --partial                  # an interrupted sweep's stored chunks""",
    "check": """examples:
  alliance-sim check out/arm        # exit 0: healthy; 1: a part missing, extra or changed
A damaged sweep is repaired by running the same sweep command again.""",
    "refine": """examples:
  alliance-sim sweep armenia_exits --out out/arm
  alliance-sim refine out/arm --outcome ARM_exited --runs 400
  alliance-sim refine out/arm --outcome cohesion_final --threshold 0.4 --below --runs 400
An interrupted round resumes when the same command is run again.""",
    "viz": """examples:
  alliance-sim viz armenia_exits                 # opens http://127.0.0.1:8765/
  alliance-sim viz scenarios/iran_joins.toml --port 9000 --no-browser""",
    "compare": """examples:
  alliance-sim run baseline --out out/base && alliance-sim run armenia_exits --out out/arm
  alliance-sim compare out/base out/arm --out report.html   # at the last quarter both reach
  alliance-sim compare out/base out/arm --out r.html --at 2028Q4
  alliance-sim compare out/base out/arm --out paper/report.md --style paper""",
}
