"""mmsnn.analysis.paper_comparisons.presets: a comparison's settings are
completed from its preset."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config

from mmsnn.analysis.paper_comparisons import (DEFAULT_SWEEP, PRESETS,
                                              complete_settings)
from tests.conftest import REPO_ROOT


def settings(**kwargs):
    """What the script's parser gives without arguments, and ``kwargs``."""
    return argparse.Namespace(**dict(
        dict(dataset='mini_voc', ann_config=None, ann_checkpoint=None,
             snn_config=None, data_root=None, seeds=None,
             threshold_seeds=None, epochs=None, conversion_steps=None,
             calib_images=64, energy_images=20, jobs=1, smoke=False),
        **kwargs))


def refuse(message):
    raise ValueError(message)


def test_the_ann_twin_defaults_to_the_snn_configs_load_from(tmp_path,
                                                            monkeypatch):
    # mini-VOC: the published twin, found from any working folder
    monkeypatch.chdir(tmp_path)
    args = complete_settings(settings(), REPO_ROOT, refuse)
    published = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py')).load_from
    assert args.ann_checkpoint == osp.join(REPO_ROOT, published)
    assert osp.isfile(args.ann_checkpoint)
    assert args.seeds == args.threshold_seeds == [0, 1, 2]
    assert args.epochs == PRESETS['mini_voc']['epochs']
    assert args.conversion_steps == list(DEFAULT_SWEEP)
    # an SNN config without load_from (VOC's) or with a missing file: named
    for load_from, message in ((None, 'has no load_from'),
                               ('gone.pth', r'gone.pth \(load_from of')):
        snn = tmp_path / 'snn.py'
        snn.write_text(f'load_from = {load_from!r}\n')
        with pytest.raises(ValueError, match=message):
            complete_settings(settings(snn_config=str(snn)), REPO_ROOT,
                              refuse)


def test_a_smoke_run_is_tiny(tmp_path):
    args = complete_settings(
        settings(ann_checkpoint='x.pth', smoke=True, seeds=[3],
                 calib_images=9), REPO_ROOT, refuse)
    assert (args.seeds, args.threshold_seeds, args.epochs) == ([3], [3], 1)
    assert args.conversion_steps == [2, 4]
    assert (args.calib_images, args.energy_images) == (2, 1)
    assert args.dataset_name.endswith(', smoke run')
    with pytest.raises(ValueError, match='--jobs must be at least 1'):
        complete_settings(settings(ann_checkpoint='x.pth', jobs=0),
                          REPO_ROOT, refuse)
