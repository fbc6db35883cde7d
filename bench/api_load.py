"""GET /v1/people/{id_number} under load, against two ceilings measured in the same run.

    .venv/bin/python bench/api_load.py [--url DATABASE_URL] [--people 20000] [--workers 1]

Starts three servers on 127.0.0.1 (a bare ASGI app, a FastAPI endpoint returning a constant,
and dancu itself on a demo register), drives each with wrk (64 connections, 2 threads,
random ID numbers, a bearer token) and prints requests/s, p50 and p99 latency and the ratios.
Needs wrk (Debian package `wrk`). Load stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
math.randomseed(42)
request = function()
  local path = "/v1/people/" .. ids[math.random(#ids)]
  return wrk.format("GET", path, {["Authorization"] = "Bearer %(token)s"})
end
"""


def _serve(
    target: str, port: int, env: dict[str, str], workers: int, factory: bool
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env=env, cwd=HERE.parent)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/people/x", timeout=1)
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            time.sleep(0.1)
    return process


def _wrk(port: int, script: Path, seconds: int) -> tuple[float, float, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c64",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx responses on port {port}")
    return rate, ms("50"), ms("99")


def demo_register(url: str, people: int, workdir: Path) -> None:
    """`dancu demo` on ``url``: the register every HTTP benchmark reads."""
    env = {**os.environ, "DANCU_DATABASE_URL": url, "DANCU_VAR_DIR": str(workdir)}
    subprocess.run(
        [sys.executable, "-m", "dancu", "demo", "--people", str(people)],
        env=env,
        check=True,
        capture_output=True,
    )


def _prepare(url: str, people: int, workdir: Path) -> tuple[Path, str]:
    demo_register(url, people, workdir)
    from sqlalchemy import select

    from dancu.auth.principal import Principal, Role
    from dancu.auth.tokens import issue_token
    from dancu.config import Settings
    from dancu.kit.db import build_engine, session_factory
    from dancu.registry.person.models import Person

    settings = Settings(database_url=url, var_dir=workdir)
    with session_factory(build_engine(url))() as session:
        ids = [str(n) for n in session.scalars(select(Person.id_number).limit(5000))]
    ids_file = workdir / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    token = issue_token(
        Principal("bench", Role.CENTRAL_ADMIN),
        key=settings.signing_key(),
        issuer=settings.auth.issuer,
        minutes=60,
    )
    return ids_file, token


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api_load.py needs wrk: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{workdir / 'bench.db'}"
    ids_file, token = _prepare(url, args.people, workdir)
    script = workdir / "get.lua"
    script.write_text(LUA % {"ids": ids_file, "token": token})
    env = {
        **os.environ,
        "DANCU_DATABASE_URL": url,
        "DANCU_VAR_DIR": str(workdir),
        "PYTHONPATH": str(HERE.parent),
    }
    results = {}
    for label, target, factory in (
        ("bare ASGI", "bench.apps:bare", False),
        ("FastAPI constant", "bench.apps:constant", False),
        ("GET /v1/people/{id}", "dancu.app:create_app", True),
    ):
        server = _serve(target, 8790, env, args.workers, factory)
        try:
            _wrk(8790, script, 2)  # warm-up
            results[label] = _wrk(8790, script, args.seconds)
        finally:
            server.terminate()
            server.wait()
    kind = url.split(":")[0]
    print(
        f"database {kind}, {args.people:,} residents, {args.workers} worker(s), wrk -t2 -c64 "
        f"-d{args.seconds}s, random ID numbers"
    )
    constant_rate = results["FastAPI constant"][0]
    for label, (rate, p50, p99) in results.items():
        print(
            f"{label:22} {rate:9,.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  "
            f"{rate / constant_rate:6.1%} of the constant endpoint"
        )


if __name__ == "__main__":
    main()
