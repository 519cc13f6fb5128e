"""Browser tests: the lessons in JupyterLab and as Voilà apps, driven by headless Chromium through Playwright.

Skipped with one line when Chromium (``/usr/bin/chromium``, Debian's ``chromium`` package) or the ``playwright``
package is missing. See ``conftest.py`` for the servers and the browser, ``harness.py`` for the helpers.
"""
