"""Gateway benchmark: verify (nine in ten a match) and lookup requests/s and p50/p99 at 64
connections, each call writing its access record, against a FastAPI endpoint returning a
constant and a bare ASGI app in the same run; then webhook delivery throughput against raw
HTTP POSTs to the same local receiver.

    .venv/bin/python bench/gateway.py [--url DATABASE_URL] [--people 20000] [--events 2000]
        [--workers 1]   (--events 0: HTTP only)

Needs wrk (Debian package `wrk`). Load stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.api_load import _serve, _wrk, demo_register  # noqa: E402

# Each line of the ids file: ID number, full name, sex. Nine verifications in ten send the
# person's own name and sex (a match), one in ten a made-up name (no match; these count towards
# the throttle of five failures per number, which 20,000 numbers keep out of the way).
VERIFY_LUA = """
local people = {}
for line in io.lines("%(ids)s") do
  local id, name, sex = line:match("([^|]+)|([^|]+)|([^|]+)")
  people[#people + 1] = {id, name, sex}
end
math.randomseed(7)
request = function()
  local p = people[math.random(#people)]
  local name = p[2]
  if math.random(10) == 1 then name = "Nguyen Van Khong Co" end
  local body = '{"id_number":"' .. p[1] .. '","purpose":"social-insurance","full_name":"' ..
    name .. '","sex":"' .. p[3] .. '"}'
  return wrk.format("POST", "/v1/gateway/verify",
    {["Authorization"] = "Bearer %(token)s", ["Content-Type"] = "application/json"}, body)
end
"""
LOOKUP_LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line:match("([^|]+)") end
math.randomseed(7)
request = function()
  return wrk.format("GET", "/v1/gateway/people/" .. ids[math.random(#ids)] ..
    "?purpose=social-insurance", {["Authorization"] = "Bearer %(token)s"})
end
"""


def _prepare(url: str, people: int, workdir: Path) -> tuple[Path, str]:
    demo_register(url, people, workdir)
    from sqlalchemy import select

    from dancu.auth.principal import SYSTEM
    from dancu.config import Settings
    from dancu.gateway import agency, tokens
    from dancu.gateway.schemas import AgencyCreate, GrantCreate
    from dancu.kit.db import build_engine, session_factory, unit_of_work
    from dancu.registry.person.models import Person

    settings = Settings(database_url=url, var_dir=workdir)
    with unit_of_work(session_factory(build_engine(url))) as session:
        people = session.execute(select(Person.id_number, Person.full_name, Person.sex)).all()
        agency.create_agency(
            session, SYSTEM, AgencyCreate(code="bench", name="Bench", kind="other")
        )
        agency.create_grant(
            session,
            SYSTEM,
            "bench",
            GrantCreate(
                operations=["verify", "lookup", "subscribe"],
                purposes=["social-insurance"],
                fields=["full_name", "birth_date", "sex", "permanent_residence"],
                rate_per_minute=1_000_000,
                legal_basis="benchmark",
            ),
        )
        client, _ = agency.create_client(session, SYSTEM, "bench", None)
        token, _ = tokens.issue(
            session, settings.signing_key(), client, issuer=f"{settings.auth.issuer}-gateway"
        )
    ids_file = workdir / "ids.txt"
    ids_file.write_text("".join(f"{n}|{name}|{sex}\n" for n, name, sex in people))
    return ids_file, token


def _http(url: str, ids_file: Path, token: str, workdir: Path, seconds: int, workers: int) -> None:
    env = {
        **os.environ,
        "DANCU_DATABASE_URL": url,
        "DANCU_VAR_DIR": str(workdir),
        # A PYTHONPATH given (another checkout's src/, for before/after runs) comes after.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    scripts = {}
    for name, lua in (("verify", VERIFY_LUA), ("lookup", LOOKUP_LUA)):
        scripts[name] = workdir / f"{name}.lua"
        scripts[name].write_text(lua % {"ids": ids_file, "token": token})
    results: dict[tuple[str, str], tuple[float, float, float]] = {}
    for label, target, factory in (
        ("bare ASGI", "bench.apps:bare", False),
        ("FastAPI constant", "bench.apps:constant", False),
        ("dancu", "dancu.app:create_app", True),
    ):
        server = _serve(target, 8791, env, workers if factory else 1, factory)
        try:
            for name, script in scripts.items():
                _wrk(8791, script, 2)
                results[(label, name)] = _wrk(8791, script, seconds)
        finally:
            server.terminate()
            server.wait()
    _check_records(url)
    print(
        f"database {url.split(':')[0]}, wrk -t2 -c64 -d{seconds}s, "
        f"{workers} uvicorn worker(s) for dancu (one for the reference apps)"
    )
    for name in scripts:
        constant = results[("FastAPI constant", name)][0]
        for label in ("bare ASGI", "FastAPI constant", "dancu"):
            rate, p50, p99 = results[(label, name)]
            print(
                f"  {name:6} {label:17} {rate:8,.0f} req/s  p50 {p50:7.2f} ms  "
                f"p99 {p99:7.2f} ms  {rate / constant:6.1%} of the constant endpoint"
            )


def _check_records(url: str) -> None:
    """After the servers stopped: every record sealed (by their sealing threads) and intact."""
    from sqlalchemy import func, select

    from dancu.gateway import access
    from dancu.gateway.models import AccessRecord
    from dancu.kit.db import build_engine, session_factory, unit_of_work

    engine = build_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        total = session.scalar(select(func.count()).select_from(AccessRecord))
        unsealed = session.scalar(
            select(func.count()).select_from(AccessRecord).where(AccessRecord.position.is_(None))
        )
        intact = all(r.ok for r in access.verify_chains(session))
    engine.dispose()
    print(f"access records: {total:,}, left unsealed by the servers: {unsealed}, intact: {intact}")


class _Sink(BaseHTTPRequestHandler):
    count = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Sink.count += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _webhooks(url: str, workdir: Path, events: int) -> None:
    from sqlalchemy import select

    import dancu.gateway.jobs  # noqa: F401
    from dancu.config import Settings
    from dancu.gateway import subscription
    from dancu.gateway.agency import Caller
    from dancu.gateway.models import Agency
    from dancu.jobs import Worker
    from dancu.kit.db import build_engine, session_factory, unit_of_work
    from dancu.registry import events as register_events

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sink = f"http://127.0.0.1:{server.server_address[1]}/hook"
    body = json.dumps({"event_id": 1, "type": "birth"}).encode()
    start = time.perf_counter()
    for _ in range(events):
        request = urllib.request.Request(
            sink, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=10).close()
    ceiling = events / (time.perf_counter() - start)
    settings = Settings(database_url=url, var_dir=workdir)
    factory = session_factory(build_engine(url))
    factory.configure(info={"settings": settings})
    with unit_of_work(factory) as session:
        bench = session.scalars(select(Agency).where(Agency.code == "bench")).one()
        subscription.subscribe(
            session,
            Caller(bench.id, "bench", "bench"),
            purpose="social-insurance",
            event_types=["birth"],
            webhook_url=sink,
            provinces=None,
            deployment_secret=settings.signing_key(),
        )
        for n in range(events):
            register_events.publish(
                session, "birth", id_number=f"0011{n:08d}", province_code="01", commune_code="00004"
            )
    worker = Worker(factory, concurrency=4)
    _Sink.count = 0
    start = time.perf_counter()
    while _Sink.count < events:
        if worker.run_once() == 0:
            time.sleep(0.05)
    rate = events / (time.perf_counter() - start)
    print(
        f"webhooks: {events:,} events fanned out and delivered (signed, access-recorded), "
        f"worker concurrency 4: {rate:,.0f} events/s; raw POSTs to the same receiver "
        f"{ceiling:,.0f}/s; {rate / ceiling:.1%}"
    )
    server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for dancu")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    url = args.url or f"sqlite:///{workdir / 'bench.db'}"
    ids_file, token = _prepare(url, args.people, workdir)
    _http(url, ids_file, token, workdir, args.seconds, args.workers)
    if args.events:
        _webhooks(url, workdir, args.events)


if __name__ == "__main__":
    main()
