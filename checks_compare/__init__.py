"""The checks of ``h2c compare`` (shipped as ``h2c.compare_checks``): one property per test.

Run them with ``h2c compare`` or ``pytest --pyargs h2c.compare_checks -p h2c.compare.plugin
--h2c-compare-app DIR --h2c-compare-heroku-app NAME --h2c-compare-convox-app NAME``.
"""
