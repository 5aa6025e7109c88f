"""The README documents every setting, and its Quick start names the two commands."""

from __future__ import annotations

from pathlib import Path

from service.config import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_every_setting_is_in_the_configuration_table():
    table = README.split("## Configuration", 1)[1]
    missing = [setting.name for setting in SETTINGS if f"`{setting.name}`" not in table]
    assert not missing, f"run `moderation config` and update the README: {missing}"


def test_quick_start_has_make_run_and_make_test():
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
