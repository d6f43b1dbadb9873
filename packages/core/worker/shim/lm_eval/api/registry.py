"""``lm_eval.api.registry`` stand-in: the registration decorators return what they decorate.

Registered names are kept (``FILTER_REGISTRY`` and friends) but the TypeScript harness does not
look them up: YAML refers to helpers through ``!function``.
"""
FILTER_REGISTRY = {}
METRIC_REGISTRY = {}
AGGREGATION_REGISTRY = {}
HIGHER_IS_BETTER_REGISTRY = {}
MODEL_REGISTRY = {}
TASK_REGISTRY = {}


def _register(table, name):
    def deco(obj):
        table[name] = obj
        return obj

    return deco


def register_filter(name):
    return _register(FILTER_REGISTRY, name)


def register_aggregation(name):
    return _register(AGGREGATION_REGISTRY, name)


def register_model(*names):
    def deco(obj):
        for n in names:
            MODEL_REGISTRY[n] = obj
        return obj

    return deco


def register_task(name):
    return _register(TASK_REGISTRY, name)


def register_metric(**args):
    def deco(fn):
        METRIC_REGISTRY[args.get("metric")] = fn
        if "higher_is_better" in args:
            HIGHER_IS_BETTER_REGISTRY[args.get("metric")] = args["higher_is_better"]
        return fn

    return deco
