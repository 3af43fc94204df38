"""The model itself: calendar quarters, member profiles and their sources, the parameter
registry, the state arrays, event types, the equations (one quarter written once) and the
outcomes of a run.  Nothing here knows about scenario files, sweeps or figures."""
