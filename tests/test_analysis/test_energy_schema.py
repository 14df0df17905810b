"""The energy report's typed schema: what the analyzer builds, the tool
writes and the table writer and plots read."""
import json

import pytest
import torch
import torch.nn as nn
from mmdet.registry import MODELS

from mmsnn.analysis import EnergyReport, SpikeOpAnalyzer
from mmsnn.analysis.energy_report import format_summary
from mmsnn.utils import InputError
from ..conftest import tiny_snn_yolov3_cfg


@pytest.fixture(scope='module')
def report():
    torch.manual_seed(0)
    model = MODELS.build(tiny_snn_yolov3_cfg(time_steps=2)).eval()
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0., 1.)
    analyzer = SpikeOpAnalyzer(model)
    analyzer.forward(torch.rand(1, 3, 32, 32))
    return analyzer.energy_report()


def test_typed_and_consistent(report):
    assert report.time_steps == 2 and report.num_images == 1
    assert report.totals.sops == pytest.approx(
        sum(layer.sops for layer in report.layers))
    assert report.totals.macs_per_step == pytest.approx(
        sum(s.macs_per_step for s in report.stages.values()))
    assert 0 < report.firing_rates.mean < 1
    assert report.chip.time_steps == 2


def test_json_round_trip(report, tmp_path):
    path = tmp_path / 'energy.json'
    path.write_text(json.dumps(report.to_dict()))
    loaded = EnergyReport.load(str(path))
    assert loaded == report
    # the dict form is what the formatters accept too
    assert format_summary(report.to_dict()) == format_summary(loaded)


def test_bad_files_named(report, tmp_path):
    data = report.to_dict()
    del data['totals']
    path = tmp_path / 'e.json'
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"e\.json.*'totals' is missing"):
        EnergyReport.load(str(path))
    data = report.to_dict()
    data['totals']['joules'] = 1.
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"e\.json.*joules"):
        EnergyReport.load(str(path))
    path.write_text('not json')
    with pytest.raises(InputError, match='cannot read it as JSON'):
        EnergyReport.load(str(path))
