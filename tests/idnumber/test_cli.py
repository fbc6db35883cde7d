"""`dancu id parse`: JSON out, or the reason on stderr and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner, Result

from dancu.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["id", *args])


def test_parse_prints_what_the_digits_say(invoke: Invoke) -> None:
    result = invoke("parse", "024 1 95 000001")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {
        "number": "024195000001",
        "formatted": "024 1 95 000001",
        "province_code": "024",
        "province_name": "Bắc Giang",
        "registered_abroad": False,
        "country_name": None,
        "sex": "female",
        "century": 20,
        "birth_year": 1995,
        "serial": "000001",
    }


def test_parse_of_a_number_registered_abroad(invoke: Invoke) -> None:
    result = invoke("parse", "232301000042")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["registered_abroad"] is True
    assert data["country_name"] == "Nhật Bản"
    assert data["province_name"] is None


def test_parse_refuses_with_the_reason_on_stderr(invoke: Invoke) -> None:
    result = invoke("parse", "003090123456")
    assert result.exit_code == 2
    assert "003" in result.stderr and "province" in result.stderr
    assert result.stdout == ""
