"""mmsnn/analysis/model_zoo/rows.py: a run's row from its config and files."""
import pytest
from mmengine.config import Config

from mmsnn.analysis.model_zoo import (is_spiking, neuron_label, parse_run,
                                      table_row)
from mmsnn.utils import InputError
from tests.conftest import repo_path
from .zoo_files import ANN, GEN1, T6, energy_json, gen1_log, write_json


def test_row_of_a_test_json_energy_and_config(tmp_path):
    metrics = write_json(tmp_path / 'test.json', {
        'pascal_voc/mAP': 0.4321, 'pascal_voc/AP50': 0.432, 'time': 0.30,
        'data_time': 0.05})
    energy = energy_json(tmp_path / 'energy.json', 'epoch_10.pth', 'test')
    row = table_row(parse_run([f'config={T6}', f'metrics={metrics}',
                               f'energy={energy}', 'name=SNN-YOLOv3',
                               'dataset=toy set']))
    assert (row.label, row.time_steps, row.neuron, row.decoding,
            row.dataset) == ('SNN-YOLOv3', 6, 'IFNeuron', 'mean', 'toy set')
    assert row.map == pytest.approx(43.21)
    assert row.protocol == 'VOC AP@0.5 (11-point)'
    assert (row.params, row.macs_per_step, row.sops) == (61.6e6, 32.7e9,
                                                         1.5e8)
    assert (row.snn_energy_j, row.ann_energy_j) == (8.2e-4, 0.1505)
    assert row.firing_rate == 0.1714
    # batch size 1 (the config's test loader) / (0.30 - 0.05) s
    assert (row.batch_size, row.fps) == (1, pytest.approx(4.0))
    assert row.train_s is None  # no train_log given
    assert row.notes == ['energy: 4 test images at 416x416']


def test_validation_log_synthetic_images_random_weights_labelled(tmp_path):
    log = write_json(tmp_path / 'scalars.json', [
        {'pascal_voc/mAP': 0.1, 'step': 2, 'time': 0.5},
        {'pascal_voc/mAP': 0.2, 'step': 4, 'time': 0.5}], lines=True)
    energy = energy_json(tmp_path / 'e.json', None, 'synthetic')
    row = table_row(parse_run([f'config={T6}', f'metrics={log}',
                               f'energy={energy}']))
    assert row.map == pytest.approx(20.0)  # the last validation
    assert row.batch_size == 1  # the val loader's
    assert row.notes == [
        'mAP from validation at step 4',
        'energy: 4 synthetic noise images at 416x416',
        'random-init weights: SOPs and SNN energy not representative']


def test_gen1_metrics_train_time_and_note(tmp_path):
    metrics = write_json(tmp_path / 'test.json', {
        'gen1/mAP': 0.1234, 'gen1/mAP_50': 0.3456, 'gen1/mAP_75': 0.1})
    row = table_row(parse_run([
        f'config={GEN1}', f'metrics={metrics}',
        f'train_log={gen1_log(tmp_path / "run.log")}',
        'note=shared the CPU with another run']))
    assert (row.map, row.map_50) == (pytest.approx(12.34),
                                     pytest.approx(34.56))
    assert row.protocol.startswith('Gen1 protocol')
    assert row.train_s == 690
    assert row.notes == ['shared the CPU with another run']


def test_an_ann_row_has_only_its_mac_energy(tmp_path):
    energy = energy_json(tmp_path / 'e.json', 'ann.pth', 'test')
    row = table_row(parse_run([f'config={ANN}', f'energy={energy}']))
    assert row.label == 'YOLOV3' and row.time_steps is None
    assert (row.sops, row.firing_rate, row.snn_energy_j) == (None,) * 3
    assert row.ann_energy_j == 0.1505
    assert row.dataset == 'VOCDataset VOC2007/ImageSets/Main/test.txt'


def test_an_energy_file_of_another_tool_is_refused(tmp_path):
    bad = write_json(tmp_path / 'e.json', dict(a=1))
    with pytest.raises(InputError, match='e.json: not an energy report'):
        table_row(parse_run([f'config={T6}', f'energy={bad}']))


@pytest.mark.parametrize('config, spiking', [
    ('configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py', True),
    # stock mmdet YOLOV3
    ('configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py', False),
    ('configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py', True),
    # ANN twin: T=1, LeakyReLU
    ('configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py', False),
])
def test_ann_twins_are_not_spiking(config, spiking):
    model = Config.fromfile(repo_path(config)).model
    assert is_spiking(model) is spiking


@pytest.mark.parametrize('neuron, spiking', [
    ('LIFNeuron', True),
    ('SpikingJellyNeuron', True),
    ('LeakyReLU', False),
    ('ReLU', False),
])
def test_neurons_recognised_by_type_not_name(neuron, spiking):
    model = dict(time_steps=2, backbone=dict(neuron_cfg=dict(type=neuron)))
    assert is_spiking(model) is spiking


@pytest.mark.parametrize('neuron_cfg, label', [
    (None, 'IFNeuron'),  # no part states one: the default neuron
    (dict(type='LIFNeuron', tau=2.0), 'LIFNeuron'),
    (dict(type='SpikingJellyNeuron', node='ILIFNode'),
     'SpikingJellyNeuron(ILIFNode)'),
])
def test_neuron_column(neuron_cfg, label):
    part = dict(neuron_cfg=neuron_cfg) if neuron_cfg else {}
    model = dict(time_steps=2, backbone=part, neck=dict(part))
    assert neuron_label(model) == label
