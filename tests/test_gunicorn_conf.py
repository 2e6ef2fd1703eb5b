"""gunicorn.conf.py: the control socket is this instance's, in the data directory, or off;
every name it sets is a setting of the gunicorn installed."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.conftest import ROOT


def load(monkeypatch, **env: str) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    names = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return {k: v for k, v in names.items() if not k.startswith("_") and k not in ("os", "Path")}


def test_the_control_socket_is_in_the_data_directory(monkeypatch, tmp_path: Path) -> None:
    conf = load(monkeypatch, PARKNEWS_DATA_DIR=str(tmp_path))
    config = Config()
    for name, value in conf.items():
        assert name in config.settings, f"gunicorn has no setting {name!r}"
        config.set(name, value)
    assert config.control_socket == str(tmp_path.resolve() / "gunicorn.ctl")
    assert config.control_socket_mode == 0o600
    assert config.control_socket_disable is False


@pytest.mark.parametrize("reason", ["off", "long path"])
def test_the_control_socket_can_be_off(monkeypatch, tmp_path: Path, reason: str) -> None:
    if reason == "off":
        conf = load(monkeypatch, PARKNEWS_DATA_DIR=str(tmp_path), PARKNEWS_GUNICORN_CONTROL="off")
    else:
        conf = load(monkeypatch, PARKNEWS_DATA_DIR=str(tmp_path / ("d" * 120)))
    assert conf["control_socket_disable"] is True
