"""mmsnn.analysis.paper_comparisons.store: a stored result is reused only
while the settings that define it are unchanged."""
import os

from mmsnn.analysis.paper_comparisons import (VARIANTS, result_path,
                                              sg_tasks, store_result,
                                              stored_result, task_cost,
                                              task_settings)
from .test_presets import settings


def test_results_are_reused_while_their_settings_hold(tmp_path):
    ckpt = tmp_path / 'ann.pth'
    ckpt.write_bytes(b'weights')
    args = settings(ann_checkpoint=str(ckpt), work_dir=str(tmp_path),
                    seeds=[0, 1], threshold_seeds=[0], epochs=2,
                    snn_config='snn.py', ann_config='ann.py',
                    conversion_steps=[8], cfg_options=None)
    tasks = sg_tasks(args)
    assert tasks['sgcmd_t4_seed1'] == ('SG+CMD T=4', 1)
    assert tasks['sgcmd_t6_learnable_threshold_seed0'] == (
        'SG+CMD T=6, learnable threshold', 0)
    assert len(tasks) == 2 * 3 + 1
    assert stored_result(args, 'conversion') is None
    store_result(args, 'conversion', dict(map=0.5))
    assert os.listdir(tmp_path / 'runs') == ['conversion.json']  # no .tmp
    assert stored_result(args, 'conversion') == dict(map=0.5)
    # another setting of the run, or another checkpoint file: not reused
    args.data_root = 'elsewhere/'
    assert stored_result(args, 'conversion') is None
    args.data_root = None
    store_result(args, 'sgcmd_t4_seed0', dict(map=0.6))
    args.epochs = 3
    assert stored_result(args, 'sgcmd_t4_seed0') is None
    assert stored_result(args, 'conversion') == dict(map=0.5)  # no epochs
    ckpt.write_bytes(b'other weights')
    assert stored_result(args, 'conversion') is None
    assert task_settings(args, 'ann')['ann_checkpoint_file'][0] == 13
    assert result_path(args, 'ann') == str(tmp_path / 'runs' / 'ann.json')
    # the longest first: the conversion, then by T
    order = sorted(['sgcmd_t4_seed0', 'conversion', 'sgrate_t6_seed0'],
                   key=lambda t: -task_cost(t, args))
    assert order == ['conversion', 'sgrate_t6_seed0', 'sgcmd_t4_seed0']
    assert set(VARIANTS) == {label for label, _ in tasks.values()}
