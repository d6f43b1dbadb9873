"""Python ``class:`` tasks (``class: !function task.MyTask``, a subclass of lm-eval's ``Task`` or
``ConfigurableTask``) for lm-eval (TypeScript)'s Python helper worker, used only when the real
``lm_eval`` package is importable there.

The TypeScript harness drives the task object the way lm-eval's evaluator does: it builds it as
lm-eval's task manager does (lm_eval/tasks/__init__.py ``TaskManager._load_individual_task_or_group``,
``_factory.py TaskFactory._build_task``: ``cls(config=cfg)`` when the constructor takes ``config``,
else ``cls()``), applies the run's settings as ``evaluator.simple_evaluate`` does, then asks for
the evaluation docs, each doc's requests (``fewshot_context`` + ``construct_requests``, the loop
of ``Task.build_all_requests``), the filtered responses (``Task.apply_filters``),
``process_results``, ``aggregation`` and ``higher_is_better``.

Data: ``datasets.load_dataset`` is answered by the harness's own loader (cache, mirror, offline
rules). While a task is being built, a call whose data the worker does not hold yet raises
:class:`NeedData`; the request answers ``{"need": {...}}``, the harness loads that data, sends it
with ``task_data`` and asks again (building the task object again from the start).
"""
import inspect
import json
import sys


class NeedData(BaseException):
    """``load_dataset`` was called for data the harness has not sent yet (a BaseException, so
    that the task's own ``except Exception`` does not swallow it)."""

    def __init__(self, request):
        super().__init__(f"load_dataset({request})")
        self.request = request


class _Data:
    def __init__(self):
        self.provided = {}
        self.active = 0
        self.original = None
        self.installed = None


_data = _Data()


def _wire_key(path, name, kwargs, split):
    return json.dumps([path, name, {k: (v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)) for k, v in kwargs.items()}, split], sort_keys=True, default=str)


def _plain(v):
    if isinstance(v, (str, int, float, bool, type(None))):
        return v
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return str(v)


def _load_dataset(path=None, name=None, data_dir=None, data_files=None, split=None, **kwargs):
    """``datasets.load_dataset`` while a class task is driven: data comes from the harness."""
    if not _data.active:
        return _data.original(path, name, data_dir, data_files, split, **kwargs)
    if data_dir is not None:
        kwargs["data_dir"] = data_dir
    if data_files is not None:
        kwargs["data_files"] = data_files
    # lm-eval passes these to `datasets` only; they do not change the rows
    for k in ("trust_remote_code", "download_mode", "verification_mode", "num_proc", "keep_in_memory", "cache_dir", "token", "use_auth_token"):
        kwargs.pop(k, None)
    key = _wire_key(path, name, kwargs, split)
    rows = _data.provided.get(key)
    if rows is None:
        raise NeedData({"key": key, "path": path, "name": name, "kwargs": _plain(kwargs), "split": split})
    return rows


def _install(datasets_module):
    if _data.installed is datasets_module:
        return
    _data.original = datasets_module.load_dataset
    datasets_module.load_dataset = _load_dataset
    _data.installed = datasets_module


class _Active:
    def __enter__(self):
        import datasets

        _install(datasets)
        _data.active += 1

    def __exit__(self, *exc):
        _data.active -= 1
        return False


class Driver:
    """One task object and what the harness asked of it."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.tasks = {}

    # -- building -------------------------------------------------------------------------
    def data(self, msg):
        """``task_data``: rows of one ``load_dataset`` call ({split: rows}, or rows for ``split=``)."""
        rows = msg["rows"]
        if msg.get("split") is not None:
            value = self.ctx.make_dataset(rows)
        else:
            value = self.ctx.make_dataset_dict({s: self.ctx.make_dataset(r) for s, r in rows.items()})
        _data.provided[msg["key"]] = value
        return {}

    def new(self, msg):
        cls = self.ctx.get(msg["handle"])
        cfg = dict(msg.get("config") or {})
        cfg["class"] = cls
        name = msg["task"]
        try:
            with _Active():
                init = getattr(cls, "__init__", None)
                obj = cls(config=cfg) if init is not None and _accepts_config(init) else cls()
                try:
                    from lm_eval.api.task import ConfigurableTask

                    if isinstance(obj, ConfigurableTask):
                        obj.config.task = name
                except ImportError:
                    pass
                self._settings(obj, msg)
                docs = list(self._eval_docs(obj))
        except NeedData as e:
            return {"need": e.request}
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            self.ctx.fail("call", e, f"building the class task {getattr(cls, '__qualname__', cls)}")
        h = self.ctx.store(obj)
        self.tasks[h] = {"docs": docs}
        return self._describe(obj, h, docs)

    @staticmethod
    def _settings(obj, msg):
        """The run's settings, applied as lm-eval's ``simple_evaluate`` does."""
        get = getattr(obj, "get_config", None)
        setc = getattr(obj, "set_config", None)
        if get is None or setc is None:
            return
        if msg.get("gen_kwargs") is not None and get("output_type") == "generate_until":
            setc(key="generation_kwargs", value=msg["gen_kwargs"], update=True)
        if msg.get("predict_only") and hasattr(obj, "override_metric"):
            obj.override_metric(metric_name="bypass")
        nf = msg.get("num_fewshot")
        if nf is not None:
            if get("num_fewshot") != 0:
                setc(key="num_fewshot", value=nf)
        elif get("num_fewshot") is None:
            setc(key="num_fewshot", value=0)

    @staticmethod
    def _eval_docs(obj):
        # lm-eval's Task.eval_docs
        if hasattr(type(obj), "eval_docs"):
            return obj.eval_docs
        if obj.has_test_docs():
            return obj.test_docs()
        if obj.has_validation_docs():
            return obj.validation_docs()
        raise ValueError(f"Task {type(obj).__name__} has neither test_docs nor validation_docs")

    def _describe(self, obj, h, docs):
        config = getattr(obj, "config", None)
        dump = obj.dump_config() if hasattr(obj, "dump_config") else {}
        aggs = {}
        for metric, fn in (obj.aggregation() or {}).items():
            aggs[metric] = {"handle": self.ctx.store(fn), "module": getattr(fn, "__module__", None), "name": getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)}
        return {
            "handle": h,
            "docs": len(docs),
            "version": getattr(obj, "VERSION", None),
            "config": dict(dump) if dump is not None else {},
            "num_fewshot": getattr(config, "num_fewshot", None),
            "output_type": getattr(config, "output_type", None) or getattr(obj, "OUTPUT_TYPE", None),
            "higher_is_better": obj.higher_is_better() or {},
            "aggregation": aggs,
            "filters": [f.name for f in getattr(obj, "_filters", None) or []],
        }

    def docs(self, msg):
        """``task_docs``: the evaluation docs, in order."""
        return self.tasks[msg["handle"]]["docs"]

    # -- requests ------------------------------------------------------------------------------
    def requests(self, msg):
        """``task_requests``: each doc's requests, made as lm-eval's ``Task.build_all_requests`` makes
        them: ``fewshot_context`` then ``construct_requests``, doc by doc in order (so a sampler's
        random state advances as in lm-eval); arguments as in lm-eval v0.4.4 or latest (``profile``)."""
        obj = self.ctx.get(msg["handle"])
        docs = self.tasks[msg["handle"]]["docs"]
        config = obj.config
        nf = 0 if config.num_fewshot is None else config.num_fewshot
        latest = msg.get("profile") != "0.4.4"
        system_instruction = msg.get("system_instruction")
        multiturn = bool(msg.get("fewshot_as_multiturn"))
        # simple_evaluate seeds the task's few-shot sampler once, before its requests are built
        if hasattr(obj, "set_fewshot_seed"):
            obj.set_fewshot_seed(seed=msg.get("fewshot_seed"))
        out = []
        for doc_id in msg["doc_ids"]:
            doc = docs[doc_id]
            try:
                if latest:
                    ctx = obj.fewshot_context(
                        doc,
                        num_fewshot=nf,
                        system_instruction=system_instruction,
                        apply_chat_template=False,
                        fewshot_as_multiturn=multiturn,
                        chat_template=None,
                        gen_prefix=obj.doc_to_prefix(doc),
                    )
                    insts = obj.construct_requests(doc=doc, ctx=ctx, metadata=(config["task"], doc_id, config.repeats), apply_chat_template=False, chat_template=None)
                else:
                    ctx = obj.fewshot_context(doc, nf, system_instruction, False, multiturn, None)
                    insts = obj.construct_requests(doc=doc, ctx=ctx, metadata=(config["task"], doc_id, config.repeats))
            except BaseException as e:  # noqa: BLE001
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                self.ctx.fail("call", e, f"{type(obj).__name__}: building the requests of doc {doc_id}")
            if not isinstance(insts, list):
                insts = [insts]
            out.append([{"request_type": i.request_type, "arguments": i.arguments, "idx": i.idx, "repeats": i.repeats} for i in insts])
        return out

    # -- scoring -------------------------------------------------------------------------------
    def filter(self, msg):
        """``task_filter``: ``Task.apply_filters`` over the given responses; per instance, {filter name: value}."""
        obj = self.ctx.get(msg["handle"])
        insts = [_Inst(r, d) for r, d in zip(msg["resps"], msg["docs"])]
        obj._instances = insts
        try:
            obj.apply_filters()
        except BaseException as e:  # noqa: BLE001
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            self.ctx.fail("call", e, f"{type(obj).__name__}.apply_filters")
        return [i.filtered_resps for i in insts]


def new_sampler(ctx, msg):
    """``sampler_new``: a ``fewshot_config.sampler`` class built as lm-eval (latest) builds it
    (lm_eval/api/task.py ``ConfigurableTask.__init__``: ``sampler_cls(fewshot_docs, rnd=None)``,
    then ``set_fewshot_seed`` gives it its generator). Returns the handle of
    ``draw(n, eval_doc, seq, state)``: ``sampler.sample(n=n, eval_doc=eval_doc)`` as
    ``ConfigurableTask.fewshot_context`` calls it; ``state`` (a ``random.Random`` state, with the
    first call) is the harness's seeded few-shot generator; ``seq`` only tells calls apart."""
    import random

    cls = ctx.get(msg["handle"])
    try:
        obj = cls(msg["docs"], rnd=None)
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        ctx.fail("call", e, f"{getattr(cls, '__qualname__', cls)}(fewshot_docs, rnd=None) raised")

    def draw(n, eval_doc, seq, state):
        if state is not None:
            r = random.Random()
            r.setstate((state[0], tuple(state[1]), state[2]))
            obj.rnd = r
        return obj.sample(n=n, eval_doc=eval_doc)

    return {"handle": ctx.store(draw)}


class _Inst:
    """What lm-eval's filters read and write of an ``Instance``."""

    def __init__(self, resps, doc):
        self.resps = resps
        self.doc = doc
        self.filtered_resps = {}


def _accepts_config(init):
    try:
        return "config" in inspect.signature(init).parameters
    except (TypeError, ValueError):
        return False


OPS = {"task_new": "new", "task_data": "data", "task_docs": "docs", "task_requests": "requests", "task_filter": "filter"}
