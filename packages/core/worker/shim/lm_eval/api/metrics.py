"""``lm_eval.api.metrics`` stand-in: the helpers task folders import from it, with lm-eval's
behaviour (lm_eval/api/metrics.py)."""
import math


def mean(arr):
    return sum(arr) / len(arr)


def median(arr):
    return arr[len(arr) // 2]


def weighted_mean(items):
    a, b = zip(*items)
    return sum(a) / sum(b)


def perplexity(items):
    return math.exp(-mean(items))


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    """The best ``metric_fn(prediction, truth)`` over the ground truths."""
    return max(metric_fn(prediction, truth) for truth in ground_truths)
