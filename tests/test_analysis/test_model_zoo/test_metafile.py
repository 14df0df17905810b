"""mmsnn/analysis/model_zoo/metafile.py: rows as an mmdet metafile, and
the metafile read back as the same table."""
import pytest

from mmsnn.analysis.model_zoo import (ZooRow, markdown, metafile,
                                      rows_from_metafile)
from mmsnn.utils import InputError
from tests.conftest import repo_path

T6 = 'configs/snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'
GEN1 = 'configs/events/snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py'
ANN = 'configs/snn_yolov3/yolov3_d53_8xb8-416-100e_voc0712.py'

ROWS = [
    ZooRow(label='SNN', config=T6, dataset='toy', time_steps=6,
           neuron='IFNeuron', decoding='mean', map=25.04,
           protocol='VOC AP@0.5 (11-point)', params=61.6e6,
           macs_per_step=32.7e9, sops=1.5e8, firing_rate=0.17143,
           snn_energy_j=8.2e-4, ann_energy_j=0.1505, fps=5.0, batch_size=8,
           notes=['a note']),
    ZooRow(label='Gen1 SNN', config=GEN1, dataset='mini-Gen1', time_steps=4,
           neuron='LIFNeuron', decoding='mean', map=12.34, map_50=34.56,
           protocol='Gen1 protocol: COCO AP@[.5:.95] / AP@.5 (101-point)',
           train_s=690),
    ZooRow(label='ANN', config=ANN, dataset='toy'),
]


def test_metafile_fields(monkeypatch):
    monkeypatch.chdir(repo_path())
    data = metafile(ROWS, 'Toy', None, '2-core CPU')
    assert data['Collections'] == [dict(Name='Toy', README=None)]
    snn, gen1, ann = data['Models']
    assert snn['Name'] == 'snn-yolov3_d53_8xb8-416-100e_voc0712_t6'
    assert snn['Config'] == T6
    meta = snn['Metadata']
    assert (meta['Parameters'], meta['MACs per step'], meta['SOPs']) == \
        ('61.60M', '32.7G', '0.15G')
    assert (meta['Time Steps'], meta['Neuron'], meta['Firing rate']) == \
        (6, 'IFNeuron', 0.1714)
    assert (meta['SNN energy (mJ)'], meta['ANN energy (mJ)']) == (0.82, 150.)
    assert meta['inference time (ms/im)'] == [{
        'value': 200., 'hardware': '2-core CPU', 'backend': 'PyTorch',
        'batch size': 8, 'mode': 'FP32'}]
    assert meta['Notes'] == ['a note']
    assert snn['Results'] == [dict(
        Task='Object Detection', Dataset='toy',
        Metrics={'mAP (VOC AP@0.5 (11-point))': 25.0})]
    assert gen1['Results'][0]['Metrics'] == {
        'mAP@[.5:.95] (Gen1 protocol)': 12.3, 'mAP@.5 (Gen1 protocol)': 34.6}
    assert gen1['Metadata']['Training Time (min)'] == 11.5
    assert gen1['Metadata']['Training Resources'] == '2-core CPU'
    assert 'Results' not in ann and 'Time Steps' not in ann['Metadata']


def test_metafile_read_back_prints_the_same_table(monkeypatch):
    """The table a family's README shows is written from its metafile: it
    must be the table of the runs the metafile was written from."""
    monkeypatch.chdir(repo_path())
    back = rows_from_metafile(metafile(ROWS, 'Toy', None, '2-core CPU'))
    assert markdown(back, 'x', '.') == markdown(ROWS, 'x', '.')
    assert back[0].batch_size == 8 and back[1].train_s == 690


def test_a_malformed_entry_is_named():
    entry = dict(Name='m', Config=T6, Metadata=dict(Parameters=61.6))
    with pytest.raises(InputError, match=r"zoo.yml, model m: expected a "
                       r"number ending in 'M'"):
        rows_from_metafile(dict(Models=[entry]), 'zoo.yml')
