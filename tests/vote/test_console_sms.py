"""The development sender: the console shows each code once (the log line; it used to be printed
as well, so every code appeared twice)."""

import os
import subprocess
import sys

from django.conf import settings

SEND = (
    "import django; django.setup()\n"
    "from reviews.vote.sms import ConsoleSender\n"
    "ConsoleSender().send(phone='13800138000', code='482915', minutes=5)\n"
)


def test_the_console_shows_each_code_once():
    result = subprocess.run(
        [sys.executable, "-c", SEND],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bizenv.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    console = result.stdout + result.stderr
    assert console.count("482915") == 1, console
    assert "13800138000" in console
