"""A ``datasets.Dataset`` stand-in for task helpers when the ``datasets`` package is absent.

It holds the rows as Python dicts and offers what lm-eval task helpers use, with the semantics of
Hugging Face ``datasets`` (arrow_dataset.py ``Dataset.map`` / ``filter`` / ``select`` / ``sort`` /
``shuffle`` / ``rename_column(s)`` / ``remove_columns`` / ``add_column`` / ``flatten``):

- ``map``: the function sees the whole row (or batch); ``remove_columns`` are dropped from the
  INPUT before the function's output is merged over it (so a function may read a column it
  removes); a ``None`` result keeps the row; ``batched`` maps take and return dicts of lists and
  may change the number of rows (then every input column must be removed); ``with_indices``
  counts rows of this dataset; ``input_columns`` passes those columns positionally;
- ``filter``: keeps rows whose function result is truthy (``batched``: a list of booleans);
- ``shuffle(seed)``: the permutation of ``numpy.random.default_rng(seed).permutation(n)``, as
  ``datasets`` computes it (numpy's PCG64 generator);
- ``sort``: stable, ``None`` last (``null_placement="at_end"``).
Values are not cast to an Arrow schema (an int column stays int where Arrow could widen it).
"""
import copy


class Value:
    def __init__(self, dtype):
        self.dtype = dtype
        self._type = "Value"

    def __repr__(self):
        return f"Value(dtype='{self.dtype}', id=None)"

    def __eq__(self, other):
        return isinstance(other, Value) and other.dtype == self.dtype


def _feature_of(v):
    if isinstance(v, bool):
        return Value("bool")
    if isinstance(v, int):
        return Value("int64")
    if isinstance(v, float):
        return Value("float64")
    if isinstance(v, str):
        return Value("string")
    if v is None:
        return Value("null")
    if isinstance(v, dict):
        return {k: _feature_of(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_feature_of(v[0])] if v else [Value("null")]
    return Value(type(v).__name__)


class Features(dict):
    def __repr__(self):
        return "{" + ", ".join(f"{k!r}: {v!r}" for k, v in self.items()) + "}"


def _columns_of(rows):
    cols = []
    seen = set()
    for r in rows[:1]:
        for k in r:
            if k not in seen:
                seen.add(k)
                cols.append(k)
    return cols


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


class Dataset:
    """Rows as a list of dicts (column order = the first row's key order)."""

    def __init__(self, rows, columns=None):
        self._rows = [dict(r) for r in rows]
        self._columns = list(columns) if columns is not None else _columns_of(self._rows)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_list(cls, mapping, features=None, info=None, split=None):
        return cls(mapping)

    @classmethod
    def from_dict(cls, mapping, features=None, info=None, split=None):
        cols = list(mapping)
        n = len(mapping[cols[0]]) if cols else 0
        return cls([{c: mapping[c][i] for c in cols} for i in range(n)], cols)

    # -- introspection ----------------------------------------------------------------------
    @property
    def column_names(self):
        return list(self._columns)

    @property
    def num_rows(self):
        return len(self._rows)

    @property
    def num_columns(self):
        return len(self._columns)

    @property
    def shape(self):
        return (len(self._rows), len(self._columns))

    @property
    def features(self):
        first = self._rows[0] if self._rows else {}
        return Features((c, _feature_of(first.get(c))) for c in self._columns)

    def __len__(self):
        return len(self._rows)

    def __iter__(self):
        for r in self._rows:
            yield dict(r)

    def __getitem__(self, key):
        if isinstance(key, str):
            if key not in self._columns:
                raise KeyError(f"Column {key} not in the dataset. Current columns in the dataset: {self._columns}")
            return [r.get(key) for r in self._rows]
        if isinstance(key, slice):
            rows = self._rows[key]
            return {c: [r.get(c) for r in rows] for c in self._columns}
        if isinstance(key, int):
            return dict(self._rows[key])
        idx = list(key)
        return {c: [self._rows[i].get(c) for i in idx] for c in self._columns}

    def __repr__(self):
        return f"Dataset({{\n    features: {self._columns},\n    num_rows: {len(self._rows)}\n}})"

    def to_list(self):
        return [dict(r) for r in self._rows]

    def to_dict(self, batch_size=None, batched=False):
        return {c: [r.get(c) for r in self._rows] for c in self._columns}

    def unique(self, column):
        out = []
        for v in self[column]:
            if v not in out:
                out.append(v)
        return out

    def with_format(self, *args, **kwargs):
        return self

    def set_format(self, *args, **kwargs):
        return None

    def flatten_indices(self, *args, **kwargs):
        return self

    # -- transforms -------------------------------------------------------------------------
    def _batch(self, rows, columns):
        return {c: [r.get(c) for r in rows] for c in columns}

    def map(self, function=None, with_indices=False, with_rank=False, input_columns=None, batched=False,
            batch_size=1000, drop_last_batch=False, remove_columns=None, fn_kwargs=None, **ignored):
        fn_kwargs = fn_kwargs or {}
        removed = _as_list(remove_columns)
        for c in removed:
            if c not in self._columns:
                raise ValueError(f"Column to remove {removed} not in the dataset. Current columns in the dataset: {self._columns}")
        input_columns = _as_list(input_columns) if input_columns is not None else None
        keep_cols = [c for c in self._columns if c not in removed]
        if function is None:
            function = (lambda *a, **k: None)
        out_rows = []
        if not batched:
            for i, row in enumerate(self._rows):
                args = [row[c] for c in input_columns] if input_columns is not None else [copy.copy(row)]
                if with_indices:
                    args.append(i)
                if with_rank:
                    args.append(0)
                res = function(*args, **fn_kwargs)
                base = {c: row[c] for c in keep_cols if c in row}
                if res is not None:
                    if not isinstance(res, dict):
                        raise TypeError(f"Provided `function` which is applied to all elements of table returns a variable of type {type(res)}. Make sure provided `function` returns a variable of type `dict` (or a pyarrow table) to update the dataset or `None` if you are only interested in side effects.")
                    base.update(res)
                out_rows.append(base)
        else:
            n = len(self._rows)
            step = n if (batch_size is None or batch_size <= 0) else batch_size
            step = max(step, 1)
            for start in range(0, n, step):
                rows = self._rows[start:start + step]
                if drop_last_batch and len(rows) < step:
                    break
                batch = self._batch(rows, self._columns)
                args = [batch[c] for c in input_columns] if input_columns is not None else [batch]
                if with_indices:
                    args.append(list(range(start, start + len(rows))))
                if with_rank:
                    args.append(0)
                res = function(*args, **fn_kwargs)
                base = {c: batch[c] for c in keep_cols}
                if res is not None:
                    if not isinstance(res, dict):
                        raise TypeError(f"Provided `function` which is applied to all elements of table returns a variable of type {type(res)}. Make sure provided `function` returns a variable of type `dict` (or a pyarrow table) to update the dataset or `None` if you are only interested in side effects.")
                    res = {k: list(v) for k, v in res.items()}
                    lens = {len(v) for v in res.values()}
                    if len(lens) > 1:
                        raise ValueError("Column lengths mismatch: the batched function returned columns of different lengths " + str({k: len(v) for k, v in res.items()}))
                    if lens and next(iter(lens)) != len(rows) and base:
                        raise ValueError(
                            f"Column lengths mismatch: columns {list(base)} have length {len(rows)} while the function returned {next(iter(lens))} rows; remove them with remove_columns"
                        )
                    base.update(res)
                m = len(next(iter(base.values()))) if base else 0
                out_rows.extend({c: base[c][j] for c in base} for j in range(m))
        if out_rows:
            return Dataset(out_rows)
        return Dataset([], keep_cols)

    def filter(self, function=None, with_indices=False, with_rank=False, input_columns=None, batched=False,
               batch_size=1000, fn_kwargs=None, **ignored):
        if function is None:
            return Dataset(self._rows, self._columns)
        fn_kwargs = fn_kwargs or {}
        input_columns = _as_list(input_columns) if input_columns is not None else None
        kept = []
        if not batched:
            for i, row in enumerate(self._rows):
                args = [row[c] for c in input_columns] if input_columns is not None else [copy.copy(row)]
                if with_indices:
                    args.append(i)
                if function(*args, **fn_kwargs):
                    kept.append(row)
        else:
            n = len(self._rows)
            step = n if (batch_size is None or batch_size <= 0) else batch_size
            step = max(step, 1)
            for start in range(0, n, step):
                rows = self._rows[start:start + step]
                batch = self._batch(rows, self._columns)
                args = [batch[c] for c in input_columns] if input_columns is not None else [batch]
                if with_indices:
                    args.append(list(range(start, start + len(rows))))
                mask = function(*args, **fn_kwargs)
                kept.extend(r for r, keep in zip(rows, mask) if keep)
        return Dataset(kept, self._columns)

    def select(self, indices, **ignored):
        return Dataset([self._rows[i] for i in indices], self._columns)

    def shuffle(self, seed=None, generator=None, **ignored):
        import numpy as np

        if generator is None:
            generator = np.random.default_rng(seed)
        perm = generator.permutation(len(self._rows))
        return Dataset([self._rows[int(i)] for i in perm], self._columns)

    def sort(self, column_names, reverse=False, null_placement="at_end", **ignored):
        cols = _as_list(column_names)
        revs = list(reverse) if isinstance(reverse, (list, tuple)) else [reverse] * len(cols)
        rows = list(self._rows)
        for c, rev in reversed(list(zip(cols, revs))):
            present = [r for r in rows if r.get(c) is not None]
            missing = [r for r in rows if r.get(c) is None]
            present.sort(key=lambda r: r[c], reverse=bool(rev))
            rows = present + missing if null_placement == "at_end" else missing + present
        return Dataset(rows, self._columns)

    def rename_column(self, original_column_name, new_column_name):
        if original_column_name not in self._columns:
            raise ValueError(f"Original column name {original_column_name} not in the dataset. Current columns in the dataset: {self._columns}")
        if new_column_name in self._columns:
            raise ValueError(f"New column name {new_column_name} already in the dataset. Please choose a column name which is not already in the dataset. Current columns in the dataset: {self._columns}")
        return self.rename_columns({original_column_name: new_column_name})

    def rename_columns(self, column_mapping):
        cols = [column_mapping.get(c, c) for c in self._columns]
        rows = [{column_mapping.get(k, k): v for k, v in r.items()} for r in self._rows]
        return Dataset(rows, cols)

    def remove_columns(self, column_names):
        names = _as_list(column_names)
        for c in names:
            if c not in self._columns:
                raise ValueError(f"Column name {c} not in the dataset. Current columns in the dataset: {self._columns}")
        cols = [c for c in self._columns if c not in names]
        return Dataset([{c: r.get(c) for c in cols} for r in self._rows], cols)

    def select_columns(self, column_names):
        names = _as_list(column_names)
        return Dataset([{c: r.get(c) for c in names} for r in self._rows], names)

    def add_column(self, name, column, *args, **kwargs):
        column = list(column)
        if len(column) != len(self._rows):
            raise ValueError(f"column {name!r} has {len(column)} values for {len(self._rows)} rows")
        rows = [dict(r, **{name: v}) for r, v in zip(self._rows, column)]
        return Dataset(rows, self._columns + [name])

    def flatten(self, new_fingerprint=None, max_depth=16):
        def flat(row):
            out = {}
            for k, v in row.items():
                if isinstance(v, dict):
                    for kk, vv in flat(v).items():
                        out[f"{k}.{kk}"] = vv
                else:
                    out[k] = v
            return out

        return Dataset([flat(r) for r in self._rows])

    def train_test_split(self, test_size=None, train_size=None, shuffle=True, seed=None, **ignored):
        n = len(self._rows)
        if isinstance(test_size, float):
            n_test = int(-(-test_size * n // 1))
        elif test_size is not None:
            n_test = int(test_size)
        else:
            n_test = n - (int(train_size * n) if isinstance(train_size, float) else int(train_size or 0))
        ds = self.shuffle(seed=seed) if shuffle else self
        n_train = n - n_test
        return DatasetDict(train=ds.select(range(n_train)), test=ds.select(range(n_train, n)))


class DatasetDict(dict):
    def map(self, *args, **kwargs):
        return DatasetDict({k: v.map(*args, **kwargs) for k, v in self.items()})

    def filter(self, *args, **kwargs):
        return DatasetDict({k: v.filter(*args, **kwargs) for k, v in self.items()})
