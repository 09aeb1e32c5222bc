"""Serializers schemathesis lacks, for the API's non-JSON bodies: whatever it generates for an
Excel upload goes as raw bytes (the importers must refuse garbage with a 422, not fail), and a
telemetry batch declared as NDJSON goes one JSON value per line."""

import json

import schemathesis


def _bytes(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@schemathesis.serializer("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
def xlsx(ctx, value):
    return _bytes(value)


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    items = value if isinstance(value, list) else [value]
    return b"\n".join(_bytes(item) for item in items)
