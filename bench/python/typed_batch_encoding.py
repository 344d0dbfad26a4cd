"""The Python side of bench/probes/typed-batch-encoding.ts: per 25,000-item chunk, json.dumps of x²
values vs the checks a typed answer needs plus array('d') and base64 (f8), and json.loads of the items
vs array('i') from base64 (i4). Best of 5 repeats of 50, µs. Stdlib only.

    python3 bench/python/typed_batch_encoding.py
"""
import array
import base64
import json
import math
import timeit

N = 25_000
ITEMS = list(range(100_000, 100_000 + N))
VALUES = [x * x for x in ITEMS]
_dumps = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode


def encode_f8(values):
    """None when a value is not exactly a double JS reads back as the same number (bools, big ints, NaN)."""
    if not set(map(type, values)) <= {int, float}:
        return None
    doubles = array.array("d", values)
    if not (-2.0**53 < min(doubles) and max(doubles) < 2.0**53) or not math.isfinite(sum(doubles)):
        return None
    return base64.b64encode(doubles.tobytes())


def decode_i4(text):
    ints = array.array("i")
    ints.frombytes(base64.b64decode(text))
    return ints.tolist()


def main():
    items_json = _dumps(ITEMS)
    items_i4 = base64.b64encode(array.array("i", ITEMS).tobytes())
    cases = [
        ("values: json dumps", lambda: _dumps(VALUES)),
        ("values: checks + array('d') + base64", lambda: encode_f8(VALUES)),
        ("items: json loads", lambda: json.loads(items_json)),
        ("items: base64 + array('i')", lambda: decode_i4(items_i4)),
        ("the work itself: x * x", lambda: [x * x for x in ITEMS]),
    ]
    for name, run in cases:
        best = min(timeit.repeat(run, number=50, repeat=5)) / 50
        print("%-38s %6.0f µs per chunk of %d" % (name, best * 1e6, N))


if __name__ == "__main__":
    main()
