"""Executing plans into result directories: the store (Parquet chunks, manifest), the
executors (local processes, Dask), the runner (``sweep``, ``run_scenario``), the typed
:class:`Result` and :class:`Manifest`, and ``simulate`` (one run as a function)."""
