"""mmsnn plugs into mmdet: registration, custom_imports, version checks."""
import subprocess
import sys
import textwrap

from mmdet.registry import MODELS

import mmsnn
from tests.conftest import REPO_ROOT


def mmsnn_registered_names():
    return sorted(name for name, cls in MODELS.module_dict.items()
                  if cls.__module__.startswith('mmsnn.'))


def test_package_imports_with_version():
    assert mmsnn.__version__.count('.') == 2


def test_core_names_registered():
    assert {'IFNeuron', 'SpikingDarknet', 'SpikingYOLOV3Neck',
            'CMDYOLOV3Head', 'SNNYOLOV3'} <= set(mmsnn_registered_names())


def test_every_registered_name_builds_after_custom_imports(tmp_path):
    """In a fresh interpreter (nothing imported yet), a config's
    custom_imports alone makes each mmsnn name buildable."""
    config = tmp_path / 'plugin_cfg.py'
    config.write_text(textwrap.dedent("""
        _base_ = 'mmdet::yolo/yolov3_d53_8xb8-ms-416-273e_coco.py'
        custom_imports = dict(imports=['mmsnn'], allow_failed_imports=False)
        model = dict(backbone=dict(init_cfg=None))
        """))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {REPO_ROOT!r})
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        cfg = Config.fromfile({str(config)!r})  # imports mmsnn
        init_default_scope('mmdet')
        from mmdet.registry import MODELS
        from tests.test_registry import minimal_build_cfg
        names = sorted(n for n, c in MODELS.module_dict.items()
                       if c.__module__.startswith('mmsnn.'))
        assert names, 'custom_imports registered nothing'
        for name in names:
            MODELS.build(minimal_build_cfg(name))
        MODELS.build(cfg.model)  # a stock mmdet config still builds
        print('built', len(names))
        """)
    out = subprocess.run([sys.executable, '-c', script], cwd=REPO_ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f'built {len(mmsnn_registered_names())}' in out.stdout


def minimal_build_cfg(name):
    """Smallest valid config of each registered mmsnn component."""
    from tests.conftest import tiny_snn_yolov3_cfg
    model = tiny_snn_yolov3_cfg()
    by_part = {
        'SNNYOLOV3': model,
        'SpikingDarknet': model['backbone'],
        'SpikingYOLOV3Neck': model['neck'],
        'CMDYOLOV3Head': model['bbox_head'],
    }
    single_stage = {k: model[k] for k in ('backbone', 'neck', 'bbox_head')}
    for detector in ('SpikingSingleStageDetector', 'SpikingRetinaNet',
                     'SpikingFCOS'):
        by_part[detector] = single_stage
    if name in ('SpikingTwoStageDetector', 'SpikingFasterRCNN'):
        by_part[name] = tiny_faster_rcnn()
    if name == 'SpikingYOLO':  # converts an ANN: the tiny model's ANN twin
        from tests.conftest import ann_twin
        ann = ann_twin(model)
        ann.time_steps = 1
        by_part[name] = dict(ann=ann)
    if name == 'SpikeYOLO':
        from tests.test_models.test_detectors.spikeyolo_reference import \
            mmsnn_cfg
        by_part[name] = {k: v for k, v in mmsnn_cfg().items() if k != 'type'}
    extra = MINIMAL_ARGS.get(name, {})
    return dict(by_part.get(name, {}), type=name, **extra)


def tiny_faster_rcnn():
    """The Faster R-CNN mixing config's model, shrunk."""
    from tests.conftest import load_config
    from tests.test_configs.test_mixing_configs import tiny_model_cfg
    cfg = load_config(
        'configs/mixing/faster-rcnn_snn-r50_fpn_1x_voc0712_t4.py')
    model = tiny_model_cfg(cfg.model)
    model.pop('type')
    return model


#: Components that build from their defaults need no entry here.
MINIMAL_ARGS = {
    'SpikingResNet': dict(depth=18, base_channels=8),
    'Spikify': dict(
        module=dict(
            type='ConvModule', in_channels=1, out_channels=1, kernel_size=1),
        encode=True),
    'TimeSequential': dict(modules=[dict(type='TimeRepeat')]),
    'SpikingJellyNeuron': dict(node='LIFNode'),
    'SignedIFNeuron': dict(num_channels=2),
    'CMDRetinaHead': dict(num_classes=2, in_channels=4, feat_channels=4),
    'CMDFCOSHead': dict(num_classes=2, in_channels=4, feat_channels=4,
                        norm_cfg=None),
    'EMSYOLO': dict(
        backbone=dict(type='EMSResNet', widen_factor=0.25),
        neck=dict(type='EMSYOLONeck', in_channels=[64, 128],
                  widen_factor=0.25),
        bbox_head=dict(type='CMDYOLOV5Head', num_classes=2,
                       in_channels=[64, 128])),
    'EMSYOLONeck': dict(in_channels=[64, 128], widen_factor=0.25),
    'YOLOV5Head': dict(num_classes=2, in_channels=[4, 8]),
    'CMDYOLOV5Head': dict(num_classes=2, in_channels=[4, 8]),
    'MSBasicBlock': dict(in_channels=4, out_channels=8),
    'MSConcatBlock': dict(in_channels=4, out_channels=8),
    'EMSConv': dict(in_channels=4, out_channels=8, kernel_size=3),
    'SpikeYOLOBackbone': dict(widen_factor=0.125),
    'SpikeYOLONeck': dict(in_channels=[32, 64, 128], widen_factor=0.125),
    'SpikeYOLOHead': dict(num_classes=2, in_channels=[32, 64, 128]),
}


def test_version_mismatch_says_what_to_install(monkeypatch):
    import mmdet
    import pytest
    monkeypatch.setattr(mmdet, '__version__', '3.1.0')
    with pytest.raises(ImportError, match=r'mmdet 3.1.0 .*mmdet==3.3.0'):
        mmsnn._check_versions()
