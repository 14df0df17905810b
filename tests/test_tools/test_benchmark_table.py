"""tools/analysis_tools/benchmark_table.py: the command line on run outputs
made in the test (its logic: tests/test_analysis/test_model_zoo/)."""
import subprocess
import sys

import yaml

from tests.conftest import repo_path
from tests.test_analysis.test_model_zoo.zoo_files import (T6, energy_json,
                                                          write_json)

TOOL = repo_path('tools', 'analysis_tools', 'benchmark_table.py')


def _run(*args, cwd):
    return subprocess.run([sys.executable, TOOL, *map(str, args)],
                          capture_output=True, text=True, cwd=str(cwd))


def test_table_page_and_metafile(tmp_path):
    metrics = write_json(tmp_path / 'test.json', {
        'pascal_voc/mAP': 0.4321, 'time': 0.30, 'data_time': 0.05})
    energy = energy_json(tmp_path / 'energy.json', 'epoch_10.pth', 'test')
    page = tmp_path / 'README.md'
    page.write_text('# Family\n')
    result = _run('--run', f'config={T6}', f'metrics={metrics}',
                  f'energy={energy}', 'name=SNN-YOLOv3', '--hardware',
                  '2-core CPU', '--title', 'Toy runs:', '--out', page,
                  '--metafile', tmp_path / 'metafile.yml', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('Toy runs:\n\n| Model |')
    assert '| SNN-YOLOv3 | 6 | IFNeuron | mean |' in result.stdout
    assert page.read_text().startswith('# Family\n\n<!-- benchmark_table')
    meta = yaml.safe_load((tmp_path / 'metafile.yml').read_text())
    assert meta['Collections'] == [dict(Name='SNN-YOLOv3',
                                        README='README.md')]
    assert meta['Models'][0]['Results'][0]['Metrics'] == {
        'mAP (VOC AP@0.5 (11-point))': 43.2}


def test_bad_input_is_one_paragraph(tmp_path):
    result = _run('--run', f'config={T6}', 'metrics=nope.json',
                  '--hardware', 'x', cwd=tmp_path)
    assert result.returncode == 2
    assert 'mmsnn error: --run metrics=nope.json: no such file' in \
        result.stderr
    assert 'Traceback' not in result.stderr
