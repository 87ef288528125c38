"""Browser tests: the demo site in Debian's headless Chromium, driven by Selenium, checked with axe-core."""
