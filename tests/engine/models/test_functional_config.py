"""engine.models.functional_config: the Keras 3 config layout written and read back, Keras 2 inbound nodes."""

import json

import numpy as np

from engine.models import Functional, Model, model_from_json

from .cases import RNG, shared_model


def test_config_has_keras3_nodes_and_rebuilds_the_same_model():
    model = shared_model()
    config = json.loads(json.dumps(model.get_config()))
    assert config["input_layers"] == [["in_a", 0, 0], ["in_b", 0, 0]]
    assert config["output_layers"] == ["out", 0, 0]
    entries = {e["name"]: e for e in config["layers"]}
    assert entries["in_a"]["inbound_nodes"] == []
    shared_nodes = entries["shared_dense"]["inbound_nodes"]
    assert [n["args"][0]["config"]["keras_history"] for n in shared_nodes] == [["in_a", 0, 0], ["in_b", 0, 0]]
    concat_args = entries["concat"]["inbound_nodes"][0]["args"][0]
    assert [a["config"]["keras_history"] for a in concat_args] == [["shared_dense", 0, 0], ["shared_dense", 1, 0]]
    clone = Model.from_config(config)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.set_weights(model.get_weights())
    xa, xb = RNG.normal(size=(3, 6)), RNG.normal(size=(3, 6))
    np.testing.assert_allclose(clone.predict([xa, xb]), model.predict([xa, xb]), rtol=1e-6)
    assert clone.get_config() == config
    assert model_from_json(model.to_json()).count_params() == model.count_params()


def test_keras2_style_inbound_nodes_are_read():
    config = shared_model().get_config()
    for entry in config["layers"]:
        entry["inbound_nodes"] = [
            [[a["config"]["keras_history"][0], a["config"]["keras_history"][1], 0, {}]
             for a in (n["args"][0] if isinstance(n["args"][0], list) else [n["args"][0]])]
            for n in entry["inbound_nodes"]]
    assert Functional.from_config(config).count_params() == shared_model().count_params()
