"""SpikeOpAnalyzer on spiking and ANN YOLOv3, and the two energy models."""
import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS
from mmengine.analysis import FlopAnalyzer
from spikingjelly.activation_based.op_counter import (DispatchCounterMode,
                                                      MACCounter,
                                                      SynOpCounter)

from mmsnn.analysis import (PAPER_TABLE1, PAPER_TEXT_EFFICIENCY,
                            TABLE1_EFFICIENCY, DenseMACCounter,
                            SpikeOpAnalyzer, chip_efficiency, chip_energy)
from ..conftest import load_config, tiny_snn_yolov3_cfg


def firing_tiny_snn(time_steps=3, **backbone):
    """Tiny SNN-YOLOv3 with weights large enough that every stage fires."""
    cfg = tiny_snn_yolov3_cfg(time_steps=time_steps)
    cfg.backbone.update(backbone)
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0., 1.)
    return model


def images(batch=1, size=64):
    return torch.rand(batch, 3, size, size, generator=torch.Generator()
                      .manual_seed(0))


def test_counts_agree_with_spikingjelly_on_the_same_forward():
    model = firing_tiny_snn()
    analyzer = SpikeOpAnalyzer(model)
    sj_sops, sj_macs = SynOpCounter(), MACCounter()
    # The analyzer's counting mode nests inside spikingjelly's: both see the
    # same aten calls of one forward.
    with DispatchCounterMode([sj_sops, sj_macs]):
        analyzer.forward(images())
    sj = {k: sum(v.values()) for k, v in sj_sops.get_counts().items()}
    sj_mac = {k: sum(v.values()) for k, v in sj_macs.get_counts().items()}
    layers = analyzer.layers()
    kinds = {layer.input for layer in layers}
    assert kinds == {'real-valued', 'spikes', 'spike counts'}
    for layer in layers:
        scope = f'SNNYOLOV3.{layer.name}'
        stats = analyzer.inputs.stats[layer.name]
        conv = analyzer.inputs.modules[layer.name]
        if layer.input == 'spikes':
            assert layer.sops == sj.get(scope, 0), layer.name
            assert layer.real_macs == 0
        elif layer.input == 'spike counts':
            # spikingjelly counts these as MACs, not ACs ...
            assert sj.get(scope, 0) == 0 and sj_mac[scope] > 0
            assert layer.real_macs == 0
            if conv.kernel_size == (1, 1):  # ... we count k ACs per count k
                assert layer.sops == pytest.approx(
                    stats.total * conv.out_channels), layer.name
        else:
            assert layer.name == 'backbone.conv1.conv'
            assert layer.real_macs == sj_mac[scope] - sj_mac.get(
                'SNNYOLOV3.backbone.conv1.norm', 0)
            assert layer.real_macs == layer.macs_per_step
    assert any(layer.sops > 0 for layer in layers
               if layer.input == 'spike counts')


@pytest.mark.parametrize('encode_once', [True, False])
def test_encoder_runs_once_or_T_times(encode_once):
    T = 3
    model = firing_tiny_snn(T, encode_once=encode_once)
    analyzer = SpikeOpAnalyzer(model)
    analyzer.forward(images(batch=2))
    layers = {layer.name: layer for layer in analyzer.layers()}
    encoder = layers.pop('backbone.conv1.conv')
    hand = 2 * 3 * 9 * 64 * 64  # C_out 2 (widen 1/16), C_in 3, 3x3, 64x64
    assert encoder.input == 'real-valued' and encoder.input_rate is None
    assert encoder.macs_per_step == hand
    assert encoder.steps == (1 if encode_once else T)
    assert encoder.real_macs == hand * encoder.steps
    assert all(layer.steps == T and layer.input != 'real-valued'
               for layer in layers.values())


def test_time_folded_sequences_count_per_sample():
    """Event input arrives folded, ``[T*B, C, H, W]``: a sample is T rows,
    so per-image counts of two equal samples are those of one."""
    from mmsnn.models.time import mark_time_folded
    T = 3
    model = firing_tiny_snn(T, encoding='sequence', in_channels=2)
    frames = torch.randint(0, 3, (T, 1, 2, 64, 64),
                           generator=torch.Generator().manual_seed(0)).float()

    def counted(batch, data_samples=None):
        analyzer = SpikeOpAnalyzer(model)
        seq = frames.expand(T, batch, 2, 64, 64).reshape(T * batch, 2, 64, 64)
        analyzer.forward(mark_time_folded(seq.contiguous(), T), data_samples)
        return analyzer.num_images, analyzer.report()['totals']

    one, two = counted(1), counted(2)
    assert (one[0], two[0]) == (1, 2)
    assert two[1]['macs_per_step'] == pytest.approx(one[1]['macs_per_step'])
    assert two[1]['sops'] == pytest.approx(one[1]['sops'])
    assert counted(2, data_samples=[None, None])[0] == 2


def test_report_energy_arithmetic():
    analyzer = SpikeOpAnalyzer(firing_tiny_snn())
    analyzer.forward(images())
    report = analyzer.report(e_mac=2e-12, e_ac=1e-12, efficiency=100e9)
    t = report['totals']
    layers = report['layers']
    assert t['macs_per_step'] == sum(x['macs_per_step'] for x in layers)
    assert t['ann_energy_j'] == pytest.approx(t['macs_per_step'] * 2e-12)
    assert t['snn_energy_j'] == pytest.approx(t['real_macs'] * 2e-12 +
                                              t['sops'] * 1e-12)
    assert t['energy_ratio'] == pytest.approx(t['ann_energy_j'] /
                                              t['snn_energy_j'])
    assert report['chip']['energy_j'] == pytest.approx(
        t['sops'] * 1e-3 / 100e9)
    rates = report['firing_rates']
    assert rates['layers'] and all(0 <= r <= 1
                                   for r in rates['layers'].values())
    assert set(rates['stages']) >= {'backbone.conv1', 'neck', 'bbox_head'}
    assert sum(s['sops'] for s in report['stages'].values()) == \
        pytest.approx(t['sops'])


def test_ann_yolov3_416_macs_agree_with_mmengine_flop_analyzer():
    """One 416x416 image through the full ANN YOLOv3 (VOC head), no grad:
    about 10 s on 2 CPU cores (mmengine traces the model with torch.jit)."""
    cfg = load_config('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')
    model = MODELS.build(cfg.model).eval()
    x = torch.rand(1, 3, 416, 416)
    dense = DenseMACCounter()
    with torch.no_grad(), DispatchCounterMode([dense]):
        model(x, None, mode='tensor')

    class Tensors(nn.Module):

        def __init__(self, detector):
            super().__init__()
            self.detector = detector

        def forward(self, inputs):
            return self.detector(inputs, None, mode='tensor')

    flops = FlopAnalyzer(Tensors(model), (x, ))
    flops.unsupported_ops_warnings(False)
    flops.uncalled_modules_warnings(False)
    reference = flops.by_operator()['conv']  # mmengine: 1 MAC = 1 flop
    assert dense.get_total() == pytest.approx(reference, rel=0.01)
    # darknet reports 65.86 BFLOPs (2 x MACs) for the 80-class YOLOv3-416;
    # the 20-class head has 180 fewer output channels per prediction conv.
    coco_head_extra = 180 * (1024 * 13**2 + 512 * 26**2 + 256 * 52**2)
    assert 2 * (dense.get_total() + coco_head_extra) == pytest.approx(
        65.86e9, rel=0.01)


def test_chip_model_reproduces_paper_table1():
    for name, row in PAPER_TABLE1.items():
        energy = chip_energy(row['flops'], row['time_steps'], 1e-3,
                             TABLE1_EFFICIENCY)
        # Table 1 prints three significant digits.
        assert energy == pytest.approx(row['energy'], rel=1e-3), name
        assert chip_efficiency(row['flops'], row['time_steps'],
                               row['energy']) == pytest.approx(
                                   TABLE1_EFFICIENCY, rel=2e-3)
        # The 300 GFLOPs/W of the paper's text does not give the table.
        text = chip_energy(row['flops'], row['time_steps'], 1e-3,
                           PAPER_TEXT_EFFICIENCY)
        assert text == pytest.approx(row['energy'] * 4 / 3, rel=2e-3)
    with pytest.raises(ValueError, match='efficiency and step_time'):
        chip_energy(1., 1, efficiency=0)


def test_layers_before_forward_raises():
    with pytest.raises(RuntimeError, match='call forward'):
        SpikeOpAnalyzer(nn.Conv2d(1, 1, 1)).layers()


def test_ems_yolo_membranes_count_as_macs():
    """EMS-YOLO's blocks hand membrane potentials (real values) on: the
    convs they feed without a neuron first (the stem, BasicBlock_ms's
    shortcut, the head) are MACs at every step; every conv behind a neuron
    is spikes, counted exactly (spikingjelly's SynOpCounter)."""
    from mmsnn.models.layers import MSBasicBlock
    from ..conftest import ems_yolo_cfg
    from ..test_models.test_detectors.test_ems_yolo import randomise
    T = 3
    torch.manual_seed(0)
    model = MODELS.build(ems_yolo_cfg('res18-ee', 4, time_steps=T)).eval()
    randomise(model, 0)
    analyzer = SpikeOpAnalyzer(model)
    sj_sops = SynOpCounter()
    with DispatchCounterMode([sj_sops]):
        analyzer.forward(images(batch=2))
    sj = {k: sum(v.values()) for k, v in sj_sops.get_counts().items()}
    real_fed = {'backbone.stem.conv', 'bbox_head.convs_pred.0',
                'bbox_head.convs_pred.1'} | {
                    f'{name}.shortcut.conv'
                    for name, m in model.named_modules()
                    if isinstance(m, MSBasicBlock) and m.shortcut is not None
                    and not m.spiking_shortcut}
    assert len(real_fed) == 6  # and the neck's three BasicBlock_ms
    layers = analyzer.layers()
    assert {layer.name for layer in layers
            if layer.input == 'real-valued'} == real_fed
    for layer in layers:
        if layer.input == 'real-valued':
            steps = 1 if layer.name == 'backbone.stem.conv' else T
            assert layer.steps == steps and layer.sops == 0
            assert layer.real_macs == layer.macs_per_step * steps
        else:
            assert layer.input == 'spikes' and layer.real_macs == 0
            # per image: the batch holds 2
            assert 2 * layer.sops == sj.get(f'EMSYOLO.{layer.name}', 0)
    report = analyzer.energy_report()
    assert 0 < report.totals.sops and 0 < report.totals.real_macs < \
        report.totals.macs_per_step
    assert 0.02 < report.firing_rates.mean < 0.9
