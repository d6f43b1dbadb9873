#!/usr/bin/env python3
"""lm-eval (TypeScript) Python helper worker: runs the Python functions a task YAML names with
``!function`` (``utils.process_docs``, filter classes, aggregations, ...) when no TypeScript
module of that name sits next to the YAML.

Started by packages/core/src/pyfn/session.ts through core's PythonWorker; the channel and the
process hygiene are lm_eval_worker_base.py's. One worker serves a whole run; values are held in
a handle table so that classes can be instantiated once and their methods called later.

Protocol (version PROTOCOL_VERSION), requests (replies carry the value as ``result``):
  {"op":"info"}                                   -> {"datasets": bool, "lm_eval": bool, "numpy": bool}
  {"op":"load","file":F,"module":M,"attr":A}      -> {"handle":H,"kind":"function"|"class"|"value"}
     imports F the way lm-eval's ``import_function`` does (spec_from_file_location(M, F)); the
     module is executed once per file per run
  {"op":"call","handle":H,"calls":[[args, kwargs], ...]}   -> [result, ...]  (one per call)
  {"op":"new","handle":H,"args":[...],"kwargs":{...}}      -> {"handle":H2}
  {"op":"method","handle":H,"name":N,"calls":[[args, kwargs], ...]} -> [result, ...]
  {"op":"attr","handle":H,"name":N}             -> {"handle":H2,...}  (getattr, e.g. a bound method)
  {"op":"task_new"|"task_data"|"task_docs"|"task_requests"|"task_filter", ...}
     a Python ``class:`` task; {"op":"sampler_new",...} a sampler class (see lm_eval_pyfn_task.py)
  {"op":"release","handles":[H, ...]}
  {"op":"seed","random":N|null,"numpy":N|null}   seeds ``random`` now and numpy's global generator
     as soon as user code has imported numpy (lm-eval's simple_evaluate seeds both before it
     builds the tasks)

Values (both directions) are JSON with Python's int/float distinction (``1.0`` stays a float,
non-finite floats as ``NaN``/``Infinity``) plus tagged objects: ``{"__py__":"tuple","v":[...]}``,
``{"__py__":"ref","file":F,"module":M,"attr":A}`` (a Python ``!function`` passed as a value: the
object itself), ``{"__py__":"dataset","rows":[...]}`` (a ``datasets.Dataset`` when that package is importable,
else lm_eval_pyfn_dataset.Dataset); results that JSON cannot hold are converted the way
lm-eval's ``handle_non_serializable`` logs them (numpy ints -> int, sets -> lists, other -> str),
numpy floats and arrays to their Python values, iterators to lists.
"""
import importlib.util
import json
import math
import os
import sys
import traceback

_HERE = os.path.dirname(os.path.abspath(__file__))
import lm_eval_worker_base as base  # noqa: E402  (next to this file)
import lm_eval_pyfn_dataset as shim_ds  # noqa: E402
import lm_eval_pyfn_task as class_task  # noqa: E402

# User code must not see this folder on its path.
if sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path.pop(0)

PROTOCOL_VERSION = 1

_have = {}


def _importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _setup_shims():
    """Puts the ``lm_eval`` and ``datasets`` stand-ins (shim/) at the END of the path when one of
    the real packages is not importable (a real package, found first, always wins)."""
    _have["lm_eval"] = _importable("lm_eval")
    _have["datasets"] = _importable("datasets")
    if not (_have["lm_eval"] and _have["datasets"]):
        sys.path.append(os.path.join(_HERE, "shim"))


_setup_shims()
_have["numpy"] = _importable("numpy")


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------
def _make_dataset(rows):
    if _have["datasets"]:
        import datasets

        return datasets.Dataset.from_list(rows)
    return shim_ds.Dataset(rows)


def _make_dataset_dict(splits):
    if _have["datasets"]:
        import datasets

        return datasets.DatasetDict(splits)
    return shim_ds.DatasetDict(splits)


def _is_dataset(o):
    if isinstance(o, shim_ds.Dataset):
        return True
    if _have["datasets"] and "datasets" in sys.modules:
        return isinstance(o, sys.modules["datasets"].Dataset)
    return False


def _hook(d):
    tag = d.get("__py__")
    if tag is None:
        return d
    if tag == "tuple":
        return tuple(d["v"])
    if tag == "dataset":
        return _make_dataset(d["rows"])
    if tag == "ref":
        # a Python `!function` passed as a value (e.g. inside dataset_kwargs): the object itself
        return getattr(_load_module(d["file"], d["module"]), d["attr"])
    return d


def loads(text):
    return json.loads(text, object_hook=_hook)


def to_wire(o, depth=0):
    """A JSON-able structure for ``o`` (see the module docstring)."""
    if depth > 200:
        raise ValueError("value nested too deeply to send back")
    if o is None or isinstance(o, (bool, str)):
        return o
    if isinstance(o, Raised):
        return {"__py__": "raise", "error": o.payload}
    if isinstance(o, int):
        return int(o)
    if isinstance(o, float):
        return float(o)
    if isinstance(o, dict):
        return {(k if isinstance(k, str) else _key(k)): to_wire(v, depth + 1) for k, v in o.items()}
    if isinstance(o, tuple):
        return {"__py__": "tuple", "v": [to_wire(x, depth + 1) for x in o]}
    if isinstance(o, list):
        return [to_wire(x, depth + 1) for x in o]
    if _is_dataset(o):
        return {"__py__": "dataset", "rows": [to_wire(r, depth + 1) for r in o.to_list()]}
    if isinstance(o, shim_ds.DatasetDict) or type(o).__name__ == "DatasetDict":
        return {k: to_wire(v, depth + 1) for k, v in o.items()}
    _np = sys.modules.get("numpy")  # numpy values exist only when user code imported numpy
    if _np is not None:
        if isinstance(o, _np.bool_):
            return bool(o)
        if isinstance(o, (_np.int32, _np.int64)):
            return int(o)
        if isinstance(o, _np.floating):
            return float(o)
        if isinstance(o, _np.integer):
            return int(o)
        if isinstance(o, _np.ndarray):
            return to_wire(o.tolist(), depth + 1)
    if isinstance(o, (set, frozenset)):
        return [to_wire(x, depth + 1) for x in o]
    if isinstance(o, (bytes, bytearray)):
        return str(o)
    if hasattr(o, "__iter__") and hasattr(o, "__next__"):
        return [to_wire(x, depth + 1) for x in o]
    if isinstance(o, range):
        return list(o)
    return str(o)


def _key(k):
    # json.dumps: True/False/None keys become "true"/"false"/"null", numbers their repr.
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, float):
        return json.dumps(k)
    return str(k)


def dumps(o):
    return json.dumps(o, ensure_ascii=False, allow_nan=True)


# ---------------------------------------------------------------------------------------------
# handles
# ---------------------------------------------------------------------------------------------
_modules = {}
_handles = {}
_next = [1]


def _store(obj):
    h = _next[0]
    _next[0] += 1
    _handles[h] = obj
    return h


class HelperError(Exception):
    def __init__(self, payload):
        super().__init__(payload["message"])
        self.payload = payload


def _fail(kind, exc, what):
    tb = traceback.format_exc(limit=30)
    raise HelperError({"type": type(exc).__name__, "message": f"{what}: {type(exc).__name__}: {exc}", "kind": kind, "traceback": tb})


def _lm_eval_tasks_root(path):
    """The innermost ``…/lm_eval/tasks`` folder containing ``path``, or None."""
    parts = path.split(os.sep)
    for i in range(len(parts) - 2, 0, -1):
        if parts[i - 1] == "lm_eval" and parts[i] == "tasks":
            return os.sep.join(parts[: i + 1])
    return None


def _extend_stand_in_tasks(path):
    """With the ``lm_eval`` stand-in, a helper inside an ``lm_eval/tasks`` tree imports its
    siblings as ``lm_eval.tasks.<folder>.<module>`` (shim/lm_eval/tasks/__init__.py)."""
    if _have["lm_eval"]:
        return
    root = _lm_eval_tasks_root(path)
    if root is None:
        return
    import lm_eval.tasks as tasks_pkg

    if root not in tasks_pkg.__path__:
        tasks_pkg.__path__.append(root)


def _load_module(file, module):
    key = os.path.abspath(file)
    mod = _modules.get(key)
    if mod is not None:
        return mod
    _extend_stand_in_tasks(key)
    if not os.path.exists(key):
        raise HelperError({"type": "FileNotFoundError", "message": f"{key} does not exist", "kind": "load", "traceback": ""})
    spec = importlib.util.spec_from_file_location(module, key)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        _fail("load", e, f"importing {key} failed")
    _seed_numpy_if_imported()
    _modules[key] = mod
    return mod


def _kind(obj):
    if isinstance(obj, type):
        return "class"
    if callable(obj):
        return "function"
    return "value"


def _name(obj):
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__


def _metric_call(fn, kwargs):
    """lm-eval (api/task.py process_results) calls a metric function with keywords, and on
    TypeError with the pair ``[gold, result]``."""
    try:
        return fn(**kwargs)
    except TypeError:
        return fn([kwargs["references"][0], kwargs["predictions"][0]])


class Raised:
    """A call's exception, sent back in its place (``each`` batches)."""

    def __init__(self, exc, what):
        self.payload = {"type": type(exc).__name__, "message": f"{what}: {type(exc).__name__}: {exc}", "kind": "call", "traceback": traceback.format_exc(limit=30)}


def _run_calls(fn, calls, what, each=False):
    """Runs every call; with ``each`` a failing call's exception takes its result's place."""
    out = []
    for i, call in enumerate(calls):
        args, kwargs = call[0], call[1] or {}
        try:
            if len(call) > 2 and call[2] == "metric":
                out.append(_metric_call(fn, kwargs))
            else:
                out.append(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            if each:
                out.append(Raised(e, f"{what} raised"))
                continue
            _fail("call", e, f"{what} raised" + (f" on call {i + 1} of {len(calls)}" if len(calls) > 1 else ""))
    return out


_numpy_seed = [None]


def _seed_numpy_if_imported():
    if _numpy_seed[0] is not None and "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(_numpy_seed[0])
        _numpy_seed[0] = None


def handle(msg):
    op = msg.get("op")
    if op == "seed":
        import random

        if msg.get("random") is not None:
            random.seed(msg["random"])
        _numpy_seed[0] = msg.get("numpy")
        _seed_numpy_if_imported()
        return {}
    _seed_numpy_if_imported()
    if op == "info":
        return {"datasets": _have["datasets"], "lm_eval": _have["lm_eval"], "numpy": _have["numpy"], "executable": sys.executable}
    if op == "load":
        mod = _load_module(msg["file"], msg["module"])
        attr = msg["attr"]
        if not hasattr(mod, attr):
            names = sorted(n for n in dir(mod) if not n.startswith("_"))
            raise HelperError({
                "type": "AttributeError",
                "message": f"module {msg['file']} has no attribute '{attr}' (defines: {', '.join(names) or 'nothing'})",
                "kind": "load",
                "traceback": "",
            })
        obj = getattr(mod, attr)
        info = {"handle": _store(obj), "kind": _kind(obj), "name": _name(obj)}
        if isinstance(obj, type):
            info["bases"] = [f"{b.__module__}.{b.__qualname__}" for b in obj.__mro__[1:]]
        return info
    if op == "call":
        fn = _handles[msg["handle"]]
        return _run_calls(fn, msg["calls"], msg.get("what") or _name(fn), bool(msg.get("each")))
    if op == "new":
        cls = _handles[msg["handle"]]
        try:
            obj = cls(*msg.get("args", []), **(msg.get("kwargs") or {}))
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            _fail("call", e, f"{msg.get('what') or _name(cls)}(...) raised")
        return {"handle": _store(obj)}
    if op == "method":
        obj = _handles[msg["handle"]]
        fn = getattr(obj, msg["name"])
        return _run_calls(fn, msg["calls"], msg.get("what") or f"{_name(type(obj))}.{msg['name']}")
    if op == "attr":
        obj = getattr(_handles[msg["handle"]], msg["name"])
        return {"handle": _store(obj), "kind": _kind(obj), "name": _name(obj)}
    if op == "sampler_new":
        return class_task.new_sampler(_TaskContext, msg)
    if op in class_task.OPS:
        return getattr(_tasks, class_task.OPS[op])(msg)
    if op == "release":
        for h in msg.get("handles", []):
            _handles.pop(h, None)
        return {}
    raise ValueError(f"unknown op {op!r}")


class _TaskContext:
    """What lm_eval_pyfn_task.Driver uses of this worker."""

    get = staticmethod(lambda h: _handles[h])
    store = staticmethod(lambda obj: _store(obj))
    make_dataset = staticmethod(lambda rows: _make_dataset(rows))
    make_dataset_dict = staticmethod(lambda splits: _make_dataset_dict(splits))
    fail = staticmethod(lambda kind, exc, what: _fail(kind, exc, what))


_tasks = class_task.Driver(_TaskContext())


def encode_reply(reply):
    if reply.get("ok"):
        reply = dict(reply, result=to_wire(reply["result"]))
    return dumps(reply)


def main():
    args = base.parse_args(__doc__.split("\n", 1)[0])
    if not base.setup(args, "lm-eval python helper worker"):
        return 1
    base.send({
        "type": "hello",
        "protocol": PROTOCOL_VERSION,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "pid": os.getpid(),
        "datasets": _have["datasets"],
        "lm_eval": _have["lm_eval"],
    })
    code = base.serve(args, handle, loads=loads, encode_reply=encode_reply)
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
