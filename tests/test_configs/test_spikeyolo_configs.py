"""configs/spikeyolo: every config loads and builds; the COCO scales have
the authors' parameter counts; T, D and the protocols are as documented."""
import glob
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS

from ..conftest import load_config, repo_path
from ..test_models.test_detectors.test_spikeyolo import AUTHORS_PARAMS

CONFIGS = sorted(
    osp.relpath(p, repo_path())
    for p in glob.glob(repo_path('configs/spikeyolo/*.py')))


def test_every_setting_is_there():
    names = {osp.basename(c) for c in CONFIGS}
    for scale in 'nsml':
        assert f'spikeyolo_{scale}_1xb40-640-300e_coco_t1d4.py' in names
    for other in ('voc0712_t1d4', 'gen1_t2d4', 'minivoc_t1d4',
                  'minigen1_t2d4'):
        assert any(n.endswith(f'_{other}.py') for n in names), other


@pytest.mark.parametrize('path', CONFIGS, ids=osp.basename)
def test_builds_with_the_documented_time_steps_and_spike_count(path):
    cfg = load_config(path)
    with torch.device('meta'):
        model = MODELS.build(cfg.model)
    name = osp.basename(path)
    t, d = name[name.rindex('_t') + 2:-3].split('d')
    assert (model.time_steps, model.max_spike_count) == (int(t), int(d))
    if '_coco_' in name:
        scale = name.split('_')[1]
        assert sum(p.numel() for p in model.parameters()) == \
            AUTHORS_PARAMS[scale]
    metric = cfg.val_evaluator['type']
    expected = 'Gen1Metric' if 'gen1' in name else 'CocoMetric' \
        if '_coco_' in name else 'VOCMetric'
    assert metric == expected
    if metric == 'VOCMetric':
        assert cfg.val_evaluator['eval_mode'] == '11points'
