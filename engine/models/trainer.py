"""The Keras training loop: compile, fit, evaluate, predict and the *_on_batch variants.

Speed rules: whole batches as device arrays (one gather per epoch when shuffling), losses accumulated on
the device and read back once per epoch, gradients reset by dropping them, no per-batch host sync unless
a callback asks for per-batch logs.
"""

from __future__ import annotations

import itertools

from engine import parallel
from engine.autograd import Tensor, grad_homes, no_grad
from engine.backend import get_xp, to_cpu
from engine.models import data as D
from engine.models import sharded
from engine.models.compile_utils import CompiledLoss, CompiledMetrics
from engine.models.fit_callbacks import _CallbackList
from engine.models.logs import Logs


class Trainer:
    def __init__(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compiled_loss = None
        self._compiled_metrics = None
        self._compile_config = None

    # ---------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly=False, steps_per_execution=1, jit_compile="auto", auto_scale_loss=True):
        from engine import optimizers  # noqa: PLC0415 - leaf module

        if hasattr(optimizer, "apply_gradients") and not isinstance(optimizer, type):
            self.optimizer = optimizer  # any object with Keras' apply_gradients(grads_and_vars)
        else:
            opt = optimizers.get(optimizer)
            self.optimizer = opt() if isinstance(opt, type) else opt
        self.loss = loss
        self._compile_config = {"optimizer": optimizer, "loss": loss, "loss_weights": loss_weights,
                                "metrics": metrics, "weighted_metrics": weighted_metrics}
        self._compiled_loss = self._compiled_metrics = None
        per_output = isinstance(loss, dict) or (isinstance(loss, (list, tuple)) and len(loss) > 1)
        if per_output and len(self.output_names) == 1 and not hasattr(self, "_output_struct") \
                and not hasattr(self, "_graph_nodes"):
            pass  # a subclassed model whose outputs are known only after its first call
        else:
            self._build_compiled()
        self.compiled = True

    def _build_compiled(self) -> None:
        names, cfg = self.output_names, self._compile_config
        self._compiled_loss = CompiledLoss(cfg["loss"], cfg["loss_weights"], names)
        self._compiled_metrics = CompiledMetrics(cfg["metrics"], names, self._compiled_loss.losses)

    def get_compile_config(self) -> dict | None:
        """The arguments given to ``compile`` (with the loss names resolved, as training_config wants)."""
        if not self.compiled:
            return None
        names = self._compiled_loss.loss_names if self._compiled_loss is not None else None
        return {**self._compile_config, "loss_names": names}

    def _assert_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model: "
                               "model.compile(optimizer=..., loss=...) before fit/evaluate/train_on_batch.")

    @property
    def metrics_names(self) -> list[str]:
        if not self.compiled or self._compiled_loss is None:
            return []
        names = ["loss"]
        if len(self.output_names) > 1:
            pairs = zip(self.output_names, self._compiled_loss.losses, strict=False)
            names += [f"{n}_loss" for n, lo in pairs if lo is not None]
        return names + self._compiled_metrics.names()

    # ---------------------------------------------------------------- data
    def _prepare(self, x, y=None, sample_weight=None, class_weight=None):
        input_names = getattr(self, "input_names", None)
        xs, x_struct = D.standardize(x, input_names, "x")
        if xs is None:
            raise ValueError("Unexpected value for `x`: None. Expected an array, a list of arrays or a dict.")
        ys, _ = D.standardize(y, self.output_names, "y")
        if ys is not None and isinstance(y, dict):
            ys = [D._as_array(y[n], f"y['{n}']") if n in y else None for n in self.output_names]
        if ys is not None and self._compiled_loss is not None and len(ys) != len(self.output_names):
            raise ValueError(f"The model has {len(self.output_names)} output(s) ({self.output_names}) but "
                             f"received {len(ys)} target array(s) in `y`.")
        sw = D._as_array(sample_weight, "sample_weight").reshape(-1) if sample_weight is not None else None
        n = D.check_cardinality(xs, [a for a in ys if a is not None] if ys is not None else None, sw)
        if class_weight:
            if ys is None:
                raise ValueError("`class_weight` needs targets `y`.")
            cw = D.class_weights_to_sample_weights(ys[0], class_weight)
            sw = cw if sw is None else sw * cw
        return xs, x_struct, ys, sw, n

    def _flat_outputs(self, y_pred) -> list:
        if isinstance(y_pred, dict):
            return [y_pred[n] for n in self.output_names]
        if isinstance(y_pred, (list, tuple)):
            return list(y_pred)
        return [y_pred]

    def _data(self, x, y=None, sample_weight=None, class_weight=None, batch_size=None, need_y=False,
              what="fit"):
        """ArrayData for arrays (y, weights checked against x), SourceData for generators/Sequences."""
        if D.is_batch_source(x):
            if y is not None or sample_weight is not None:
                raise ValueError(f"`y` and `sample_weight` are not supported when `x` is a generator or a "
                                 f"Sequence: its batches carry them. Received: y={type(y).__name__}")
            return D.SourceData(x, lambda bx, by, bsw: self._prepare(bx, by, bsw, class_weight))
        xs, x_struct, ys, sw, n = self._prepare(x, y, sample_weight, class_weight)
        if need_y and ys is None:
            raise ValueError(f"`{what}` needs targets: pass `y` (an array, a list of arrays or a dict).")
        return D.ArrayData(xs, x_struct, ys, sw, n, _batch_size(batch_size))

    def _ensure_built(self, data) -> None:
        if not (self.built and self.weights) or (self.compiled and self._compiled_loss is None):
            xs, x_struct = data.first_x()
            with no_grad():
                self(D.restructure(xs, x_struct), training=False)
        if self.compiled and (self._compiled_loss is None or self._compiled_loss.output_names != self.output_names):
            self._build_compiled()
        self._regularized = [v for v in self.trainable_weights if v.regularizer is not None]

    def _penalties(self) -> list:
        """Weight regularization (computed now) and the activity/add_loss penalties of this forward pass."""
        return [v.regularizer(v) for v in self._regularized] + self._all_activity_losses()

    # ---------------------------------------------------------------- one step
    def _reset_trackers(self):
        self._loss_sum, self._count = 0.0, 0
        self.__dict__.setdefault("_regularized", [])
        self._output_loss_sums = [0.0] * len(self.output_names)
        self._compiled_metrics.reset()

    def _step(self, xb, x_struct, yb, swb, training: bool):
        preds = self._flat_outputs(self(D.restructure(xb, x_struct), training=training))
        return self._loss(preds, yb, swb), preds

    def _loss(self, preds, yb, swb) -> Tensor:
        """The batch's total loss (compiled losses + penalties) of ``preds``; tracked for the logs."""
        n = int(preds[0].shape[0])
        ytrue = [None if y is None else Tensor(y) for y in yb]
        total, per_output = self._compiled_loss(ytrue, preds, sample_weight=swb)
        for penalty in self._penalties():
            total = total + penalty
        self._loss_sum = self._loss_sum + total.data * n
        self._count += n
        if len(per_output) > 1:
            self._output_loss_sums = [s if v is None else s + v.data * n
                                      for s, v in zip(self._output_loss_sums, per_output, strict=False)]
        return total

    def _train_batch(self, xb, x_struct, yb, swb, variables):
        for v in variables:
            v.grad = None
        parts = sharded.train_shards(self, xb, x_struct)
        preds = sharded.train_step(self, xb, x_struct, yb, swb, parts) if parts > 1 else None
        if preds is None:
            total, preds = self._step(xb, x_struct, yb, swb, training=True)
            with grad_homes(self.optimizer.grad_homes(variables)):
                total.backward()
        self.optimizer.apply_gradients([(v.grad, v) for v in variables if v.grad is not None])
        self._apply_constraints(variables)
        with no_grad():
            self._compiled_metrics.update(yb, [p.data for p in preds], swb)

    def _apply_constraints(self, variables) -> None:
        from engine.optimizers import Optimizer  # noqa: PLC0415

        if isinstance(self.optimizer, Optimizer):  # engine optimizers apply constraints themselves
            return
        for v in variables:
            if v.constraint is not None:
                v.data[...] = v.constraint(v.data)

    def _logs(self, prefix: str = "") -> dict:
        logs = Logs({f"{prefix}loss": float(self._loss_sum / max(self._count, 1))})
        if len(self.output_names) > 1:
            for name, s, lo in zip(self.output_names, self._output_loss_sums, self._compiled_loss.losses, strict=False):
                if lo is not None:
                    logs[f"{prefix}{name}_loss"] = float(s / max(self._count, 1))
        for name, m in self._compiled_metrics.named():
            logs[f"{prefix}{name}"] = float(m.result())
        return logs

    # ---------------------------------------------------------------- fit
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None, validation_split=0.0,
            validation_data=None, shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None, validation_freq=1):
        self._assert_compiled()
        batch_size = _batch_size(batch_size)
        data = self._data(x, y, sample_weight, class_weight, batch_size, need_y=True)
        val = None
        if validation_data is not None:
            val_args = (validation_data,) if D.is_batch_source(validation_data) else _unpack_validation(validation_data)
            val = self._data(*val_args, batch_size=validation_batch_size or batch_size)
        elif validation_split:
            if isinstance(data, D.SourceData):
                raise ValueError("`validation_split` is only supported for arrays, not for generators or "
                                 "Sequences; pass `validation_data` instead.")
            data, val = _split(data, validation_split, validation_batch_size or batch_size)
        self._ensure_built(data)
        variables = self.trainable_weights
        steps = data.steps(steps_per_epoch)
        verbose = _verbose(verbose)
        cbs = _CallbackList(self, callbacks, verbose, {"epochs": epochs, "steps": steps, "verbose": verbose})
        self.stop_training = False
        self._reset_trackers()
        cbs.call("on_train_begin", {})
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self._reset_trackers()
            cbs.call("on_epoch_begin", epoch, {})
            for step, xb, x_struct, yb, swb in data.epoch(bool(shuffle), steps_per_epoch):
                cbs.batch("on_train_batch_begin", step)
                self._train_batch(xb, x_struct, yb, swb, variables)
                if cbs.wants_batch_logs:
                    cbs.batch("on_train_batch_end", step, self._logs())
                if self.stop_training:
                    break
            logs = self._logs()
            if val is not None and (epoch + 1) % validation_freq == 0:
                logs.update(self._evaluate(val, validation_steps, cbs, prefix="val_"))
            cbs.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        cbs.call("on_train_end", logs)
        return self.history

    # ---------------------------------------------------------------- evaluate / predict
    def _evaluate(self, data, steps, cbs, prefix=""):
        self._reset_trackers()
        cbs.call("on_test_begin", {})
        with no_grad():
            batches = iter(data.epoch(False, steps))
            first = next(batches, None)
            workers = 1 if first is None or cbs.watches_test_batches else \
                sharded.predict_workers(self, first[1], first[2], with_loss=True)
            if first is not None:
                batches = itertools.chain([first], batches)
            if workers > 1:  # forward passes of whole batches on threads; loss and metrics here, in order
                for (_, _, _, yb, swb), preds in parallel.map_batches(self._eval_forward, batches, workers=workers):
                    self._loss(preds, yb, swb)
                    self._compiled_metrics.update(yb, [p.data for p in preds], swb)
            else:
                for step, xb, x_struct, yb, swb in batches:
                    _need_targets(yb)
                    cbs.batch("on_test_batch_begin", step)
                    _, preds = self._step(xb, x_struct, yb, swb, training=False)
                    self._compiled_metrics.update(yb, [p.data for p in preds], swb)
                    if cbs.wants_batch_logs:
                        cbs.batch("on_test_batch_end", step, self._logs())
        logs = self._logs()
        cbs.call("on_test_end", logs)
        return Logs({f"{prefix}{k}": v for k, v in logs.items()})

    def _eval_forward(self, batch):
        _, xb, x_struct, yb, _ = batch
        _need_targets(yb)
        return batch, self._flat_outputs(self(D.restructure(xb, x_struct), training=False))

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, steps=None,
                 callbacks=None, return_dict=False):
        self._assert_compiled()
        data = self._data(x, y, sample_weight, batch_size=batch_size, need_y=True, what="evaluate")
        self._ensure_built(data)
        cbs = _CallbackList(self, callbacks, 0, {"verbose": 0, "epochs": 1, "steps": data.steps(steps)},
                            history=False)
        return _result(self._evaluate(data, steps, cbs), return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        data = self._data(x, batch_size=batch_size)
        outputs = []

        def forward(batch):
            _, xb, x_struct, _, _ = batch
            return [o.data for o in self._flat_outputs(self(D.restructure(xb, x_struct), training=False))]

        with no_grad():
            batches = iter(data.epoch(False, steps))
            first = next(batches, None)
            if first is not None:  # its shapes decide (a forward pass of a few rows builds the model, once)
                workers = sharded.predict_workers(self, first[1], first[2])
                outputs += parallel.map_batches(forward, itertools.chain([first], batches), workers=workers)
        if not outputs:
            raise ValueError("`predict` got no data: the generator/Sequence yielded no batches.")
        xp = get_xp()
        merged = [to_cpu(xp.concatenate([b[i] for b in outputs], axis=0)) for i in range(len(outputs[0]))]
        return self._pack_outputs(merged)

    def _pack_outputs(self, arrays: list):
        struct = getattr(self, "_output_struct", None)
        if isinstance(struct, dict):
            return dict(zip(self.output_names, arrays, strict=False))
        if len(arrays) == 1 and not isinstance(struct, (list, tuple)):
            return arrays[0]
        return arrays

    def predict_on_batch(self, x):
        xs, x_struct, _, _, _ = self._prepare(x)
        with no_grad():
            out = self._flat_outputs(self(D.restructure(xs, x_struct), training=False))
        return self._pack_outputs([to_cpu(o.data) for o in out])

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._assert_compiled()
        xs, x_struct, ys, sw, n = self._prepare(x, y, sample_weight, class_weight)
        self._ensure_built(D.ArrayData(xs, x_struct, ys, sw, n, n))
        self._reset_trackers()
        self._train_batch(xs, x_struct, ys, sw, self.trainable_weights)
        return _result(self._logs(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled()
        xs, x_struct, ys, sw, n = self._prepare(x, y, sample_weight)
        self._ensure_built(D.ArrayData(xs, x_struct, ys, sw, n, n))
        self._reset_trackers()
        with no_grad():
            _, preds = self._step(xs, x_struct, ys, sw, training=False)
            self._compiled_metrics.update(ys, [p.data for p in preds], sw)
        return _result(self._logs(), return_dict)


# ---------------------------------------------------------------- arguments
def _need_targets(yb) -> None:
    if yb is None:
        raise ValueError("Evaluation batches need targets `y`.")


def _batch_size(batch_size) -> int:
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"Expected `batch_size` to be a positive integer. Received: batch_size={batch_size!r}")
    return batch_size


def _verbose(verbose) -> int:
    if verbose == "auto":
        return 1
    return int(verbose)


def _result(logs: dict, return_dict: bool):
    if return_dict:
        return logs
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


def _unpack_validation(validation_data):
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, y_val, "
                         f"val_sample_weight)`. Received: validation_data={type(validation_data).__name__}")
    return tuple(validation_data) if len(validation_data) == 3 else (*validation_data, None)


def _split(data, validation_split, val_batch_size):
    groups = [data.xs, data.ys, None if data.sw is None else [data.sw]]
    train, val = D.split_validation(groups, data.n, validation_split)

    def make(g, batch_size):
        return D.ArrayData(g[0], data.x_struct, g[1], None if g[2] is None else g[2][0], int(g[0][0].shape[0]),
                           batch_size)

    return make(train, data.batch_size), make(val, val_batch_size)
