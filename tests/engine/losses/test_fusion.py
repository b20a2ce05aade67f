"""engine.losses.fusion: the from_logits loss for a softmax / sigmoid output."""

from engine import losses


def test_logits_equivalent_for_fusion():
    fused = losses.logits_equivalent("categorical_crossentropy", "softmax")
    assert isinstance(fused, losses.CategoricalCrossentropy) and fused.get_config()["from_logits"]
    assert losses.logits_equivalent("binary_crossentropy", "sigmoid").get_config()["from_logits"]
    assert losses.logits_equivalent("mse", "softmax") is None
    assert losses.logits_equivalent("binary_crossentropy", "softmax") is None
