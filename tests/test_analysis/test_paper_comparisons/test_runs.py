"""mmsnn.analysis.paper_comparisons.runs: the curve of an SG run's
validations, read from mmengine's message hub."""
from types import SimpleNamespace

import pytest
from mmengine.logging import MessageHub

from mmsnn.analysis.paper_comparisons import sg_slug, val_curve


def runner_after(epochs, metrics, name):
    """A runner that validated ``metrics`` (one dict per validation), as
    mmengine's RuntimeInfoHook records them."""
    hub = MessageHub.get_instance(name)
    for values in metrics:
        for key, value in values.items():
            hub.update_scalar(f'val/{key}', value)
        hub.update_scalar('val/time', 0.1)  # per iteration, not per epoch
        hub.update_scalar('val/time', 0.2)
    return SimpleNamespace(message_hub=hub, epoch=epochs)


def test_one_map_per_epoch():
    runner = runner_after(2, [{'pascal_voc/mAP': 0.25, 'pascal_voc/AP50':
                               0.5}, {'pascal_voc/mAP': 0.5}],
                          'test_runs_voc')
    assert val_curve(runner) == [dict(epoch=1, map=0.25),
                                 dict(epoch=2, map=0.5)]
    runner = runner_after(1, [{'coco/bbox_mAP_50': 0.125}], 'test_runs_coco')
    assert val_curve(runner) == [dict(epoch=1, map=0.125)]


def test_a_missing_validation_is_named():
    runner = runner_after(3, [{'pascal_voc/mAP': 0.25}], 'test_runs_short')
    with pytest.raises(RuntimeError, match='1 validations .* in 3 epochs'):
        val_curve(runner)
    runner = runner_after(1, [{'other/acc': 0.25}], 'test_runs_other')
    with pytest.raises(RuntimeError, match='0 validations'):
        val_curve(runner)


def test_task_names():
    assert sg_slug('SG+CMD T=6, learnable threshold', 2) == \
        'sgcmd_t6_learnable_threshold_seed2'
