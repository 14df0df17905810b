"""An ANN checkpoint that does not fit the SNN is named key by key before it
"loads" (mmengine would only warn and leave those layers random); damaged
files, broken last_checkpoint pointers, checkpoints that --resume would take
silently (another width, keys, model type, NaN state, a finished run) and
non-finite or other-model checkpoints under tools/test.py are named."""
import math

import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.engine import (DamagedCheckpointError, check_checkpoint_file,
                          check_load_from, check_load_from_shapes,
                          check_resume, check_test_checkpoint,
                          find_resume_checkpoint)
from mmsnn.utils import InputError
from tests.conftest import narrow_yolov3, tiny_snn_yolov3_cfg

# What reads checkpoints' config texts sees them as users' runs write them.
pytestmark = pytest.mark.usefixtures('yapf_formatting')


def save(module, path):
    torch.save({'state_dict': module.state_dict(), 'meta': {}}, path)
    return str(path)


@pytest.fixture
def snn():
    torch.manual_seed(0)
    return MODELS.build(tiny_snn_yolov3_cfg(num_classes=3))


def test_missing_checkpoint_file_is_named(tmp_path):
    with pytest.raises(InputError, match='load_from file .*nope.pth'):
        check_checkpoint_file(str(tmp_path / 'nope.pth'), 'load_from')
    with pytest.raises(InputError, match='directory'):
        check_checkpoint_file(str(tmp_path), 'Checkpoint')
    check_checkpoint_file('https://example.com/x.pth')  # left to mmengine


def test_checkpoint_of_other_width_is_refused_naming_keys(snn, tmp_path):
    wider = tiny_snn_yolov3_cfg(num_classes=3)
    narrow_yolov3(wider, widen_factor=1 / 8)
    path = save(MODELS.build(wider), tmp_path / 'wide.pth')
    with pytest.raises(InputError) as e:
        check_load_from_shapes(snn, path)
    msg = str(e.value)
    assert 'wide.pth' in msg
    assert 'backbone.conv1.conv.weight: checkpoint (4, 3, 3, 3), model ' \
        '(2, 3, 3, 3)' in msg
    assert 'widen_factor' in msg


def test_other_num_classes_is_fine_tuning_but_not_testing(snn, tmp_path):
    torch.manual_seed(0)
    other = MODELS.build(tiny_snn_yolov3_cfg(num_classes=5))
    path = save(other, tmp_path / 'coco.pth')
    check_load_from_shapes(snn, path)  # only the prediction convs differ
    with pytest.raises(InputError, match='bbox_head.convs_pred.0.weight'):
        check_load_from_shapes(snn, path, allow_class_mismatch=False)
    check_load_from_shapes(snn, save(snn, tmp_path / 'same.pth'),
                           allow_class_mismatch=False)


def test_checkpoint_of_another_model_is_refused(snn, tmp_path):
    path = str(tmp_path / 'other.pth')
    torch.save({'state_dict': torch.nn.Linear(2, 2).state_dict()}, path)
    with pytest.raises(InputError, match='No parameter of checkpoint'):
        check_load_from_shapes(snn, path)


# Damage, pointers, --resume and model types.


def ann_twin_text(model_cfg):
    """A config text as mmengine stores it in meta: the ANN twin of a model
    config (its neurons LeakyReLU, as configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py)."""
    from mmengine.config import Config
    from tests.conftest import ann_twin
    return Config(dict(model=ann_twin(model_cfg))).pretty_text


def test_truncated_checkpoint_is_named(snn, tmp_path):
    path = save(snn, tmp_path / 'epoch_1.pth')
    with open(path, 'rb') as f:
        data = f.read()
    for name, cut in (('half.pth', data[:len(data) // 2]),
                      ('empty.pth', b'')):
        damaged = str(tmp_path / name)
        with open(damaged, 'wb') as f:
            f.write(cut)
        with pytest.raises(DamagedCheckpointError) as e:
            check_load_from(snn, damaged)  # load_from, --resume, test
        assert f'Checkpoint file {damaged} ({len(cut)} bytes)' in str(e.value)
        assert 'truncated' in str(e.value) and 'last_checkpoint' in str(
            e.value)
    assert 'central directory' in str(
        pytest.raises(DamagedCheckpointError, check_load_from, snn,
                      str(tmp_path / 'half.pth')).value)


@pytest.mark.parametrize('content,says', [
    ('', 'is empty'), ('{tmp}/epoch_9.pth', 'names {tmp}/epoch_9.pth, which '
                       'does not exist')])
def test_broken_last_checkpoint_pointer(tmp_path, content, says):
    tmp = str(tmp_path)
    assert find_resume_checkpoint(tmp) is None  # no pointer: fresh start
    with open(tmp_path / 'last_checkpoint', 'w') as f:
        f.write(content.format(tmp=tmp))
    with pytest.raises(InputError) as e:
        find_resume_checkpoint(tmp)
    assert says.format(tmp=tmp) in str(e.value)
    assert 'holds no .pth file' in str(e.value)
    torch.save({}, tmp_path / 'epoch_1.pth')
    with pytest.raises(InputError,
                       match=f'resume one with --resume {tmp}/epoch_1.pth'):
        find_resume_checkpoint(tmp)
    with open(tmp_path / 'last_checkpoint', 'w') as f:
        f.write(f'{tmp}/epoch_1.pth\n')
    assert find_resume_checkpoint(tmp) == f'{tmp}/epoch_1.pth'


def resume_cfg(model_cfg, max_epochs=12):
    from mmengine.config import Config
    return Config(dict(model=model_cfg, train_cfg=dict(
        type='EpochBasedTrainLoop', max_epochs=max_epochs)))


def save_run(module, path, epoch, cfg_text=None, **extra):
    meta = dict(epoch=epoch, iter=epoch * 10)
    if cfg_text:
        meta['cfg'] = cfg_text
    torch.save(dict(state_dict=module.state_dict(), meta=meta, **extra),
               path)
    return str(path)


def test_resume_refuses_what_mmengine_would_resume_silently(snn, tmp_path):
    from mmengine.config import Config
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    text = Config(dict(model=model_cfg)).pretty_text
    cfg = resume_cfg(model_cfg)
    check_resume(snn, cfg, save_run(snn, tmp_path / 'ok.pth', 3, text))

    wider = tiny_snn_yolov3_cfg(num_classes=3)
    narrow_yolov3(wider, widen_factor=1 / 8)
    path = save_run(MODELS.build(wider), tmp_path / 'wide.pth', 3)
    with pytest.raises(InputError, match='wide.pth does not fit .*'
                       'backbone.conv1.conv.weight: checkpoint'):
        check_resume(snn, cfg, path)

    other = MODELS.build(tiny_snn_yolov3_cfg(num_classes=5))
    path = save_run(other, tmp_path / 'classes.pth', 3)  # fine for load_from
    with pytest.raises(InputError, match='bbox_head.convs_pred.0.weight'):
        check_resume(snn, cfg, path)

    state = snn.state_dict()
    state.pop('backbone.conv1.conv.weight')
    path = str(tmp_path / 'missing.pth')
    torch.save(dict(state_dict=state, meta=dict(epoch=3)), path)
    with pytest.raises(InputError, match="1 missing .*'backbone.conv1.conv"):
        check_resume(snn, cfg, path)

    path = save_run(snn, tmp_path / 'ann.pth', 3, ann_twin_text(model_cfg))
    with pytest.raises(InputError) as e:
        check_resume(snn, cfg, path)
    assert 'backbone.neuron_cfg LeakyReLU (config: IFNeuron)' in str(e.value)
    assert 'load_from' in str(e.value)

    path = save_run(snn, tmp_path / 'nan_moment.pth', 3, text, optimizer=dict(
        state={0: dict(exp_avg=torch.full((2, ), math.nan))}))
    with pytest.raises(InputError, match=r'optimizer.state.0.exp_avg \(nan'):
        check_resume(snn, cfg, path)


def test_resume_of_a_finished_run_is_refused(snn, tmp_path):
    done = save_run(snn, tmp_path / 'epoch_12.pth', 12)
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    with pytest.raises(InputError) as e:
        check_resume(snn, resume_cfg(model_cfg, 12), done)
    msg = str(e.value)
    assert 'epoch_12.pth: that run has already finished: it is at epoch 12 ' \
        'and the config trains 12 epochs (train_cfg.max_epochs)' in msg
    assert 'train_cfg.max_epochs=<more>' in msg
    check_resume(snn, resume_cfg(model_cfg, 24), done)  # extended: fine
    from mmengine.config import Config
    by_iter = Config(dict(model=model_cfg, train_cfg=dict(
        type='IterBasedTrainLoop', max_iters=120)))
    with pytest.raises(InputError, match='at iter 120 and the config trains '
                       '120 iterations'):
        check_resume(snn, by_iter, done)


def test_test_checkpoint_nonfinite_refused_other_model_type_warned(
        snn, tmp_path):
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    path = save_run(snn, tmp_path / 'ann.pth', 12, ann_twin_text(model_cfg))
    with pytest.warns(UserWarning, match='ann.pth was trained as another '
                      'model .*neck.neuron_cfg LeakyReLU'):
        check_test_checkpoint(snn, model_cfg, path)
    with torch.no_grad():
        snn.neck.detect1.conv1.bn.running_var[0] = math.inf
    path = save_run(snn, tmp_path / 'inf.pth', 12)
    with pytest.raises(InputError, match=r'inf.pth holds non-finite values '
                       r'in 1 tensor\(s\): state_dict.neck.detect1.conv1.bn.'
                       r'running_var \(inf in 1 of'):
        check_test_checkpoint(snn, model_cfg, path)
