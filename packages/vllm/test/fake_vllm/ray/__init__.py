"""A stand-in for the tiny part of Ray that lm-eval's vLLM data-parallel path uses:
``@ray.remote`` on a function, ``fn.remote(*args)`` → object ref, ``ray.get(refs)``,
``ray.shutdown()``, ``ray.is_initialized()``. Tasks run in this process, one after the other,
when ``ray.get`` asks for them (no scheduling, no GPUs): enough to exercise the sharding and
re-interleaving logic of the worker without a cluster.

``FAKE_RAY_RECORD=<file>`` appends one JSON line per task run and per shutdown.
"""
import json
import os

print("INFO [fake-ray] imported", flush=True)

_initialized = False


def _record(event):
    path = os.environ.get("FAKE_RAY_RECORD")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(event) + "\n")


class ObjectRef:
    def __init__(self, fn, args, kwargs):
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._done = False
        self._value = None

    def _resolve(self):
        if not self._done:
            _record({"event": "task", "fn": self._fn.__name__, "n_requests": len(self._args[2]) if len(self._args) > 2 else None})
            self._value = self._fn(*self._args, **self._kwargs)
            self._done = True
        return self._value


class RemoteFunction:
    def __init__(self, fn, options):
        self._fn = fn
        self._options = options
        self.__name__ = fn.__name__

    def remote(self, *args, **kwargs):
        global _initialized
        _initialized = True
        return ObjectRef(self._fn, args, kwargs)


def remote(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return RemoteFunction(args[0], {})
    return lambda fn: RemoteFunction(fn, kwargs)


def get(refs):
    if isinstance(refs, list):
        return [r._resolve() for r in refs]
    return refs._resolve()


def init(*args, **kwargs):
    global _initialized
    _initialized = True


def is_initialized():
    return _initialized


def shutdown():
    global _initialized
    _initialized = False
    _record({"event": "shutdown"})
