"""How `moderation web` and `moderation worker` share 2 cores: gunicorn's processes and
threads from WEB_WORKERS / WEB_THREADS, the worker's niceness from WORKER_NICE."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

import cli.main


@pytest.fixture
def exec_args(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr(cli.main.os, "execvp", lambda _file, args: calls.append(args))
    return calls


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_web_takes_its_processes_and_threads_from_the_settings(exec_args, tmp_path):
    env = {"WEB_WORKERS": "5", "WEB_THREADS": "3", "MODERATION_INSTANCE_DIR": str(tmp_path)}
    result = CliRunner().invoke(cli.main.cli, ["web"], env=env)
    assert result.exit_code == 0, result.output
    assert (option(exec_args[0], "--workers"), option(exec_args[0], "--threads")) == ("5", "3")
    # The command line still wins.
    CliRunner().invoke(cli.main.cli, ["web", "--workers", "1", "--threads", "8"], env=env)
    assert (option(exec_args[1], "--workers"), option(exec_args[1], "--threads")) == ("1", "8")


def test_web_defaults_to_the_measured_shape(exec_args, tmp_path):
    result = CliRunner().invoke(cli.main.cli, ["web"], env={
        "WEB_WORKERS": "", "WEB_THREADS": "", "MODERATION_INSTANCE_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert (option(exec_args[0], "--workers"), option(exec_args[0], "--threads")) == ("3", "2")


def test_the_worker_s_niceness_reaches_the_threads_it_starts_after():
    code = ("import os, threading; from cli.main import lower_priority; "
            "before = os.getpriority(os.PRIO_PROCESS, 0); lower_priority(7); seen = []; "
            "t = threading.Thread(target=lambda: seen.append("
            "os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))); t.start(); t.join(); "
            "print(before, os.getpriority(os.PRIO_PROCESS, 0), seen[0])")
    before, after, thread = map(int, subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        timeout=60).stdout.split())
    assert after == thread == min(before + 7, 19)


@pytest.mark.parametrize("value", ["-1", "20", "low"])
def test_a_bad_worker_nice_names_the_variable(value):
    from service.config import load_config

    with pytest.raises(ValueError, match="WORKER_NICE"):
        load_config({"WORKER_NICE": value})
