"""Scenario files: the dataclasses (``spec``), reading and ``extends`` (``files``),
validation with one-line messages (``checks``), loading (``load``) and the run plan
(points x replicates with their seeds, ``plan``)."""
