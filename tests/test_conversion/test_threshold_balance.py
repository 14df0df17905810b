"""Threshold balancing: each activation's BN is divided by the percentile of
its output, computed here by hand with numpy; the tool's checkpoint loads
into the spiking twin."""
import numpy as np
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.conversion import activation_norms, balance_thresholds
from tests.conftest import ann_twin, fake_batch, tiny_snn_yolov3_cfg
from tests.test_tools.script_loader import load_script
from tests.tiny_voc import tiny_runner_cfg

def tiny_ann():
    cfg = ann_twin(tiny_snn_yolov3_cfg(time_steps=1))
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    # BN statistics of real inputs, so that outputs are not all ~N(0, 1)
    model.train()
    batches = [fake_batch(model, seed=s)['inputs'] for s in range(3)]
    with torch.no_grad():
        for x in batches:
            model._forward(x)
    return model.eval(), batches


def norm_outputs(model, batches):
    """{name: [C, N] numpy} of every activation norm's output, eval mode."""
    norms = activation_norms(model)
    seen = {n: [] for n in norms}
    hooks = [m.register_forward_hook(
        lambda mod, i, o, n=n: seen[n].append(
            o.transpose(0, 1).reshape(o.shape[1], -1).numpy().copy()))
        for n, m in norms.items()]
    with torch.no_grad():
        for x in batches:
            model._forward(x)
    for h in hooks:
        h.remove()
    return {n: np.concatenate(v, axis=1) for n, v in seen.items()}


def test_divisors_are_the_percentiles_and_bn_is_divided_by_them():
    model, batches = tiny_ann()
    before = norm_outputs(model, batches)
    norms = activation_norms(model)
    weights = {n: (m.weight.clone(), m.bias.clone()) for n, m in norms.items()}
    assert len(norms) > 20  # every ConvModule of backbone, neck and head

    divisors = balance_thresholds(model, batches, percentile=95.)
    assert list(divisors) == list(norms)
    for name, lam in divisors.items():
        hand = np.percentile(before[name], 95., axis=1)
        positive = hand > 0
        np.testing.assert_allclose(lam.numpy()[positive], hand[positive],
                                   rtol=1e-5)
        # a channel that hardly ever fires keeps its largest |output| (or 1)
        fallback = np.abs(before[name]).max(axis=1)
        fallback[fallback == 0] = 1
        np.testing.assert_allclose(lam.numpy()[~positive],
                                   fallback[~positive], rtol=1e-5)
        w, b = weights[name]
        torch.testing.assert_close(norms[name].weight, w / lam)
        torch.testing.assert_close(norms[name].bias, b / lam)
    # The first activation sees the image only: its percentile is now 1.
    first = next(iter(norms))
    after = norm_outputs(model, batches)[first]
    hand = np.percentile(before[first], 95., axis=1)
    np.testing.assert_allclose(
        np.percentile(after, 95., axis=1)[hand > 0], 1., rtol=1e-4)
    assert not model.training  # left as it was


def test_a_norm_without_weight_is_refused():
    model, batches = tiny_ann()
    norm = next(iter(activation_norms(model).values()))
    norm.weight = None
    with pytest.raises(ValueError, match='no affine weight'):
        balance_thresholds(model, batches)


def test_tool_writes_a_checkpoint_the_snn_loads(tmp_path):
    from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint
    cfg = tiny_runner_cfg(tmp_path)  # writes tmp_path/tiny.py and its data
    model = MODELS.build(cfg.model)
    src, out = tmp_path / 'ann.pth', tmp_path / 'balanced.pth'
    save_checkpoint(dict(state_dict=model.state_dict(), meta={}), str(src))
    tool = load_script('model_converters', 'balance_thresholds.py')
    tool.main([str(tmp_path / 'tiny.py'), str(src), str(out),
               '--calib-images', '2'])
    twin = MODELS.build(cfg.model)
    checkpoint = load_checkpoint(twin, str(out), strict=True)
    assert checkpoint['meta']['percentile'] == 99.
    changed = [k for k, v in twin.state_dict().items()
               if not torch.equal(v, model.state_dict()[k])]
    assert changed and all(k.endswith(('bn.weight', 'bn.bias'))
                           for k in changed)


def test_tool_names_a_bad_percentile(tmp_path, capsys):
    tool = load_script('model_converters', 'balance_thresholds.py')
    with pytest.raises(SystemExit) as stop:
        tool.main(['cfg.py', 'ann.pth', str(tmp_path / 'out.pth'),
                   '--percentile', '0'])
    assert stop.value.code == 2
    assert '--percentile must be in (0, 100]' in capsys.readouterr().err
    assert not (tmp_path / 'out.pth').exists()


def test_tool_checks_data_output_and_checkpoint_first(tmp_path):
    """Missing data, an unwritable OUT and another model's checkpoint are
    one paragraph before the calibration (a FileNotFoundError, a
    PermissionError after it, and strict loading's traceback before)."""
    import shutil

    import torch
    from mmengine.runner.checkpoint import save_checkpoint

    from tests.test_tools.tool_runner import (assert_one_paragraph_error,
                                              run_tool)
    cfg = tiny_runner_cfg(tmp_path)
    config, src = tmp_path / 'tiny.py', tmp_path / 'ann.pth'
    save_checkpoint(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                         meta={}), str(src))
    tool = 'model_converters/balance_thresholds.py'
    assert_one_paragraph_error(
        run_tool(tool, config, src, '/sys/mmsnn_bal.pth', '--calib-images',
                 '1', cwd=tmp_path),
        'The folder of OUT /sys (absolute: /sys)')
    other = tmp_path / 'other.pth'
    torch.save(dict(state_dict={'backbone.stem.weight': torch.zeros(1)}),
               other)
    out = tmp_path / 'bal.pth'
    assert_one_paragraph_error(
        run_tool(tool, config, other, out, '--calib-images', '1',
                 cwd=tmp_path), f'No parameter of checkpoint {other}')
    shutil.rmtree(tmp_path / 'data')
    assert_one_paragraph_error(
        run_tool(tool, config, src, out, '--calib-images', '1',
                 cwd=tmp_path),
        'No data set at', 'train_dataloader.dataset.data_root=')
    assert not out.exists()


def test_tool_warns_of_a_checkpoint_trained_as_another_model(
        tmp_path, yapf_formatting):
    from mmengine.config import Config
    from mmengine.runner.checkpoint import save_checkpoint
    cfg = tiny_runner_cfg(tmp_path)
    ann = Config(dict(model=ann_twin(cfg.model)))
    src = tmp_path / 'ann.pth'
    save_checkpoint(dict(state_dict=MODELS.build(cfg.model).state_dict(),
                         meta=dict(cfg=ann.pretty_text)), str(src))
    tool = load_script('model_converters', 'balance_thresholds.py')
    with pytest.warns(UserWarning, match='trained as another model than the '
                      'config builds: .*backbone.neuron_cfg LeakyReLU'):
        tool.main([str(tmp_path / 'tiny.py'), str(src),
                   str(tmp_path / 'bal.pth'), '--calib-images', '1'])
