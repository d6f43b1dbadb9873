"""``lm_eval.utils`` stand-in: the helpers task folders import from it."""
import logging

eval_logger = logging.getLogger("lm-eval")


def weighted_f1_score(items):
    """F1 averaged over labels weighted by support, of ``(gold, pred)`` pairs (scikit-learn's
    ``f1_score(average="weighted")``, which must be installed, as lm-eval requires)."""
    from sklearn.metrics import f1_score

    golds = [g for g, _ in items]
    preds = [p for _, p in items]
    return f1_score(golds, preds, average="weighted")
