"""Images, a PDF and audio in one message (small files generated on the spot).

python examples/multimodal.py
"""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib

from _common import chat_model
from langchain_core.messages import HumanMessage


def tiny_png() -> str:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x80\xff" * 8 for _ in range(8))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(png).decode()


def tiny_wav() -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x00" * 4000)
    return base64.b64encode(buffer.getvalue()).decode()


PDF = base64.b64encode(
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
).decode()


def main() -> None:
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What did I send you?"},
            {"type": "image", "base64": tiny_png(), "mime_type": "image/png"},
            {"type": "image", "url": "gs://cloud-samples-data/generative-ai/image/scones.jpg"},
            {"type": "file", "base64": PDF, "mime_type": "application/pdf"},
            {"type": "audio", "base64": tiny_wav(), "mime_type": "audio/wav"},
        ]
    )
    with chat_model(model="gemini-3.5-flash") as llm:
        print(llm.invoke([message]).text)


if __name__ == "__main__":
    main()
