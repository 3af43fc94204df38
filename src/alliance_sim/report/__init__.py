"""What a reader sees: figures (``plots``, ``figures``), comparison reports (``html``) and the
live SolaraViz page (``viz``)."""
