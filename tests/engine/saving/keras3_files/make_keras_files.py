"""Regenerate the Keras 3 reference files in this folder (run with real Keras, never in the test suite):

    KERAS_BACKEND=torch python make_keras_files.py     # keras==3.15.1, torch==2.13.0 (requirements-keras.txt)

Each NAME.h5 is ``model.save`` (legacy HDF5) after a short seeded training run, NAME.weights.h5 the same
weights from ``model.save_weights`` (Keras 3's layers/<class>/vars layout); NAME.npz holds ``x`` or
``x0, x1, ...`` and Keras' own ``y_expected`` (``model.predict``). They cover what shared/keras-h5 does not:
functional graphs (shared layers, merges, nested models, two outputs) and more layer families.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)


def save(name, model, xs, ys, loss):
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    model.fit(xs if len(xs) > 1 else xs[0], ys if len(ys) > 1 else ys[0], epochs=3, batch_size=4, verbose=0)
    model.save(os.path.join(HERE, f"{name}.h5"))
    model.save_weights(os.path.join(HERE, f"{name}.weights.h5"))  # Keras 3's weights-only layout
    pred = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    pred = pred if isinstance(pred, list) else [pred]
    data = {"x": xs[0]} if len(xs) == 1 else {f"x{i}": x for i, x in enumerate(xs)}
    data.update({"y_expected": pred[0]} if len(pred) == 1 else {f"y_expected{i}": p for i, p in enumerate(pred)})
    np.savez(os.path.join(HERE, f"{name}.npz"), **data)


# 1. functional: shared layer, merges, two outputs
a, b = keras.Input((6,), name="in_a"), keras.Input((6,), name="in_b")
shared = L.Dense(8, activation="relu", name="shared_dense")
ha, hb = shared(a), shared(b)
proj = L.Dense(8, activation="tanh", name="proj")(L.Concatenate(name="concat")([ha, hb]))
merged = L.Add(name="add_2")([proj, L.Add(name="add")([ha, hb])])
mixed = L.Average()([L.Multiply()([merged, L.Subtract()([proj, ha])]), L.Maximum()([proj, L.Minimum()([ha, hb])])])
mixed = L.Concatenate()([mixed, L.Dot(axes=1)([ha, hb])])
model = keras.Model([a, b], [L.Dense(3, activation="softmax", name="out")(mixed), L.Dense(1, name="aux")(merged)],
                    name="functional_shared")
xs = [rng.standard_normal((12, 6)).astype("float32") for _ in range(2)]
save("k3_functional_shared", model, xs, [np.eye(3, dtype="float32")[np.arange(12) % 3],
                                         rng.standard_normal((12, 1)).astype("float32")],
     ["categorical_crossentropy", "mean_squared_error"])

# 2. nested models: a Sequential and a functional model used as layers
inner_seq = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(3)], name="inner_seq")
ia = keras.Input((4,), name="ia")
inner_fn = keras.Model(ia, L.Dense(3, activation="tanh", name="fd")(ia), name="inner_fn")
x = keras.Input((4,), name="x")
out = L.Dense(2, name="head")(L.Concatenate()([inner_seq(x), inner_fn(x), x]))
save("k3_nested", keras.Model(x, out, name="outer"), [rng.standard_normal((12, 4)).astype("float32")],
     [rng.standard_normal((12, 2)).astype("float32")], "mean_squared_error")

# 3. recurrent variety
model = keras.Sequential([keras.Input((7, 3)), L.GRU(4, return_sequences=True),
                          L.GRU(4, reset_after=False, return_sequences=True),
                          L.Bidirectional(L.LSTM(3, return_sequences=True)), L.TimeDistributed(L.Dense(2)),
                          L.SimpleRNN(3), L.RepeatVector(2), L.Bidirectional(L.GRU(2), merge_mode="sum"),
                          L.Dense(1)], name="rnn_variety")
save("k3_rnn_variety", model, [rng.standard_normal((12, 7, 3)).astype("float32")],
     [rng.standard_normal((12, 1)).astype("float32")], "mean_absolute_error")

# 4. convolution variety
model = keras.Sequential([keras.Input((6, 6, 2)), L.ZeroPadding2D(1), L.DepthwiseConv2D(3, depth_multiplier=2),
                          L.BatchNormalization(), L.SeparableConv2D(3, 2, padding="same", activation="relu"),
                          L.Conv2DTranspose(2, 2, strides=2), L.Cropping2D(((1, 2), (0, 1))), L.UpSampling2D(2),
                          L.LayerNormalization(), L.AveragePooling2D(3), L.Permute((2, 1, 3)),
                          L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax")], name="conv_variety")
save("k3_conv_variety", model, [rng.standard_normal((12, 6, 6, 2)).astype("float32")],
     [np.eye(2, dtype="float32")[np.arange(12) % 2]], "categorical_crossentropy")

# 5. 1-D convolutions and pooling
model = keras.Sequential([keras.Input((12, 3)), L.Conv1D(4, 3, padding="causal", activation="relu"),
                          L.Conv1D(4, 3, dilation_rate=2, padding="same"), L.ZeroPadding1D(1), L.Cropping1D((0, 1)),
                          L.MaxPooling1D(2), L.UpSampling1D(2), L.AveragePooling1D(2, padding="same"),
                          L.GlobalMaxPooling1D(), L.Dense(1)], name="conv1d_variety")
save("k3_conv1d_variety", model, [rng.standard_normal((12, 12, 3)).astype("float32")],
     [rng.standard_normal((12, 1)).astype("float32")], "huber")
print("ok")
