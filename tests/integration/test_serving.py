"""Serving: gunicorn with several workers (gunicorn.conf.py, as bin/up starts it), and the
secret key, which only the demo and the tests may go without.

The servers are started on a free loopback port and stopped by the test, each within seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from neutrality import migrate
from neutrality.app import create_app
from neutrality.errors import SettingsError

ROOT = Path(__file__).resolve().parents[2]
NO_KEY = (
    "NEUTRALITY_SECRET_KEY is not set. Set it to a long random value, for example the output of: "
    "python3 -c 'import secrets; print(secrets.token_hex(32))'. Only the demo (NEUTRALITY_DEMO=1, "
    "as bin/up sets it) runs without one."
)
KEY = "0123456789abcdef" * 4  # 64 characters


def _settings(tmp_path: Path, **values: object) -> dict[str, object]:
    return {"database_url": f"sqlite:///{tmp_path / 'serving.db'}", "instance_path": str(tmp_path / "instance"),
            **values}


def test_outside_the_demo_the_application_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        create_app(_settings(tmp_path))
    assert refused.value.message == NO_KEY
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_a_secret_key_shorter_than_32_characters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        create_app(_settings(tmp_path, secret_key="x" * 31))
    assert refused.value.message == (
        "NEUTRALITY_SECRET_KEY is too short: it needs at least 32 characters, for example the output of: "
        "python3 -c 'import secrets; print(secrets.token_hex(32))'."
    )


def test_the_demo_generates_its_key_into_the_instance_folder_and_keeps_it(tmp_path: Path) -> None:
    first = create_app(_settings(tmp_path, demo=True))
    again = create_app(_settings(tmp_path, demo=True))
    key = tmp_path / "instance" / "secret_key"
    assert first.config["SECRET_KEY"] == again.config["SECRET_KEY"] == key.read_text().strip()
    assert len(key.read_text().strip()) == 64 and key.stat().st_mode & 0o777 == 0o600
    for app in (first, again):
        app.extensions["neutrality.db"].dispose()


def test_a_key_given_is_used_as_it_is(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, secret_key=KEY))
    assert app.config["SECRET_KEY"] == KEY
    assert not (tmp_path / "instance" / "secret_key").exists()
    app.extensions["neutrality.db"].dispose()


def test_the_command_line_acts_on_the_data_without_a_key_of_its_own(tmp_path: Path) -> None:
    # After bin/up, `neutrality users token …` runs in a shell without NEUTRALITY_DEMO: the
    # command line signs no cookie a browser keeps, so it is not held to the server's rule.
    app = create_app(_settings(tmp_path), serving=False)
    assert app.config["SECRET_KEY"] == (tmp_path / "instance" / "secret_key").read_text().strip()
    app.extensions["neutrality.db"].dispose()
    with pytest.raises(SettingsError):
        create_app(_settings(tmp_path))  # the same settings, served: refused


# --- gunicorn --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("NEUTRALITY_")}
    return {**environ, "NEUTRALITY_DATABASE_URL": f"sqlite:///{tmp_path / 'serving.db'}",
            "NEUTRALITY_INSTANCE_PATH": str(tmp_path / "instance"), **variables}


def _gunicorn(port: int, workers: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers)]


@contextlib.contextmanager
def _serving(tmp_path: Path, environ: dict[str, str], workers: int) -> Iterator[tuple[str, subprocess.Popen]]:
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    # the arguments are the fixed list above, not input
    server = subprocess.Popen(_gunicorn(port, workers), cwd=ROOT, env=environ, stdout=log,  # noqa: S603
                              stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _first_answer(base: str, server: subprocess.Popen, log: Path) -> tuple[int, str, bytes]:
    """The status, the Server header and the body of the first answer to /healthz."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310 - loopback
                return answer.status, answer.headers["Server"], answer.read()
        except ConnectionError:
            time.sleep(0.1)
        except urllib.error.URLError as refused:
            if not isinstance(refused.reason, ConnectionError):
                raise
            time.sleep(0.1)
    raise AssertionError(f"no answer within 30 s:\n{log.read_text()}")


def _workers_of(master: int) -> int:
    children = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines() if ":" in line)
                children += fields.get("PPid", "").strip() == str(master)
    return children


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts the workers in /proc")
def test_gunicorn_serves_the_application_with_the_workers_asked_for(tmp_path: Path) -> None:
    migrate.upgrade(f"sqlite:///{tmp_path / 'serving.db'}")
    with _serving(tmp_path, _environment(tmp_path, NEUTRALITY_SECRET_KEY=KEY), workers=3) as (base, server):
        status, software, body = _first_answer(base, server, tmp_path / "gunicorn.log")
        assert (status, software, json.loads(body)) == (200, "gunicorn", {"status": "ok"})
        for _ in range(50):  # the workers boot after the master answers
            if _workers_of(server.pid) == 3:
                break
            time.sleep(0.1)
        assert _workers_of(server.pid) == 3
    assert server.returncode == 0  # stopped cleanly by SIGTERM


def test_a_production_start_without_a_secret_key_stops_with_a_clear_message(tmp_path: Path) -> None:
    # the arguments are the fixed list above, not input
    done = subprocess.run(_gunicorn(_free_port(), 2), cwd=ROOT, env=_environment(tmp_path),  # noqa: S603
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"neutrality cannot start: {NO_KEY}"
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr


@pytest.mark.parametrize(
    ("hops", "forwarded", "seen"),
    [
        (0, "198.51.100.4", "127.0.0.1"),  # no proxy configured: the header is anybody's to write
        (1, "198.51.100.4", "198.51.100.4"),  # the proxy's word for its client
        # a client that writes its own X-Forwarded-For gets it prepended to, not believed:
        (1, "203.0.113.9, 198.51.100.4", "198.51.100.4"),
    ],
)
def test_behind_the_configured_proxies_the_client_address_is_the_one_they_forwarded(
    tmp_path: Path, hops: int, forwarded: str, seen: str
) -> None:
    from flask import request

    app = create_app(_settings(tmp_path, secret_key=KEY, proxy_hops=hops))
    app.add_url_rule("/_address", "address", lambda: request.remote_addr or "")
    answer = app.test_client().get("/_address", headers={"X-Forwarded-For": forwarded},
                                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert answer.text == seen
    app.extensions["neutrality.db"].dispose()


def test_more_than_five_proxy_hops_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="proxy_hops must be between 0 and 5"):
        create_app(_settings(tmp_path, secret_key=KEY, proxy_hops=6))
