import pytest

from engine.tuning import Boolean, Choice, Fixed, Float, HyperParameters, Int, SearchSpace


def test_int_grid_and_unit_mapping_round_trip():
    hp = Int(8, 64, step=8)
    assert hp.grid() == [8, 16, 24, 32, 40, 48, 56, 64]
    assert [hp.from_unit(hp.to_unit(v)) for v in hp.grid()] == hp.grid()
    assert hp.from_unit(0.0) == 8 and hp.from_unit(1.0) == 64


def test_float_log_scale_spreads_decades_evenly():
    hp = Float(1e-4, 1e-1, log=True)
    assert hp.from_unit(0.0) == pytest.approx(1e-4)
    assert hp.from_unit(1 / 3) == pytest.approx(1e-3)
    assert hp.to_unit(1e-2) == pytest.approx(2 / 3)


def test_choice_boolean_fixed():
    c = Choice(["adam", "sgd", "rmsprop"])
    assert [c.from_unit(c.to_unit(v)) for v in c.values] == ["adam", "sgd", "rmsprop"]
    assert Boolean().grid() == [False, True]
    assert Fixed(3).from_unit(0.9) == 3


@pytest.mark.parametrize("make", [lambda: Int(5, 1), lambda: Float(0, 1, log=True), lambda: Choice([])])
def test_bad_ranges_say_what_was_received(make):
    with pytest.raises(ValueError, match="Received"):
        make()


def test_define_by_run_hyperparameters_register_and_answer_values():
    space = SearchSpace()
    hp = HyperParameters(space=space)
    assert hp.Int("units", 32, 512, step=32) == 32
    assert hp.Float("lr", 1e-4, 1e-2, sampling="log") == pytest.approx(1e-4)
    assert hp.Choice("opt", ["adam", "sgd"], default="sgd") == "sgd"
    assert space.names() == ["units", "lr", "opt"]
    chosen = HyperParameters({"units": 64, "lr": 1e-3, "opt": "adam"}, space)
    assert chosen.Int("units", 32, 512, step=32) == 64 and chosen["opt"] == "adam"
