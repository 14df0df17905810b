"""``import mmsnn`` adds mmsnn's registry entries and changes nothing else of
the process: mmengine's checkpoint loaders and file backends, every
registry's entries, torch's defaults and weights-only allowlist, warnings
filters, loggers, signal handlers, mmengine's MODULE2PACKAGE, ...

Measured in a fresh interpreter (tests/process_state.py) that first
imports the third-party modules a config with ``custom_imports=['mmsnn']``
has loaded once read (listed by the stock-config runs below; their own
registrations are theirs), snapshots, imports mmsnn and snapshots again.
The same run then applies side effects a plugin must not have, one by
one, and each must show in the snapshot.

And a stock mmdet config trains, saves and resumes alike with and without
``custom_imports=['mmsnn']``."""
import json
import subprocess
import sys

import pytest

from tests.process_state import MUTATIONS
from tests.tiny_voc import REPO_ROOT


def _python(*args):
    result = subprocess.run([sys.executable, *args], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_import_mmsnn_adds_its_entries_and_changes_nothing_else(
        stock_runs):
    listing = stock_runs['with_mmsnn']['modules']
    report = json.loads(_python('-m', 'tests.process_state', str(listing),
                                '--mutations').splitlines()[-1])

    assert report['changed'] == []
    # What mmsnn adds is seen (the snapshot is not blind to additions).
    for addition in ("registry MODELS/mmdet: 'SNNYOLOV3' added",
                     "registry HOOKS/mmdet: 'SafeCheckpointHook' added",
                     "registry LOOPS/mmdet: 'SafeEpochBasedTrainLoop' added",
                     'registry MODELS/mmdet/mmsnn: new',
                     "file backends: 'mmsnn_atomic_local' added",
                     "MODULE2PACKAGE: 'mmsnn' added"):
        assert addition in report['allowed']
    # And each side effect of the kind mmsnn's import once had is caught.
    assert set(report['mutations']) == set(MUTATIONS)
    missed = [name for name, seen in report['mutations'].items() if not seen]
    assert not missed


STOCK_CONFIG = """\
_base_ = 'mmdet::yolo/yolov3_mobilenetv2_8xb24-320-300e_coco.py'
{custom_imports}
model = dict(backbone=dict(init_cfg=None), bbox_head=dict(num_classes=3))
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(32, 32), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(
        _delete_=True, type='VOCDataset', data_root={data_root!r},
        metainfo=dict(classes={classes!r}),
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'), pipeline=pipeline))
val_dataloader = val_cfg = val_evaluator = None
test_dataloader = test_cfg = test_evaluator = None
train_cfg = dict(max_epochs=2, val_interval=10)
default_hooks = dict(logger=dict(interval=1),
                     checkpoint=dict(interval=1, max_keep_ckpts=-1))
randomness = dict(seed=0)
"""

# Train the config two epochs, then resume it for a third, as mmdet's
# tools/train.py would (mmengine's Runner, nothing of mmsnn's imported
# unless the config's custom_imports says so).
TRAIN_AND_RESUME = """
import sys
from mmengine.config import Config
from mmengine.runner import Runner
config, work_dir, listing = sys.argv[1:]
cfg = Config.fromfile(config)
with open(listing, 'w') as f:  # what the config loaded, mmsnn's aside
    f.write(chr(10).join(m for m in sys.modules
                         if m.split('.')[0] != 'mmsnn'))
cfg.work_dir = work_dir
Runner.from_cfg(cfg).train()
print('mmsnn imported:', 'mmsnn' in sys.modules)
cfg = Config.fromfile(config)
cfg.merge_from_dict(dict(work_dir=work_dir, resume=True, experiment_name='r',
                         train_cfg=dict(max_epochs=3)))
try:
    Runner.from_cfg(cfg).train()
    print('resume: trained epoch 3')
except Exception as e:
    print('resume:', type(e).__name__, str(e).split(chr(10))[0]
          .replace(work_dir, '<work_dir>'))
"""


@pytest.fixture(scope='module')
def stock_runs(tmp_path_factory):
    """mmdet's YOLOv3-MobileNetV2 on tiny data, two epochs, then a resume:
    ``'stock'`` and ``'with_mmsnn'`` (``custom_imports=['mmsnn']``), each
    in a fresh interpreter. Each run: its printed lines, its checkpoints
    (unsafe globals, content) and the listing of the modules it loaded."""
    import torch

    from mmsnn.engine import safe_checkpoint_loading
    from tests.tiny_voc import CLASSES, write_tiny_voc
    tmp = tmp_path_factory.mktemp('stock_config')
    data_root = write_tiny_voc(str(tmp / 'data'), num_train=2, num_test=0,
                               size=32)
    runs = {}
    for name, imports in (('stock', ''), ('with_mmsnn', (
            "custom_imports = dict(imports=['mmsnn'], "
            'allow_failed_imports=False)'))):
        config = tmp / f'{name}.py'
        config.write_text(STOCK_CONFIG.format(
            custom_imports=imports, data_root=data_root, classes=CLASSES))
        listing = tmp / f'{name}_modules.txt'
        out = _python('-c', TRAIN_AND_RESUME, str(config), str(tmp / name),
                      str(listing))
        lines = [line for line in out.splitlines()
                 if line.startswith(('mmsnn imported:', 'resume:'))]
        checkpoints = []
        for epoch in (1, 2):
            path = tmp / name / f'epoch_{epoch}.pth'
            unsafe = torch.serialization.get_unsafe_globals_in_checkpoint(
                str(path))
            with safe_checkpoint_loading():
                checkpoints.append((unsafe, torch.load(path,
                                                       weights_only=True)))
        runs[name] = dict(lines=lines, checkpoints=checkpoints,
                          modules=listing)
    return runs


def test_stock_mmdet_config_trains_and_resumes_alike_with_mmsnn(stock_runs):
    """The same checkpoints and the same resume. (Under torch >= 2.6 stock
    mmengine cannot resume its own checkpoints: the same failure both ways
    is the point; mmsnn's import must not change it.)"""
    import torch
    stock, with_mmsnn = stock_runs['stock'], stock_runs['with_mmsnn']
    assert stock['lines'][0] == 'mmsnn imported: False'
    assert with_mmsnn['lines'][0] == 'mmsnn imported: True'
    # the same resume, or the same failure
    assert stock['lines'][1:] == with_mmsnn['lines'][1:]
    for (unsafe_a, a), (unsafe_b, b) in zip(stock['checkpoints'],
                                            with_mmsnn['checkpoints']):
        assert unsafe_a == unsafe_b  # the same kind of file
        assert a.keys() == b.keys()
        assert a['message_hub'].keys() == b['message_hub'].keys()
        for part in ('state_dict', 'optimizer'):
            flat_a, flat_b = _tensors(a[part]), _tensors(b[part])
            assert flat_a.keys() == flat_b.keys() and flat_a
            assert all(torch.equal(flat_a[k], flat_b[k]) for k in flat_a)


def _tensors(obj, prefix=''):
    """Every tensor in nested dicts and lists, by dotted path."""
    import torch
    if isinstance(obj, torch.Tensor):
        return {prefix: obj}
    items = (obj.items() if isinstance(obj, dict) else
             enumerate(obj) if isinstance(obj, (list, tuple)) else ())
    found = {}
    for key, value in items:
        found.update(_tensors(value, f'{prefix}.{key}'))
    return found
