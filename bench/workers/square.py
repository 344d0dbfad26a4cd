"""A Pooldeck worker for the bench: return x*x, with the shipped Python helper."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "resources", "workers"))

from pooldeck_worker import serve  # noqa: E402


def square(x):
    return x * x


if __name__ == "__main__":
    serve(square)
