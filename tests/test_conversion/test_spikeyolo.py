"""The SpikeYOLO converter on synthetic checkpoints with the authors' exact
keys and shapes (made by the compact re-implementation of their model)."""
import pytest
import torch
from mmdet.registry import MODELS

from mmsnn.conversion import (convert_spikeyolo_checkpoint,
                              convert_spikeyolo_state_dict)
from mmsnn.utils import InputError
from ..test_models.test_detectors.spikeyolo_reference import (
    SpikeYOLOReference, mmsnn_cfg, randomize_norms, reference)


def tiny(depth=0.33, **kwargs):
    torch.manual_seed(0)
    theirs = randomize_norms(SpikeYOLOReference(depth, 0.125, 1024, nc=3))
    ours = MODELS.build(mmsnn_cfg(depth=depth, **kwargs))
    return theirs, ours


@pytest.mark.parametrize('depth', [0.33, 0.5])  # single blocks, and runs
def test_every_tensor_lands_on_its_module(depth):
    theirs, ours = tiny(depth)
    source = theirs.state_dict()
    if depth == 0.5:
        assert 'model.2.1.Conv.pwconv1.weight' in source
    else:
        assert 'model.2.Conv.pwconv1.weight' in source
    state = convert_spikeyolo_state_dict(source, ours.state_dict())
    assert list(state) == list(ours.state_dict())
    assert len(state) == len(source)
    last = max(int(k.split('.')[2]) for k in state
               if k.startswith('backbone.stage4.'))
    pairs = [('model.1.encode_conv.bias', 'backbone.stem.encode_conv.bias'),
             ('model.9.cv2.bn.running_var',
              f'backbone.stage4.{last}.cv2.bn.running_var'),
             ('model.25.conv2.body.2.2.weight',
              'neck.out_p5.conv2.body.2.2.weight'),
             ('model.26.cv3.2.2.conv.bias', 'bbox_head.cv3.2.2.conv.bias'),
             ('model.26.dfl.conv.weight', 'bbox_head.dfl.conv.weight')]
    for src, dst in pairs:
        assert torch.equal(state[dst], source[src]), dst


def test_authors_full_scale_keys_and_shapes_fit():
    with torch.device('meta'):
        theirs, ours = reference('s'), MODELS.build(mmsnn_cfg(
            0.33, 0.5, num_classes=80, time_steps=1))
    source = {k: torch.zeros(v.shape) for k, v in
              theirs.state_dict().items()}
    target = {k: torch.zeros(v.shape) for k, v in ours.state_dict().items()}
    assert len(convert_spikeyolo_state_dict(source, target)) == len(source)


def test_checkpoint_file_loads_strictly(tmp_path):
    theirs, ours = tiny()
    src = tmp_path / 'theirs.pt'
    torch.save({'model': theirs.state_dict(), 'epoch': 3}, src)
    convert_spikeyolo_checkpoint(str(src), ours)
    assert torch.equal(ours.neck.reduce_p5.conv.weight,
                       theirs.model[10].conv.weight)


@pytest.mark.parametrize('edit,message', [
    (lambda s: s.__setitem__('model.26.cv3.0.2.conv.weight',
                             torch.zeros(80, 16, 1, 1)),
     "'model.26.cv3.0.2.conv.weight' has shape"),
    (lambda s: s.__setitem__('model.11.weight', torch.zeros(1)),
     "'model.11.weight' has no place"),
    (lambda s: s.pop('model.19.conv2.bn.running_mean'),
     "'neck.out_p3.conv2.bn.running_mean'"),
])
def test_a_misfit_is_refused_naming_the_first_bad_key(edit, message):
    theirs, ours = tiny()
    source = dict(theirs.state_dict())
    edit(source)
    with pytest.raises(InputError, match=message):
        convert_spikeyolo_state_dict(source, ours.state_dict())


def test_a_deeper_checkpoint_than_the_config_is_refused():
    theirs, _ = tiny(0.5)
    _, ours = tiny(0.33)
    with pytest.raises(InputError, match='model.2.1.'):
        convert_spikeyolo_state_dict(theirs.state_dict(), ours.state_dict())
