"""The checks of ``h2c postdeploy`` (shipped as ``h2c.postdeploy_checks``): one property per test.

Run them with ``h2c postdeploy`` or ``pytest --pyargs h2c.postdeploy_checks -p
h2c.postdeploy.plugin --h2c-postdeploy-app DIR --h2c-postdeploy-convox-app NAME``.
"""
