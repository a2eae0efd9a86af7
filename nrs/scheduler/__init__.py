"""Scheduled jobs: the table of jobs (``jobs``), the lease that runs each once (``runner``),
its table (``models``) and the ``nrs scheduler`` command (``cli``)."""
