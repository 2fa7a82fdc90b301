"""``h2c compare``: the live Heroku app and the deployed Convox app, side by side.

Pure modules (request lists, CLI text, answer normalisation, the Diffy-style comparison,
process and schedule verdicts, the report); the pytest plugin, fixtures and runner that drive
them; the checks themselves live in ``checks_compare/`` (shipped as ``h2c.compare_checks``).
"""
