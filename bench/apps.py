"""Reference apps for bench/api_load.py: the ceilings the register's endpoint is compared with."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

BODY = b'{"status":"ok"}'


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A bare ASGI app: the server's own ceiling."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": BODY})


constant = FastAPI()


@constant.get("/v1/people/{id_number}")
def constant_person(id_number: str) -> dict[str, str]:
    """The same route shape on the same framework, answering a constant (sync, threadpool)."""
    return {"status": "ok", "id_number": id_number}


@constant.post("/v1/gateway/verify")
def constant_verify() -> dict[str, object]:
    """The verify route on the same framework, answering a constant."""
    return {"match": True, "attributes": {"full_name": "exact"}, "alive": True}


@constant.get("/v1/gateway/people/{id_number}")
def constant_lookup(id_number: str) -> dict[str, str]:
    return {"id_number": id_number, "full_name": "constant"}
