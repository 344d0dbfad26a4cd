"""A task for the bench's pool-ready figure (row 6): a 50 ms nap, so that 8 tasks need 8 workers up."""
import os
import time


def pid_after_nap(_x):
    time.sleep(0.05)
    return os.getpid()
