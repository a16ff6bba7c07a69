"""The supervisor definitions shipped for production restart web, worker and beat whatever made
them exit, and README shows them as they are in the repository."""

import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"web": "gunicorn outsourcing.wsgi:application", "worker": "celery -A outsourcing worker",
         "beat": "celery -A outsourcing beat"}


def _unit(name):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / "systemd" / f"outsourcing-{name}.service")
    return parser


@pytest.mark.parametrize("name", UNITS)
def test_each_systemd_unit_restarts_its_process_always_and_without_a_rate_limit(name):
    unit = _unit(name)

    assert unit["Service"]["Restart"] == "always"
    assert unit["Unit"]["StartLimitIntervalSec"] == "0"  # systemd would otherwise give up after 5 quick exits
    assert UNITS[name] in unit["Service"]["ExecStart"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_the_worker_is_stopped_with_celerys_warm_shutdown():
    service = _unit("worker")["Service"]
    assert (service["KillMode"], service.get("KillSignal", "SIGTERM")) == ("mixed", "SIGTERM")


def test_the_procfile_names_web_worker_and_beat():
    entries = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines())

    assert set(entries) == set(UNITS)
    assert all(UNITS[name] in command for name, command in entries.items())


def test_readme_shows_the_procfile_and_the_worker_unit_as_shipped():
    readme = (ROOT / "README.md").read_text()
    assert (ROOT / "Procfile").read_text() in readme
    worker_unit = "".join(line for line in (ROOT / "deploy/systemd/outsourcing-worker.service").open()
                          if not line.startswith("#"))
    assert worker_unit in readme
