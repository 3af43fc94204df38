"""The ``alliance-sim`` command line: parsing (``main``), the verbs (``commands``) and the
generated parameter table of ``docs/model.md`` (``docgen``)."""
