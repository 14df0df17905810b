"""Energy of SpikeYOLO with D and T explicit: SOPs per binary step, firing
rates per integer and per binary step, reparameterised layers as the
authors count them."""
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.analysis import EnergyReport, SpikeOpAnalyzer, deployed_form
from mmsnn.utils import InputError
from ..conftest import tiny_snn_yolov3_cfg
from ..test_models.test_detectors.spikeyolo_reference import (
    mmsnn_cfg, randomize_norms)


def tiny_spikeyolo(time_steps=2):
    torch.manual_seed(0)
    return randomize_norms(MODELS.build(mmsnn_cfg(time_steps=time_steps)))\
        .eval()


def images():
    return torch.rand(1, 3, 64, 64,
                      generator=torch.Generator().manual_seed(0)) * 2 - .5


def count(model):
    analyzer = SpikeOpAnalyzer(model)
    analyzer.forward(images())
    return analyzer, analyzer.energy_report()


@pytest.mark.parametrize('time_steps', [1, 2])
def test_spike_driven_sops_are_the_integer_counts_sops(time_steps):
    model = tiny_spikeyolo(time_steps)
    assert deployed_form(model, reparameterize_blocks=True) == \
        'reparameterised'
    _, integer = count(model)
    assert deployed_form(model, spike_driven=True) == \
        'reparameterised, spike-driven'
    _, binary = count(model)
    spiking = [layer for layer in integer.layers
               if layer.input != 'real-valued']
    assert any(layer.input == 'spike counts' for layer in spiking)
    by_name = {layer.name: layer for layer in binary.layers}
    for layer in spiking:  # a count k = k accumulates = k binary spikes
        other = by_name[layer.name]
        assert other.input == 'spikes'
        assert other.steps == layer.steps * 4 == time_steps * 4
        assert other.sops == pytest.approx(layer.sops)
        assert other.macs_per_step == pytest.approx(layer.macs_per_step)
    # after folding, only the stem (the image) is real-valued
    real = [layer.name for layer in integer.layers
            if layer.input == 'real-valued']
    assert real == ['backbone.stem.encode_conv']
    assert binary.chip.time_steps == time_steps * 4
    assert binary.chip.energy_j == pytest.approx(integer.chip.energy_j)


def test_rates_per_integer_and_per_binary_step():
    analyzer, report = count(tiny_spikeyolo(2))
    rates = report.step_rates
    assert (rates.max_spike_count, rates.integer_steps,
            rates.binary_steps) == (4, 2, 8)
    stats = analyzer.neurons.stats
    for name, rate in rates.per_integer_step.items():
        assert rate == pytest.approx(stats[name].total / stats[name].numel)
        assert rates.per_binary_step[name] == pytest.approx(rate / 4)
    assert max(s.max_value for s in stats.values()) > 1  # counts
    assert rates.mean_per_binary_step == pytest.approx(
        rates.mean_per_integer_step / 4)
    again = EnergyReport.from_dict(report.to_dict())
    assert again.step_rates == rates


def test_binary_neurons_have_equal_rates_and_steps():
    torch.manual_seed(0)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=3)).eval()
    analyzer = SpikeOpAnalyzer(model)
    analyzer.forward(images())
    report = analyzer.energy_report()
    rates = report.step_rates
    assert (rates.max_spike_count, rates.binary_steps) == (1, 3)
    assert rates.per_binary_step == rates.per_integer_step
    assert report.chip.time_steps == 3
    with pytest.raises(InputError, match='ILIFNeuron'):
        deployed_form(model, spike_driven=True)


def test_unfolded_blocks_count_their_inner_convs_as_macs():
    _, report = count(tiny_spikeyolo(1))
    inner = [layer for layer in report.layers
             if '.body.2.' in layer.name or '.body.1.1' in layer.name]
    assert inner and all(layer.input == 'real-valued' and layer.real_macs
                         for layer in inner)
