"""An exception in a thread a test starts (a live server's, a worker's) fails that test: the
suite turns pytest's PytestUnhandledThreadExceptionWarning into an error (pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THREADED = """
import threading


def test_an_assert_in_a_thread():
    def work():
        assert 1 + 1 == 3, "wrong in the thread"

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
"""


def test_an_assert_inside_a_thread_fails_its_test(tmp_path):
    test_file = tmp_path / "test_threaded.py"
    test_file.write_text(THREADED)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-c",
            "pyproject.toml",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout[-2000:]
    assert "1 failed" in done.stdout and "wrong in the thread" in done.stdout
