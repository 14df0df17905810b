"""mmsnn.conversion.publish: weights and meta only, named by the SHA-256 of
the bytes, read without running pickled code."""
import glob
import hashlib
import os
import os.path as osp
import pickle

import pytest
import torch

from mmsnn.conversion import check_published, publish
from mmsnn.utils import InputError


def training_checkpoint(path):
    """What mmengine's runner writes: more than the weights."""
    state = {'conv.weight': torch.arange(6.).view(2, 3),
             'bn.running_var': torch.ones(2)}
    torch.save(dict(
        meta=dict(seed=0, epoch=12, experiment_name='yolov3_minivoc_x',
                  dataset_meta=dict(classes=('circle', 'square'))),
        state_dict=state,
        optimizer=dict(state={0: dict(exp_avg=torch.zeros(2, 3))},
                       param_groups=[dict(lr=3e-3, params=[0])]),
        message_hub=dict(log_scalars={}, runtime_info=dict(iter=4500)),
        param_schedulers=[dict(last_epoch=12)]), path)
    return state


def test_keeps_weights_and_meta_and_names_the_file_by_its_hash(tmp_path):
    src = str(tmp_path / 'epoch_12.pth')
    state = training_checkpoint(src)
    final, sha = publish(src, str(tmp_path / 'zoo' / 'twin_seed0.pth'))
    assert osp.dirname(final) == str(tmp_path / 'zoo')
    with open(final, 'rb') as f:
        assert sha == hashlib.sha256(f.read()).hexdigest()
    assert osp.basename(final) == f'twin_seed0-{sha[:8]}.pth'
    published = torch.load(final, map_location='cpu', weights_only=True)
    assert set(published) == {'meta', 'state_dict'}
    assert published['meta']['seed'] == 0
    assert published['meta']['dataset_meta']['classes'] == ('circle',
                                                            'square')
    assert set(published['state_dict']) == set(state)
    for key, value in state.items():
        assert torch.equal(published['state_dict'][key], value)
    assert glob.glob(str(tmp_path / 'zoo' / '*')) == [final]  # no temp file
    assert check_published(final) == sha


def damage(path):
    """Flip one byte near the end (the weights)."""
    with open(path, 'r+b') as f:
        f.seek(-40, os.SEEK_END)
        byte = f.read(1)
        f.seek(-40, os.SEEK_END)
        f.write(bytes([byte[0] ^ 1]))


def test_check_refuses_a_file_whose_bytes_changed(tmp_path):
    src = str(tmp_path / 'epoch_12.pth')
    training_checkpoint(src)
    final, _ = publish(src, str(tmp_path / 'twin.pth'))
    damage(final)
    with pytest.raises(InputError, match='changed or damaged') as e:
        check_published(final)
    assert final in str(e.value)
    with pytest.raises(InputError, match='first 8 hex digits'):
        check_published(src)  # a training checkpoint: no hash in name
    with pytest.raises(InputError, match='does not exist'):
        check_published(str(tmp_path / 'gone-0123abcd.pth'))


class _Payload:
    """Would run code when unpickled by a full (unsafe) load."""

    def __reduce__(self):
        return (os.makedirs, ('never-created',))


def test_refuses_checkpoints_that_are_not_plain_weights(tmp_path):
    code = str(tmp_path / 'code.pth')
    with open(code, 'wb') as f:
        pickle.dump(dict(state_dict={}, meta=_Payload()), f)
    with pytest.raises(InputError, match='weights_only=True'):
        publish(code, str(tmp_path / 'out.pth'))
    assert not osp.exists('never-created')
    weights_only = str(tmp_path / 'weights.pth')
    torch.save({'conv.weight': torch.ones(1)}, weights_only)
    with pytest.raises(InputError, match='has no state_dict'):
        publish(weights_only, str(tmp_path / 'out.pth'))
    with pytest.raises(InputError, match='must end in .pth'):
        publish(weights_only, str(tmp_path / 'out.pt'))
    assert not glob.glob(str(tmp_path / 'out*'))
