"""``qualcode open``: the first line is the address (with the token), served on 127.0.0.1."""

import http.cookiejar
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.test_coding_cli import coded  # noqa: F401  (fixture)


def test_open_prints_the_address_first_and_serves_on_loopback_only(coded):  # noqa: F811
    project, _ = coded
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode.cli", "open", str(project), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )  # fmt: skip
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        token = url.split("token=")[1]
        assert len(token) >= 24
        # A browser keeps the cookie the token address sets, and follows the redirect with it.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        deadline = time.monotonic() + 20
        while True:
            try:
                with browser.open(url, timeout=2) as answer:
                    assert answer.status == 200 and "int0" in answer.read().decode()
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        # Without the token the same server refuses.
        bare = url.split("?")[0]
        try:
            urllib.request.urlopen(bare, timeout=2)
            raise AssertionError("served without the token")
        except urllib.error.HTTPError as refused:
            assert refused.code == 403
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(15)


def test_open_refuses_a_missing_project(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qualcode.cli", "open", str(tmp_path / "nope.qc"), "--no-browser"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0 and "nope.qc" in result.stderr + result.stdout
