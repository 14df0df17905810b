"""mmsnn/analysis/model_zoo/run_outputs.py: the files a run names."""
import pytest

from mmsnn.analysis.model_zoo import parse_run, read_metrics, train_seconds
from mmsnn.utils import InputError
from .zoo_files import T6, gen1_log, write_json


def test_parse_run_checks_keys_and_files(tmp_path):
    assert parse_run([f'config={T6}', 'name=x']) == dict(config=T6,
                                                         name='x')
    with pytest.raises(InputError, match='config=... is required'):
        parse_run(['name=x'])
    with pytest.raises(InputError, match='KEY one of'):
        parse_run([f'config={T6}', 'speed=3'])
    with pytest.raises(InputError, match='metrics=nope.json: no such file'):
        parse_run([f'config={T6}', 'metrics=nope.json'])


def test_metrics_of_a_test_json_or_the_last_validation(tmp_path):
    test = write_json(tmp_path / 't.json', {'pascal_voc/mAP': 0.4})
    assert read_metrics(test) == {'pascal_voc/mAP': 0.4}
    log = write_json(tmp_path / 'scalars.json', [
        dict(loss=3.0, step=10),
        {'pascal_voc/mAP': 0.1, 'step': 2},
        {'pascal_voc/mAP': 0.2, 'step': 4},
        dict(loss=1.0, step=12),
    ], lines=True)
    assert read_metrics(log) == {'pascal_voc/mAP': 0.2, 'step': 4}
    empty = write_json(tmp_path / 'm.json', dict(loss=1.0))
    with pytest.raises(InputError, match='no line holds'):
        read_metrics(empty)
    broken = tmp_path / 'b.json'
    broken.write_text('{"loss": 1}\n{not json\n')
    with pytest.raises(InputError, match='b.json, line 2: not JSON'):
        read_metrics(str(broken))


def test_train_time_from_the_log_stamps(tmp_path):
    assert train_seconds(gen1_log(tmp_path / 'run.log')) == 11.5 * 60
    console = tmp_path / 'console.out'
    console.write_text('12/01 15:50:15 - mmengine - INFO - Epoch(train)\n')
    with pytest.raises(InputError, match='console.out: fewer than two'):
        train_seconds(str(console))
