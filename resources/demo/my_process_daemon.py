"""A subclass of Process that overrides run(), with daemon = True: it ticks while the parent works,
and ends with the parent. Run from Pooldeck, the job's row shows MyProcess-1, daemon, and its exit
code -15 once the parent has exited (multiprocessing terminates daemonic children at exit)."""

import multiprocessing
import os
import time


class MyProcess(multiprocessing.Process):
    def __init__(self, interval):
        super().__init__()
        self.daemon = True
        self.interval = interval

    def run(self):
        ticks = 0
        while True:
            ticks += 1
            print(f"tick {ticks} from pid {os.getpid()} (daemon={self.daemon})", flush=True)
            time.sleep(self.interval)


if __name__ == "__main__":
    p = MyProcess(1)
    p.start()
    for second in range(5, 0, -1):
        print(f"parent {os.getpid()} exits in {second} s", flush=True)
        time.sleep(1)
    print("parent exits first; its daemon child ends with it", flush=True)
