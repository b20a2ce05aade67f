"""The ``Optimizer`` base class (Keras 3 update rules, names, defaults and configs), updating ``var.data`` in place.

``opt.apply_gradients([(grad_array, Variable), ...])``: clip (clipnorm / global_clipnorm / clipvalue), apply
decoupled weight decay (``var -= var * weight_decay * lr``), run each variable's update step, count the
iteration, then apply the variables' constraints — in Keras' order. Slot arrays are created on the first call
(``build``) and kept in a stable order: ``variables()`` lists ``(path, array)`` pairs as Keras 3 names them
(``adam/iteration``, ``adam/learning_rate``, ``adam/dense_kernel_momentum``, ``adam/dense_kernel_velocity``,
``adam/dense_bias_momentum``, ...), ``get_state()`` / ``set_state()`` move them as numpy arrays.
Hot-path arithmetic uses ``out=`` into scratch buffers; scalars are Python floats, so float32 stays float32.

Flat storage: on ``build`` every variable's ``.data`` is re-homed as a view into ONE flat array (same for each
slot kind, the scratch buffer and the gradients), so a step over all variables is a dozen large in-place vector
ops instead of a dozen per variable. ``var.data`` stays an ordinary (C-contiguous) array of the variable's shape;
``assign``/``set_weights`` write into it in place. A step that gets gradients for only some variables, or finds
a variable whose ``.data`` was replaced, falls back to the per-variable update on the slot views. On the CPU a
long flat buffer is updated in slices, one per engine thread (``split.py``).
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from engine import schedules
from engine.backend import to_cpu, to_device, xp_of
from engine.optimizers.split import _executor, split_parts
from engine.registry import Registry
from engine.schedules import LearningRateSchedule

OPTIMIZERS = Registry("optimizer")
register = OPTIMIZERS.register


FLAT = slice(None)  # the slot index that means "all variables at once, on the flat buffers"
_MIN_KERNEL = 1 << 16  # flat buffers at least this long use the compiled one-pass update (CPU only)


class Optimizer:
    # Slot kinds in Keras 3's creation order: each group is created variable by variable, its kinds interleaved
    # (Adam: k_momentum, k_velocity, b_momentum, b_velocity), groups one after the other (amsgrad's velocity_hat).
    _slot_groups: tuple[tuple[str, ...], ...] = ()
    default_name = "optimizer"

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if "lr" in kwargs:  # Keras 1/2 spelling, still found in tutorials
            warnings.warn("The `lr` argument is deprecated, use `learning_rate` instead.", stacklevel=3)
            learning_rate = kwargs.pop("lr")
        self.decay = float(kwargs.pop("decay", 0.0) or 0.0)  # Keras 2 legacy: lr / (1 + decay * iterations)
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() received unknown keyword arguments: "
                            f"{sorted(kwargs)}. Expected the Keras arguments of {type(self).__name__}.")
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        if use_ema:
            raise NotImplementedError("use_ema=True is not supported by this engine yet.")
        if gradient_accumulation_steps:
            raise NotImplementedError("gradient_accumulation_steps is not supported by this engine yet.")
        self.name = name or self.default_name
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._learning_rate = self._check_lr(learning_rate)
        self.iterations = 0
        self.built = False
        self._vars: list = []          # the trainable variables, in build order
        self._index: dict[int, int] = {}
        self._slots: dict[str, list] = {}
        self._scratch: list = []
        self._flat: dict | None = None  # the flat buffers and the views handed out (see _flatten)

    # ---- learning rate
    @staticmethod
    def _check_lr(lr):
        if isinstance(lr, dict):
            return schedules.deserialize(lr)
        if isinstance(lr, LearningRateSchedule) or callable(lr):
            return lr
        try:
            lr = float(lr)
        except (TypeError, ValueError):
            raise ValueError(f"Argument `learning_rate` should be float, or an instance of "
                             f"LearningRateSchedule, or a callable. Received: learning_rate={lr!r}") from None
        if lr < 0 or not math.isfinite(lr):
            raise ValueError(f"Argument `learning_rate` must be a finite float >= 0. Received: learning_rate={lr}")
        return lr

    @property
    def learning_rate(self) -> float:
        """The learning rate for the next step (a schedule is evaluated at ``iterations``)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            value = float(lr(self.iterations))
        elif callable(lr):
            value = float(lr())
        else:
            value = lr
        if self.decay:
            value = value / (1.0 + self.decay * self.iterations)
        return value

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, LearningRateSchedule) and not isinstance(value, LearningRateSchedule) \
                and not callable(value):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. "
                            "If you need the learning rate to be settable, you should instantiate the "
                            "optimizer with a float `learning_rate` argument.")
        self._learning_rate = self._check_lr(value)

    lr = learning_rate  # Keras 2 attribute name

    # ---- slots
    @property
    def _slot_names(self) -> tuple[str, ...]:
        return tuple(name for group in self._slot_groups for name in group)

    def _slot_arrays(self):
        """(variable, slot kind, array) in Keras 3's ``optimizer.variables`` order."""
        for group in self._slot_groups:
            for i, var in enumerate(self._vars):
                for slot in group:
                    yield var, slot, self._slots[slot][i]

    def build(self, var_list) -> None:
        """Create slot arrays for variables not seen yet (zero-initialised unless a subclass says otherwise)."""
        new = [v for v in var_list if id(v) not in self._index]
        for v in new:
            self._index[id(v)] = len(self._vars)
            self._vars.append(v)
            self._scratch.append(None)
        for slot in self._slot_names:
            self._slots.setdefault(slot, []).extend(self._init_slot(slot, v) for v in new)
        if new or (self._vars and self._flat is None):
            self._flatten()
        self.built = True

    def _flatten(self) -> None:
        """Re-home the variables, their slots and scratch buffers as views into one flat array each.

        Needs every variable to be a float array of one dtype on one device; otherwise the optimizer keeps
        per-variable arrays (``self._flat`` stays None)."""
        self._flat = None
        datas = [v.data for v in self._vars]
        if not datas:
            return
        dtype, xp = datas[0].dtype, xp_of(*datas)
        if dtype.kind != "f" or any(d.dtype != dtype or xp_of(d) is not xp for d in datas):
            return
        sizes = [int(d.size) for d in datas]
        offsets = [0]
        for n in sizes:
            offsets.append(offsets[-1] + n)
        total = offsets[-1]

        def home(arrays):
            flat = xp.empty(total, dtype=dtype)
            views = []
            for a, lo, hi in zip(arrays, offsets, offsets[1:]):
                view = flat[lo:hi].reshape(a.shape)
                view[...] = a
                views.append(view)
            return flat, views

        w, w_views = home(datas)
        for v, view in zip(self._vars, w_views):
            v.data = view
        slots = {}
        for slot in self._slot_names:
            slots[slot], self._slots[slot] = home(self._slots[slot])
        buf = xp.empty(total, dtype=dtype)
        self._scratch = [buf[lo:hi].reshape(d.shape) for d, lo, hi in zip(datas, offsets, offsets[1:])]
        g = xp.empty(total, dtype=dtype)
        self._flat = {"w": w, "views": w_views, "slots": slots, "buf": buf, "g": g,
                      "g_views": [g[lo:hi].reshape(d.shape) for d, lo, hi in zip(datas, offsets, offsets[1:])],
                      "offsets": offsets, "chunks": [FLAT]}

    def grad_homes(self, variables) -> dict:
        """``{id(v): v's part of the flat gradient buffer}`` for a step on ``variables`` (empty when they are not
        updated through the flat buffer): an op may write a weight gradient there directly (``out=``), and the
        step then skips copying it in (``engine.autograd.grad_homes``)."""
        if not variables or self._flat is None or not self._flat_ready(variables):
            return {}
        return {id(v): view for v, view in zip(variables, self._flat["g_views"])}

    def _chunks(self, xp, total):
        """The flat slices of this step: element-wise ufuncs and the compiled update run on one thread, so on
        the CPU a long buffer is cut into one slice per engine thread and the slices are updated in parallel
        (numpy and the kernels release the GIL). Re-cut when the thread setting changed since the last step."""
        parts = split_parts(total) if xp is np else 1
        chunks = self._flat["chunks"]
        if len(chunks) != parts:
            step = (-(-total // parts) + 15) // 16 * 16
            chunks = [slice(lo, min(lo + step, total)) for lo in range(0, total, step)] if parts > 1 else [FLAT]
            self._flat["chunks"] = chunks
        return chunks

    def _slot(self, slot, i):
        """The slot array of variable ``i`` (or that slice of the flat slot array when ``i`` is a slice)."""
        return self._flat["slots"][slot][i] if isinstance(i, slice) else self._slots[slot][i]

    def _init_slot(self, slot, var):
        return xp_of(var.data).zeros_like(var.data)

    def _buffer(self, i, var):
        if isinstance(i, slice):
            return self._flat["buf"][i]
        buf = self._scratch[i]
        if buf is None:
            buf = self._scratch[i] = xp_of(var.data).empty_like(var.data)
        return buf

    def _extra_state(self) -> list[tuple[str, object]]:
        return []

    def _set_extra_state(self, arrays) -> None:
        pass

    def variables(self) -> list[tuple[str, object]]:
        """(path, array) pairs in Keras 3's order: iteration, learning_rate (not for schedules), slots."""
        out = [(f"{self.name}/iteration", np.asarray(self.iterations, dtype=np.int64))]
        if not isinstance(self._learning_rate, LearningRateSchedule) and not callable(self._learning_rate):
            out.append((f"{self.name}/learning_rate", np.asarray(self._learning_rate, dtype=np.float32)))
        for var, slot, arr in self._slot_arrays():
            path = (getattr(var, "path", None) or getattr(var, "name", None) or "variable").replace("/", "_")
            out.append((f"{self.name}/{path}_{slot}", arr))
        out += [(f"{self.name}/{n}", a) for n, a in self._extra_state()]
        return out

    def get_state(self) -> list[np.ndarray]:
        return [np.array(to_cpu(a)) for _, a in self.variables()]

    def set_state(self, state) -> None:
        """Restore ``get_state()`` output; the optimizer must be built (``build(model.trainable_weights)``)."""
        current = self.variables()
        if len(state) != len(current):
            raise ValueError(f"Optimizer {self.name!r} has {len(current)} state arrays "
                             f"({'built' if self.built else 'not built yet: call build(trainable_variables)'}), "
                             f"but received {len(state)}.")
        for (path, arr), value in zip(current, state):
            value = np.asarray(to_cpu(value))
            if tuple(value.shape) != tuple(np.shape(arr)):
                raise ValueError(f"Optimizer variable {path} has shape {tuple(np.shape(arr))} not compatible "
                                 f"with provided weight shape {tuple(value.shape)}.")
        values = [np.asarray(to_cpu(v)) for v in state]
        self.iterations = int(values[0])
        k = 1
        if not isinstance(self._learning_rate, LearningRateSchedule) and not callable(self._learning_rate):
            self._learning_rate = float(values[1])
            k = 2
        for _, _, arr in self._slot_arrays():
            arr[...] = to_device(values[k], dtype=arr.dtype)
            k += 1
        self._set_extra_state(values[k:])

    get_weights, set_weights = get_state, set_state

    # ---- applying gradients
    def apply_gradients(self, grads_and_vars) -> None:
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            raise ValueError("No gradients provided for any variable.")
        variables = [v for _, v in pairs]
        self.build(variables)
        lr = float(self.learning_rate)
        if self._flat_ready(variables):
            self._apply_flat([g for g, _ in pairs], lr)
        else:
            self._apply_each([g if g.dtype == v.data.dtype else g.astype(v.data.dtype) for g, v in pairs],
                             variables, lr)
        self.iterations += 1
        for v in variables:
            constraint = getattr(v, "constraint", None)
            if constraint is not None:
                v.data[...] = constraint(v.data)

    def _flat_ready(self, variables) -> bool:
        """True when this step updates every built variable, in build order, and all still live in the flat
        array (a variable whose ``.data`` was replaced is re-homed first)."""
        flat = self._flat
        if flat is None or len(variables) != len(self._vars):
            return False
        if any(a is not b for a, b in zip(variables, self._vars)):
            return False
        if any(v.data is not view for v, view in zip(variables, flat["views"])):
            self._flatten()
            return self._flat is not None
        return True

    def _apply_flat(self, grads, lr) -> None:
        flat = self._flat
        w, g = flat["w"], flat["g"]
        xp = xp_of(w)
        chunks = self._chunks(xp, w.size)
        kernel = self._kernel() if xp is np and w.size >= _MIN_KERNEL else None
        update = self._update if kernel is None else functools.partial(self._run_kernel, kernel)
        clipping = any(c and c > 0 for c in (self.clipnorm, self.global_clipnorm, self.clipvalue))
        # gradients an op wrote into the flat buffer itself (grad_homes) are already in place
        flat_grads = [None if x is home else x.reshape(-1) for x, home in zip(grads, flat["g_views"])]
        if len(chunks) == 1 or clipping:
            if all(x is not None for x in flat_grads):
                xp.concatenate(flat_grads, out=g)  # one pass (one kernel on the GPU); casts float64 grads too
            else:
                self._gather(flat_grads, FLAT, g)
            self._clip_flat(g)
        if self.weight_decay:
            w *= 1.0 - self.weight_decay * lr
        self._before_step()
        if len(chunks) == 1:
            update(chunks[0], g, w, lr)
            return

        def step(s):
            if not clipping:  # each thread copies its slice of the gradients too
                self._gather(flat_grads, s, g)
            update(s, g[s], w[s], lr)

        futures = [_executor(len(chunks) - 1).submit(step, s) for s in chunks[1:]]
        step(chunks[0])  # this thread takes the first slice instead of waiting idle
        for f in futures:
            f.result()

    def _kernel(self):
        """A compiled one-pass update ``fn`` for flat CPU arrays (releases the GIL), or None: ufunc steps."""
        return None

    def _run_kernel(self, fn, i, g, w, lr) -> None:
        raise NotImplementedError

    def _gather(self, flat_grads, s, g) -> None:
        """Copy the parts of the variables' gradients that fall in ``g[s]`` (the flat slice ``s``; None entries are
        in place already). Casts float64 gradients."""
        offsets = self._flat["offsets"]
        start, stop = s.start or 0, g.size if s.stop is None else s.stop
        for x, lo, hi in zip(flat_grads, offsets, offsets[1:]):
            a, b = max(lo, start), min(hi, stop)
            if x is not None and a < b:
                g[a:b] = x[a - lo:b - lo]

    def _apply_each(self, grads, variables, lr) -> None:
        grads = self._clip(grads)
        if self.weight_decay:
            factor = 1.0 - self.weight_decay * lr
            for v in variables:
                v.data *= factor
        self._before_step()
        for g, v in zip(grads, variables):
            self._update(self._index[id(v)], g, v.data, lr)

    def _clip_flat(self, g) -> None:
        """``_clip`` in place on the flat gradient (per-variable norms on its views for ``clipnorm``)."""
        xp = xp_of(g)
        if self.clipnorm and self.clipnorm > 0:
            offsets = self._flat["offsets"]
            for lo, hi in zip(offsets, offsets[1:]):
                part = g[lo:hi]
                norm = float(xp.sqrt((part * part).sum()))
                if norm > self.clipnorm:
                    part *= self.clipnorm / norm
        elif self.global_clipnorm and self.global_clipnorm > 0:
            norm = math.sqrt(float((g * g).sum()))
            if norm > self.global_clipnorm:
                g *= self.global_clipnorm / norm
        elif self.clipvalue and self.clipvalue > 0:
            xp.clip(g, -self.clipvalue, self.clipvalue, out=g)

    def apply(self, grads, trainable_variables) -> None:
        self.apply_gradients(zip(grads, trainable_variables))

    def _clip(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            out = []
            for g in grads:
                norm = float(xp_of(g).sqrt((g * g).sum()))
                out.append(g * (self.clipnorm / norm) if norm > self.clipnorm else g)
            return out
        if self.global_clipnorm and self.global_clipnorm > 0:
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            if norm > self.global_clipnorm:
                scale = self.global_clipnorm / norm
                return [g * scale for g in grads]
            return grads
        if self.clipvalue and self.clipvalue > 0:
            return [xp_of(g).clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _before_step(self) -> None:
        pass

    def _update(self, i, g, w, lr) -> None:
        raise NotImplementedError

    # ---- config
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = schedules.serialize(lr)
        elif callable(lr):
            lr = float(lr())
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("is_legacy_optimizer", None)
        for legacy in ("jit_compile",):
            config.pop(legacy, None)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self.learning_rate:g}>"
