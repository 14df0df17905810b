"""EMS-YOLO as EMS-YOLO's code builds it: parameter counts of every variant,
and the same outputs from the same weights (their forward re-stated in
tests/ems_yolo_reference.py, their checkpoint keys mapped by the
converter)."""
import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.conversion import convert_ems_yolo_state_dict
from mmsnn.models.neurons import STBPLIFNeuron, spiking_modules
from ...conftest import ems_yolo_cfg, fake_batch
from ...ems_yolo_reference import YAMLS, EMSYOLOReference

#: Parameters of BICLab/EMS-YOLO's models (``models.yolo.parse_model`` on
#: each yaml, run on their code) for 80 classes (COCO) and 2 (Gen1).
THEIR_PARAMETERS = {
    'res10-ee': {80: 6387230, 2: 6207050},
    'res18-ee': {80: 9523550, 2: 9343370},
    'resnet10': {80: 17561662, 2: 17381482},
    'resnet18': {80: 15427774, 2: 15247594},
    'resnet34': {80: 34027454, 2: 33847274},
    'resnet34-cat': {80: 25449022, 2: 25268842},
}
ARCHS = sorted(THEIR_PARAMETERS)


@pytest.mark.parametrize('arch', ARCHS)
@pytest.mark.parametrize('num_classes', [80, 2])
def test_parameter_counts_equal_theirs(arch, num_classes):
    with torch.device('meta'):
        model = MODELS.build(
            ems_yolo_cfg(arch, num_classes, widen_factor=1.0))
    assert sum(p.numel() for p in model.parameters()) == \
        THEIR_PARAMETERS[arch][num_classes]


def test_reference_counts_equal_theirs():
    # the re-stated model is theirs too (so its outputs can stand for theirs)
    with torch.device('meta'):
        for arch in ('res18-ee', 'resnet34-cat'):
            ref = EMSYOLOReference(arch, 80, time_steps=5)
            assert sum(p.numel() for p in ref.parameters()) == \
                THEIR_PARAMETERS[arch][80]


def randomise(model, seed):
    """Weights and BN statistics that make neurons fire at useful rates."""
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm3d)):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.3
            m.bias.data = torch.randn(m.bias.shape, generator=g) * 0.3
            m.running_mean.data = torch.randn(m.num_features, generator=g) * .2
            m.running_var.data = torch.rand(m.num_features, generator=g) + .5
        elif isinstance(m, nn.Conv2d) and m.bias is not None:
            nn.init.normal_(m.weight, 0., 0.05, generator=g)


def ours_from_theirs(ref, arch, num_classes, time_steps, **backbone):
    cfg = ems_yolo_cfg(arch, num_classes, time_steps)
    cfg.backbone.update(backbone)
    model = MODELS.build(cfg)
    model.load_state_dict(
        convert_ems_yolo_state_dict(ref.state_dict(), model), strict=True)
    return model


def as_their_layout(pred_maps, num_classes):
    """``[B, A*(5+K), h, w]`` -> ``[B, A, h, w, 5+K]`` (their Detect's)."""
    return [
        p.view(p.shape[0], 3, 5 + num_classes, *p.shape[2:]).permute(
            0, 1, 3, 4, 2) for p in pred_maps
    ]


@pytest.mark.parametrize('arch', ARCHS)
def test_same_weights_same_outputs(arch):
    torch.manual_seed(0)
    ref = EMSYOLOReference(arch, 4, time_steps=3, width_multiple=0.25)
    randomise(ref, 1)
    ours = ours_from_theirs(ref, arch, 4, 3)
    x = torch.rand(2, 3, 64, 64)
    rates = {}

    def record(neuron, inputs, spikes):
        rates.setdefault(id(neuron), spikes.mean().item())

    for _, neuron in spiking_modules(ours):
        neuron.register_forward_hook(record)
    # training: BN on batch statistics. The stem's, taken over T copies of
    # each image (theirs) or over the images once (encode_once), round
    # differently; over T copies ours is theirs to the bit.
    for training, encode_once in ((False, True), (True, False),
                                  (True, True)):
        ref.train(training)
        ours.train(training)
        ours.backbone.encode_once = encode_once
        with torch.no_grad():
            expected = ref(x)
            got = as_their_layout(ours._forward(x)[0], 4)
        # SiLU membranes (resnet18, resnet34-cat) differ in the last bit
        exact = encode_once == (not training) and not any(
            layer == 'Conv' for _, _, layer, _ in YAMLS[arch])
        for e, g in zip(expected, got):
            if exact:
                assert torch.equal(g, e)
            else:
                torch.testing.assert_close(g, e, rtol=0, atol=1e-5)
    # the comparison means something: neurons fire, outputs vary
    assert 0.02 < sum(rates.values()) / len(rates) < 0.9
    assert all(e.std() > 0.05 for e in expected)


def test_same_outputs_on_event_frames():
    # g1-resnet's Model: [B, T, C, H, W] frames, one per step
    torch.manual_seed(0)
    ref = EMSYOLOReference('res18-ee', 2, time_steps=4, width_multiple=0.25,
                           events=True)
    randomise(ref, 2)
    ours = ours_from_theirs(ref, 'res18-ee', 2, 4, encoding='sequence')
    frames = torch.rand(2, 4, 3, 64, 64)
    folded = frames.transpose(0, 1).flatten(0, 1)
    folded._mmsnn_time_steps = 4
    ref.eval()
    ours.eval()
    with torch.no_grad():
        expected = ref(frames)
        got = as_their_layout(ours._forward(folded)[0], 2)
    for e, g in zip(expected, got):
        assert torch.equal(g, e)


def test_gradients_equal_theirs():
    torch.manual_seed(0)
    ref = EMSYOLOReference('res10-ee', 4, time_steps=3, width_multiple=0.25)
    randomise(ref, 3)
    ours = ours_from_theirs(ref, 'res10-ee', 4, 3, encode_once=False)
    x = torch.rand(2, 3, 64, 64)
    weights = None
    for model, out in ((ref, ref(x)), (ours, as_their_layout(
            ours._forward(x)[0], 4))):
        weights = weights or [torch.randn_like(o) for o in out]
        sum((o * w).sum() for o, w in zip(out, weights)).backward()
    theirs = dict(ref.named_parameters())
    ours_params = dict(ours.named_parameters())
    pairs = convert_ems_yolo_state_dict(
        {k: p.grad for k, p in theirs.items()} |
        {k: b for k, b in ref.state_dict().items() if k not in theirs},
        ours)
    compared = 0
    for name, param in ours_params.items():
        # sums over the batch and steps in another order: float32 rounding
        expected = pairs[name]
        torch.testing.assert_close(param.grad, expected, rtol=1e-3,
                                   atol=1e-4 * float(expected.abs().max()))
        compared += bool(param.grad.abs().sum() > 0)
    assert compared > len(ours_params) // 2  # gradients reach the stem


def test_trains_and_predicts():
    torch.manual_seed(0)
    model = MODELS.build(ems_yolo_cfg('res10-ee', 3, time_steps=2))
    model.init_weights()
    assert all(isinstance(n, STBPLIFNeuron) for _, n in spiking_modules(model))
    batch = fake_batch(model, batch_size=2, size=64)
    losses = model(**batch, mode='loss')
    assert set(losses) == {'loss_cls', 'loss_bbox', 'loss_obj'}
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert torch.isfinite(loss)
    assert model.backbone.stem.conv.weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        results = model(**batch, mode='predict')
    assert len(results) == 2 and results[0].pred_instances.bboxes.shape[1] == 4


def test_yamls_cover_every_arch():
    from mmsnn.models.backbones import EMSResNet
    assert set(YAMLS) == set(EMSResNet.arch_settings) == set(ARCHS)
