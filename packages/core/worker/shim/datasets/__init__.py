"""Stand-in for the Hugging Face ``datasets`` package, put on the path by lm-eval (TypeScript)'s
Python helper worker only when the real package is not importable: task helpers that
``import datasets`` (mostly for ``datasets.Dataset`` in type hints and ``Dataset`` methods) run.
Loading data is the harness's job: ``load_dataset`` and friends raise.
"""
from lm_eval_pyfn_dataset import Dataset, DatasetDict, Features, Value  # noqa: F401

__version__ = "0.0.0+lm-eval-ts-shim"
__lm_eval_ts_shim__ = True


def _unavailable(name):
    def fn(*args, **kwargs):
        raise NotImplementedError(
            f"datasets.{name} is not available: the Python used for task helpers has no `datasets` "
            "package (install it there, or pass --python with one that has it)"
        )

    fn.__name__ = name
    return fn


load_dataset = _unavailable("load_dataset")
load_metric = _unavailable("load_metric")
get_dataset_config_names = _unavailable("get_dataset_config_names")
concatenate_datasets = _unavailable("concatenate_datasets")
