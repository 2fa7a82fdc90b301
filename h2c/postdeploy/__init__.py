"""``h2c postdeploy``: regression checks after each deploy, against the live Convox app.

Pure modules (``baseline``, ``settings``, ``verdicts``); the session of platform reads, the
pytest plugin, fixtures and runner that drive them; the checks live in ``checks_postdeploy/``
(shipped as ``h2c.postdeploy_checks``).
"""
