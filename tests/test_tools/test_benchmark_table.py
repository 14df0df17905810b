"""tools/analysis_tools/benchmark_table.py on run outputs made in the test."""
import json
import os.path as osp

import pytest

from ..conftest import repo_path
from .test_get_energy import load_tool

T6 = repo_path('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py')
ANN = repo_path('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py')


@pytest.fixture(scope='module')
def tool():
    return load_tool('benchmark_table')


def write_json(path, obj, lines=False):
    with open(path, 'w') as f:
        if lines:
            f.write('\n'.join(json.dumps(o) for o in obj) + '\n')
        else:
            json.dump(obj, f, indent=2)
    return str(path)


def energy_json(path, checkpoint, kind):
    """An energy.json as get_energy.py writes it (its typed schema)."""
    from mmsnn.analysis import EnergyReport, EnergyTotals, FiringRates
    return write_json(path, EnergyReport(
        time_steps=6, num_images=4, params=61_600_000,
        constants=dict(e_mac_j=4.6e-12, e_ac_j=0.9e-12), layers=[],
        stages={}, checkpoint=checkpoint,
        images=dict(kind=kind, images=4, input_shapes=[[416, 416]]),
        totals=EnergyTotals(macs_per_step=32.7e9, sops=1.5e8,
                            real_macs=1.5e8, snn_energy_j=8.2e-4,
                            ann_energy_j=0.1505,
                            energy_ratio=0.1505 / 8.2e-4),
        firing_rates=FiringRates(layers={}, stages={}, mean=0.1714)
    ).to_dict())


def test_rows_from_test_json_energy_and_config(tool, tmp_path):
    metrics = write_json(tmp_path / 'test.json', {
        'pascal_voc/mAP': 0.4321, 'pascal_voc/AP50': 0.432, 'time': 0.30,
        'data_time': 0.05})
    energy = energy_json(tmp_path / 'energy.json', 'epoch_10.pth', 'test set')
    out = tmp_path / 'README.md'
    out.write_text('# Family\n\nText kept.\n')
    text = tool.main([
        '--run', f'config={T6}', f'metrics={metrics}', f'energy={energy}',
        'name=SNN-YOLOv3', 'dataset=toy set', '--hardware', '2-core CPU',
        '--out', str(out)])
    row = text.splitlines()[-1]
    cells = [c.strip() for c in row.strip('|').split('|')]
    assert cells[:7] == ['SNN-YOLOv3', '6', 'IFNeuron', 'mean', 'toy set',
                         '43.2', 'VOC AP@0.5 (11-point)']
    assert cells[7:12] == ['61.60', '32.7', '0.15', '0.171', '0.82 / 150']
    # batch size 1 (the config's test loader) / (0.30 - 0.05) s
    assert cells[12] == '4.0'
    assert cells[13] == '-'  # no train_log given
    rel = osp.relpath(T6, str(tmp_path))
    assert cells[14] == f'[config]({rel})'
    assert 'energy: 4 test images at 416x416' in cells[15]
    assert 'FPS (2-core CPU)' in text
    written = out.read_text()
    assert written.startswith('# Family\n\nText kept.\n')
    assert tool.START in written and tool.END in written
    # Running again replaces the block instead of appending another.
    tool.main(['--run', f'config={ANN}', '--hardware', '2-core CPU',
               '--out', str(out)])
    again = out.read_text()
    assert again.count(tool.START) == 1 and 'SNN-YOLOv3' not in again
    assert '| YOLOV3 | - | - | - | VOCDataset' in again


def test_val_log_synthetic_energy_and_random_init_are_labelled(tool,
                                                               tmp_path):
    log = write_json(tmp_path / 'scalars.json', [
        dict(loss=3.0, step=10),
        {'pascal_voc/mAP': 0.1, 'step': 2, 'time': 0.5},
        {'pascal_voc/mAP': 0.2, 'step': 4, 'time': 0.5},
        dict(loss=1.0, step=12),
    ], lines=True)
    energy = energy_json(tmp_path / 'e.json', None, 'synthetic')
    text = tool.main(['--run', f'config={T6}', f'metrics={log}',
                      f'energy={energy}', '--hardware', 'x'])
    assert '| 20.0 |' in text  # the last validation, not the first
    assert 'mAP from validation at step 4' in text
    assert 'synthetic noise images' in text
    assert 'random-init weights: SOPs and SNN energy not representative' \
        in text


def test_bad_runs(tool, tmp_path):
    with pytest.raises(SystemExit, match='config=... is required'):
        tool.main(['--run', 'name=x', '--hardware', 'x'])
    with pytest.raises(SystemExit, match='KEY one of'):
        tool.main(['--run', f'config={T6}', 'speed=3', '--hardware', 'x'])
    with pytest.raises(SystemExit, match='no such file'):
        tool.main(['--run', f'config={T6}', 'metrics=nope.json',
                   '--hardware', 'x'])
    empty = write_json(tmp_path / 'm.json', dict(loss=1.0))
    with pytest.raises(SystemExit, match='no line holds'):
        tool.main(['--run', f'config={T6}', f'metrics={empty}',
                   '--hardware', 'x'])
    # an energy JSON that is not get_energy.py's: one line, as above (it
    # was an uncaught InputError)
    bad_energy = write_json(tmp_path / 'e.json', dict(a=1))
    with pytest.raises(SystemExit,
                       match='benchmark_table: energy report .*e.json: not '
                       'an energy report of get_energy.py'):
        tool.main(['--run', f'config={T6}', f'energy={bad_energy}',
                   '--hardware', 'x'])


def test_metafile(tool, tmp_path, monkeypatch):
    import yaml
    monkeypatch.chdir(repo_path())
    metrics = write_json(tmp_path / 'test.json', {
        'pascal_voc/mAP': 0.25, 'time': 0.2, 'data_time': 0.0})
    energy = energy_json(tmp_path / 'energy.json', 'e.pth', 'test set')
    meta = tmp_path / 'metafile.yml'
    tool.main(['--run', f'config={T6}', f'metrics={metrics}',
               f'energy={energy}', 'dataset=toy', '--hardware', '2-core CPU',
               '--metafile', str(meta), '--collection', 'Toy'])
    with open(meta) as f:
        data = yaml.safe_load(f)
    assert data['Collections'] == [dict(Name='Toy', README=None)]
    model, = data['Models']
    assert model['Name'] == 'snn-yolov3_d53_8xb8-416-100e_voc0712_t6'
    assert model['Config'] == 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'
    assert model['Metadata']['Parameters'] == '61.60M'
    assert model['Metadata']['Time Steps'] == 6
    assert model['Metadata']['Neuron'] == 'IFNeuron'
    assert model['Metadata']['Firing rate'] == 0.1714
    assert model['Metadata']['inference time (ms/im)'][0]['value'] == 200.
    assert model['Results'] == [dict(
        Task='Object Detection', Dataset='toy',
        Metrics={'mAP (VOC AP@0.5 (11-point))': 25.0})]


@pytest.mark.parametrize('config, spiking', [
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', True),
    ('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py', False),  # stock mmdet YOLOV3
    ('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py', True),
    ('configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py', False),  # ANN twin: T=1, LeakyReLU
])
def test_ann_twins_are_not_spiking(tool, config, spiking):
    from mmengine.config import Config
    model = Config.fromfile(repo_path(config)).model
    assert tool.is_spiking(model) is spiking


@pytest.mark.parametrize('neuron, spiking', [
    ('LIFNeuron', True),
    ('SpikingJellyNeuron', True),
    ('LeakyReLU', False),
    ('ReLU', False),
])
def test_neurons_recognised_by_type_not_name(tool, neuron, spiking):
    model = dict(time_steps=2, backbone=dict(neuron_cfg=dict(type=neuron)))
    assert tool.is_spiking(model) is spiking


@pytest.mark.parametrize('neuron_cfg, label', [
    (None, 'IFNeuron'),  # no part states one: the default neuron
    (dict(type='LIFNeuron', tau=2.0), 'LIFNeuron'),
    (dict(type='SpikingJellyNeuron', node='ILIFNode'),
     'SpikingJellyNeuron(ILIFNode)'),
])
def test_neuron_column(tool, neuron_cfg, label):
    part = dict(neuron_cfg=neuron_cfg) if neuron_cfg else {}
    model = dict(time_steps=2, backbone=part, neck=dict(part))
    assert tool.neuron_label(model) == label


GEN1 = repo_path('configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py')


def test_gen1_metrics_train_time_and_note(tool, tmp_path):
    metrics = write_json(tmp_path / 'test.json', {
        'gen1/mAP': 0.1234, 'gen1/mAP_50': 0.3456, 'gen1/mAP_75': 0.1})
    log = tmp_path / 'run.log'
    # mmengine's file log: stamped lines, unstamped continuation lines.
    log.write_text(
        '2026/12/01 23:58:30 - mmengine - INFO - \n'
        'System environment:\n    sys.platform: linux\n'
        '2026/12/01 23:59:00 - mmengine - INFO - Epoch(train) [1][20/123]\n'
        '2026/12/02 00:10:00 - mmengine - INFO - Saving checkpoint at 10\n'
        'trailing unstamped line\n')
    meta = tmp_path / 'metafile.yml'
    text = tool.main([
        '--run', f'config={GEN1}', f'metrics={metrics}', f'train_log={log}',
        'note=shared the CPU with another run', '--hardware', '2-core CPU',
        '--metafile', str(meta)])
    cells = [c.strip() for c in text.splitlines()[-1].strip('|').split('|')]
    assert cells[5:7] == [
        '12.3 / 34.6', 'Gen1 protocol: COCO AP@[.5:.95] / AP@.5 (101-point)']
    assert cells[13] == '11.5'  # 23:58:30 -> 00:10:00, across midnight
    assert cells[15] == 'shared the CPU with another run'
    import yaml
    model = yaml.safe_load(meta.read_text())['Models'][0]
    assert model['Results'][0]['Metrics'] == {
        'mAP@[.5:.95] (Gen1 protocol)': 12.3, 'mAP@.5 (Gen1 protocol)': 34.6}
    assert model['Metadata']['Training Time (min)'] == 11.5


def test_train_log_without_stamps(tool, tmp_path):
    log = tmp_path / 'console.out'
    log.write_text('12/01 15:50:15 - mmengine - INFO - Epoch(train)\n')
    with pytest.raises(SystemExit, match=r'console.out: fewer than two'):
        tool.main(['--run', f'config={GEN1}', f'train_log={log}',
                   '--hardware', 'x'])


def test_ann_row_shows_only_its_mac_energy(tool, tmp_path):
    energy = energy_json(tmp_path / 'e.json', 'ann.pth', 'test set')
    text = tool.main(['--run', f'config={ANN}', f'energy={energy}',
                      '--hardware', 'x'])
    cells = [c.strip() for c in text.splitlines()[-1].strip('|').split('|')]
    assert cells[9:12] == ['-', '-', '- / 150']  # SOPs, rate, energy
