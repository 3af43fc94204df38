"""The two drivers of the same equations: the Mesa model (``AllianceModel``, the reference)
and the batch engine (many runs in lockstep), both fed by one :class:`RunSpec` builder, and the
conversion of their arrays into the tables a result directory stores."""
