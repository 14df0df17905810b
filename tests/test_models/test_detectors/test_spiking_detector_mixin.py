"""SpikingDetectorMixin: spiking RetinaNet and FCOS with CMD heads train a
step and predict at T=2; every forward path resets the neurons; the
per-step reference path equals the folded path; the training modes
(``bptt``) keep BPTT's forward and give the per-step path's gradients with
the potential detached; a batch with nothing in it trains the head only,
without NaN."""
import copy
from functools import partial

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.registry import init_default_scope

from mmsnn.models.detectors import (SpikingDetectorMixin, SpikingFCOS,
                                    SpikingRetinaNet)
from mmsnn.models.neurons import spiking_modules
from tests.conftest import fake_batch, tiny_snn_yolov3_cfg
from tests.test_configs.test_mixing_configs import build_tiny

CONFIGS = {
    SpikingRetinaNet:
    'configs/mixing/retinanet_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py',
    SpikingFCOS: 'configs/mixing/fcos_snn-r50_snn-fpn_cmd_1x_voc0712_t4.py',
}


@pytest.mark.parametrize('cls', list(CONFIGS))
def test_trains_a_step_and_predicts_at_t2(cls, monkeypatch):
    _, model = build_tiny(CONFIGS[cls], monkeypatch)
    assert type(model) is cls and model.time_steps == 2
    assert {n.time_steps for _, n in spiking_modules(model)} == {2}
    data = fake_batch(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss, _ = model.parse_losses(
        model.loss(data['inputs'], data['data_samples']))
    assert torch.isfinite(loss)
    loss.backward()
    first_conv = next(model.backbone.parameters())
    assert first_conv.grad.abs().sum() > 0  # through every neuron
    optimizer.step()
    model.eval()
    with torch.no_grad():
        results = model.predict(data['inputs'], data['data_samples'])
    assert len(results) == 2 and len(results[0].pred_instances) > 0


@pytest.mark.parametrize('cls', list(CONFIGS))
def test_every_forward_path_resets_the_neurons(cls, monkeypatch):
    _, model = build_tiny(CONFIGS[cls], monkeypatch)
    model.eval()
    data = fake_batch(model)
    _, neuron = next(spiking_modules(model.bbox_head))
    seen = []
    neuron.register_forward_pre_hook(
        lambda m, args: seen.append(float(torch.as_tensor(m.v).sum())))
    for path in ('loss', 'predict', '_forward'):
        neuron.v = torch.full((1, ), 123.)  # stale state from elsewhere
        args = (data['inputs'], data['data_samples'])
        with torch.no_grad():
            getattr(model, path)(*(args[:1] if path == '_forward' else args))
        assert seen and set(seen) == {0.0}, path
        seen.clear()


def tiny_spiking_single_stage(decode_mode):
    """Spiking Darknet, spiking FPN, CMD RetinaNet head, in the generic
    detector; one FPN level, so that each neuron serves one place (the
    condition of single-step mode)."""
    return dict(
        type='SpikingSingleStageDetector',
        time_steps=3,
        data_preprocessor=dict(type='DetDataPreprocessor', mean=[0] * 3,
                               std=[255.] * 3, bgr_to_rgb=True),
        backbone=dict(type='SpikingDarknet', widen_factor=1 / 16,
                      stage_blocks=(1, ) * 5, out_indices=(5, )),
        neck=dict(type='Spikify', encode=False, module=dict(
            type='FPN', in_channels=[64], out_channels=8, num_outs=1,
            act_cfg=dict(type='IFNeuron'))),
        bbox_head=dict(
            type='CMDRetinaHead', num_classes=3, in_channels=8,
            feat_channels=8, stacked_convs=1, decode_mode=decode_mode,
            anchor_generator=dict(type='AnchorGenerator',
                                  octave_base_scale=4, scales_per_octave=1,
                                  ratios=[1.0], strides=[32])),
        train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5,
                                     neg_iou_thr=0.4)),
        test_cfg=dict(score_thr=0., nms=dict(type='nms', iou_threshold=0.5),
                      max_per_img=10))


@pytest.mark.parametrize('decode_mode', ['mean', 'sum', 'rate'])
def test_per_step_reference_equals_folded_path(decode_mode):
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(tiny_spiking_single_stage(decode_mode)).eval()
    assert isinstance(model, SpikingDetectorMixin)
    assert model.output_decode_mode == decode_mode
    inputs = fake_batch(model)['inputs']
    with torch.no_grad():
        folded = model._forward(inputs)
        per_step = model.forward_per_step(inputs)
    assert len(folded) == len(per_step) == 2  # cls scores, box deltas
    for a_levels, b_levels in zip(folded, per_step):
        for a, b in zip(a_levels, b_levels):
            assert a.shape[0] == 2
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    assert model.time_steps == 3
    assert all(n.step_mode == 'm' for _, n in spiking_modules(model))


def test_per_step_reference_refuses_neurons_at_several_places():
    # two FPN levels: the head's tower neurons serve both
    init_default_scope('mmdet')
    cfg = tiny_spiking_single_stage('mean')
    cfg['backbone']['out_indices'] = (4, 5)
    cfg['neck']['module'].update(in_channels=[32, 64], num_outs=2)
    cfg['bbox_head']['anchor_generator']['strides'] = [16, 32]
    model = MODELS.build(cfg).eval()
    with pytest.raises(RuntimeError, match='bbox_head.*more than once a st'):
        model.forward_per_step(fake_batch(model)['inputs'])
    assert all(n.step_mode == 'm' for _, n in spiking_modules(model))
    assert model.time_steps == 3


# -- training modes (model.bptt) -------------------------------------------
MODES = [dict(mode='sltt'), dict(mode='sltt', k=1), dict(mode='sltt', k=2)]
MODE_IDS = ['sltt', 'sltt-k1', 'sltt-k2']


def test_bad_bptt_settings_are_errors_at_build():
    from mmsnn.utils.input_error import ConfigValueError
    cfg = tiny_snn_yolov3_cfg(time_steps=2)
    with pytest.raises(ConfigValueError, match=r'k must be in 1\.\.T=1\.\.2'):
        MODELS.build(dict(cfg, bptt=dict(mode='sltt', k=3)))
    with pytest.raises(ConfigValueError, match=r"mode must be one of"):
        MODELS.build(dict(cfg, bptt=dict(mode='online')))


def test_cfg_options_set_the_mode_of_every_part():
    from mmsnn.models.layers.step_selection import DrawnStepsForward
    from mmsnn.engine.tool_config import load_tool_config
    cfg = load_tool_config('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py', {
        'model.bptt.mode': 'sltt', 'model.bptt.k': 2})
    model = MODELS.build(cfg.model)
    assert model.bptt.to_dict() == dict(mode='sltt', k=2)
    assert all(n.bptt is model.bptt for _, n in spiking_modules(model))
    # every conv and BN of the spiking parts, the encoding conv included
    # (it sees B rows, and runs as it is)
    convs = [m for m in model.modules()
             if isinstance(m, (torch.nn.Conv2d, torch.nn.BatchNorm2d))]
    assert convs and all(
        isinstance(m.__dict__.get('forward'), DrawnStepsForward)
        for m in convs)
    model.bptt = None  # back to BPTT: nothing left of the mode
    assert not any('forward' in m.__dict__ for m in model.modules())
    assert model.bptt.to_dict() == dict(mode='full', k=None)


def train_step(model, data, seed=1):
    """Loss and gradients of one training step (the draw from ``seed``)."""
    torch.manual_seed(seed)
    model.train()
    model.zero_grad()
    loss, _ = model.parse_losses(
        model.loss(data['inputs'], data['data_samples']))
    loss.backward()
    return loss, {n: p.grad.clone() for n, p in model.named_parameters()
                  if p.grad is not None}


def check_mode_against_bptt(model, data, bptt):
    """The mode's loss and BN statistics are BPTT's, bit for bit; its
    gradients reach the encoding layer and are not BPTT's."""
    full = copy.deepcopy(model)
    model.bptt = bptt
    loss, grads = train_step(model, data)
    full_loss, full_grads = train_step(full, data)
    assert torch.equal(loss, full_loss)
    buffers = dict(full.named_buffers())
    for name, buf in model.named_buffers():
        assert torch.equal(buf, buffers[name]), name
    assert grads.keys() == full_grads.keys()
    assert all(torch.isfinite(g).all() for g in grads.values())
    first = next(model.backbone.parameters())
    assert first.grad.abs().sum() > 0
    assert any(not torch.allclose(grads[k], full_grads[k]) for k in grads)
    return grads


@pytest.mark.parametrize('bptt', MODES, ids=MODE_IDS)
def test_snn_yolov3_trains_in_each_mode(bptt):
    torch.manual_seed(0)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=3))
    check_mode_against_bptt(model, fake_batch(model, size=32), bptt)


@pytest.mark.parametrize('bptt', MODES, ids=MODE_IDS)
def test_spiking_retinanet_trains_in_each_mode(bptt):
    from tests.conftest import load_config
    cfg = load_config(
        'configs/mini_voc/retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py')
    cfg.model.backbone.base_channels = 8
    cfg.model.neck.module.update(in_channels=[16, 32, 64], out_channels=16)
    cfg.model.bbox_head.update(in_channels=16, feat_channels=16)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    assert isinstance(model, SpikingRetinaNet)
    check_mode_against_bptt(model, fake_batch(model, size=64), bptt)


@pytest.mark.parametrize('k', [None, 2])
def test_gradients_equal_the_per_step_path_restricted_to_drawn_steps(k):
    """The folded path (fused neurons, selecting convs and BNs) against the
    per-step reference path (single-step neurons, their potential detached
    before each step), in eval mode (BN on running statistics, so that each
    step's pass equals the folded one); steps not drawn as constants."""
    from mmsnn.models.detectors.spiking_detector_mixin import reduce_steps
    from mmsnn.models.neurons import reset_neurons, set_step_mode
    init_default_scope('mmdet')
    torch.manual_seed(0)
    model = MODELS.build(tiny_spiking_single_stage('mean'))
    model.bptt = dict(mode='sltt', k=k)
    model.eval()
    inputs = fake_batch(model)['inputs']
    with model.bptt.drawing(3, len(inputs)) as draw:
        folded = model._forward(inputs)
    steps = range(3) if draw is None else draw.steps
    assert (draw is None) == (k is None)
    reset_neurons(model)
    set_step_mode(model, 's')
    model.time_steps = 1
    per_step = []
    for t in range(3):
        with torch.set_grad_enabled(t in steps):
            per_step.append(super(SpikingDetectorMixin, model)._forward(
                inputs))
    per_step = reduce_steps(per_step, 'mean')
    params = [p for p in model.parameters() if p.requires_grad]
    weights = [torch.randn_like(f[0]) for f in folded]

    def grads(outs):
        loss = sum((o[0] * w).sum() for o, w in zip(outs, weights))
        return torch.autograd.grad(loss, params, allow_unused=True)

    got, want = grads(folded), grads(per_step)
    for a, b in zip(got, want):
        assert (a is None) == (b is None)
        if a is not None:
            torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)
    assert sum(a.abs().sum() for a in got if a is not None) > 0


def empty_batch(cfg_file, shape, time_steps=2):
    """A model of ``cfg_file`` and a batch of two samples whose input is
    zero everywhere (blank images, windows without events), ``shape`` per
    sample."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from tests.conftest import load_config
    cfg = load_config(cfg_file)
    cfg.model.time_steps = time_steps
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    samples = []
    for i in range(2):
        sample = DetDataSample(metainfo=dict(
            img_id=f'blank{i}', img_shape=shape[-2:], ori_shape=shape[-2:],
            pad_shape=shape[-2:], batch_input_shape=shape[-2:],
            scale_factor=(1., 1.)))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[10., 10., 40., 50.]]),
            labels=torch.tensor([1]))
        samples.append(sample)
    data = model.data_preprocessor(
        dict(inputs=[torch.zeros(shape) for _ in samples],
             data_samples=samples), True)
    return model, data


BLANK_BATCHES = [('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py', (3, 64, 64)),
                 ('configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py', (2, 2, 64, 64))]


@pytest.mark.parametrize('cfg_file,shape', BLANK_BATCHES)
def test_a_batch_with_nothing_in_it_trains_the_head_without_nan(
        cfg_file, shape, monkeypatch):
    from mmsnn.models.detectors import spiking_detector_mixin
    logged = []
    monkeypatch.setattr(spiking_detector_mixin, 'print_log',
                        lambda msg, **kwargs: logged.append(msg))
    model, data = empty_batch(cfg_file, shape)
    assert not data['inputs'].any()
    loss, _ = model.parse_losses(
        model.loss(data['inputs'], data['data_samples']))
    loss.backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert all(torch.isfinite(g).all() for g in grads.values()
               if g is not None)
    assert all(g is None for n, g in grads.items()
               if n.startswith(('backbone.', 'neck.')))
    assert grads['bbox_head.convs_pred.0.bias'].abs().sum() > 0
    assert "['blank0', 'blank1']" in logged[0]
    assert 'only the head learns from it' in logged[0]


def test_the_nan_is_an_overflow_of_batchnorm_at_zero_variance():
    # One BatchNorm on a zero-variance channel: weight / sqrt(eps) times
    # the gradient less its mean (the normalised input is 0).
    bn = torch.nn.BatchNorm2d(1).train()
    x = torch.zeros(2, 1, 3, 3, requires_grad=True)
    g = torch.randn(2, 1, 3, 3, generator=torch.Generator().manual_seed(0))
    bn(x).backward(g)
    assert torch.allclose(x.grad, (g - g.mean()) / bn.eps**0.5)
    # Stacked through the 40 of the mini-VOC SNN-YOLOv3 (without the
    # mixin's handling): finite in float64, beyond float32's range.
    from mmdet.models.detectors import YOLOV3
    model, data = empty_batch(BLANK_BATCHES[0][0], BLANK_BATCHES[0][1])
    model.double()
    losses = YOLOV3.loss(model, data['inputs'].double(),
                         data['data_samples'])
    model.parse_losses(losses)[0].backward()
    largest = max(p.grad.abs().max() for p in model.parameters()
                  if p.grad is not None)
    assert torch.isfinite(largest) and largest > torch.finfo(
        torch.float32).max


def test_a_batch_with_anything_in_it_trains_everything():
    """As mmdet's YOLOv3 computes it, bit for bit."""
    from mmdet.models.detectors import YOLOV3
    model, data = empty_batch(*BLANK_BATCHES[0])
    data['inputs'][1, :, 30, 30] = 1.  # one pixel of one image
    results = []
    for loss_of in (model.loss, partial(YOLOV3.loss, model)):
        model.zero_grad()
        loss, _ = model.parse_losses(
            loss_of(data['inputs'], data['data_samples']))
        loss.backward()
        results.append((loss.detach(), [p.grad.clone() if p.grad is not None
                                         else None
                                         for p in model.parameters()]))
    (loss, grads), (stock_loss, stock_grads) = results
    assert all(g is not None and torch.isfinite(g).all()
               for g in grads[:len(list(model.backbone.parameters()))])
    assert torch.equal(loss, stock_loss)
    assert all(torch.equal(a, b) for a, b in zip(grads, stock_grads))


def tiny_ems_yolo(arch):
    from tests.conftest import ems_yolo_cfg
    torch.manual_seed(0)
    return MODELS.build(ems_yolo_cfg(arch, num_classes=3, time_steps=3))


@pytest.mark.parametrize('bptt', MODES, ids=MODE_IDS)
@pytest.mark.parametrize('arch', ['res10-ee', 'resnet18'])
def test_ems_yolo_trains_in_each_mode(arch, bptt):
    """resnet18's neck has MembraneSiLU: its membrane is in the mode too."""
    from mmsnn.models.layers import MembraneSiLU
    model = tiny_ems_yolo(arch)
    silus = [m for m in model.modules() if isinstance(m, MembraneSiLU)]
    assert bool(silus) == (arch == 'resnet18')
    check_mode_against_bptt(model, fake_batch(model, size=64), bptt)
    assert all(m.bptt is model.bptt for m in silus)


@pytest.mark.parametrize('bptt', MODES, ids=MODE_IDS)
def test_spikeyolo_trains_in_each_mode(bptt):
    from tests.test_models.test_detectors.spikeyolo_reference import \
        mmsnn_cfg
    torch.manual_seed(0)
    model = MODELS.build(mmsnn_cfg(time_steps=2))
    check_mode_against_bptt(model, fake_batch(model, size=64), bptt)


def test_ems_yolo_per_step_path_with_membrane_silu_equals_folded():
    """The neck's MembraneSiLU keeps its membrane from step to step (its
    state matters here: the same path from rest at every step differs)."""
    from mmsnn.models.layers import MembraneSiLU
    from tests.test_models.test_detectors.test_ems_yolo import randomise
    model = tiny_ems_yolo('resnet18')
    randomise(model, 0)
    model.eval()
    inputs = fake_batch(model)['inputs']
    with torch.no_grad():
        folded = model._forward(inputs)
        torch.testing.assert_close(model.forward_per_step(inputs), folded,
                                   rtol=1e-4, atol=1e-5)
        for silu in model.modules():
            if isinstance(silu, MembraneSiLU):
                silu.decay = 0.  # no membrane: each step from rest
        memoryless = model._forward(inputs)
    with pytest.raises(AssertionError):
        torch.testing.assert_close(memoryless, folded, rtol=1e-4, atol=1e-5)
