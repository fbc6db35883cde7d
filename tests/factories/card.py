from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image


def face_jpeg(colour: tuple[int, int, int] = (180, 150, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def application_body(id_number: str, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": id_number,
        "kind": "first_issue",
        "face_jpeg": b64(face_jpeg()),
        "fingerprints": [{"position": n, "data": b64(bytes([n]) * 400)} for n in (1, 6)],
        "iris": [{"position": 1, "data": b64(b"iris-template" * 20)}],
    }
    body.update(over)
    return body
