"""The gate: fixtures, probes and the runner behind ``h2c check`` and the ``checks/`` suite."""
