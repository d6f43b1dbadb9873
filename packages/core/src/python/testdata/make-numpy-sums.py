"""Writes numpy-sums.json: random float64 vectors (lengths 3-300) with np.sum and np.mean of each.

Run: python3 make-numpy-sums.py > numpy-sums.json  (numpy; floats are written with
Python's repr, which round-trips exactly).
"""
import json
import random

import numpy as np

rng = random.Random(20261206)
lengths = [3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 127, 128, 129, 130, 136, 255, 256, 257, 299, 300]
lengths += [rng.randint(3, 300) for _ in range(20)]
cases = []
for n in lengths:
    kind = rng.choice(["unit", "mixed", "signed"])
    if kind == "unit":
        xs = [rng.random() for _ in range(n)]
    elif kind == "mixed":
        xs = [rng.random() * 10 ** rng.randint(-3, 3) for _ in range(n)]
    else:
        xs = [rng.uniform(-1, 1) for _ in range(n)]
    a = np.array(xs, dtype=np.float64)
    cases.append({"xs": xs, "sum": float(np.sum(a)), "mean": float(np.mean(a))})
print(json.dumps({"numpy": np.__version__, "cases": cases}))
