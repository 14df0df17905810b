"""Broken last_checkpoint pointers and checkpoints that --resume would take
silently (another width, keys, model type, NaN state, a finished run) are
named."""
import math

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config

from mmsnn.engine.checkpoint import check_resume, find_resume_checkpoint
from mmsnn.utils import InputError
from tests.conftest import narrow_yolov3, tiny_snn_yolov3_cfg
from tests.test_engine.test_checkpoint.checkpoints import (ann_twin_text,
                                                           model_text,
                                                           save_run)

# What reads checkpoints' config texts sees them as users' runs write them.
pytestmark = pytest.mark.usefixtures('yapf_formatting')


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
    return Config(dict(model=model_cfg, train_cfg=dict(
        type='EpochBasedTrainLoop', max_epochs=max_epochs)))


def test_resume_refuses_what_mmengine_would_resume_silently(snn, tmp_path):
    model_cfg = tiny_snn_yolov3_cfg(num_classes=3)
    text = model_text(model_cfg)
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
    by_iter = Config(dict(model=model_cfg, train_cfg=dict(
        type='IterBasedTrainLoop', max_iters=120)))
    with pytest.raises(InputError, match='at iter 120 and the config trains '
                       '120 iterations'):
        check_resume(snn, by_iter, done)
