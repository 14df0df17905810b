""".dev_scripts/profile_train_step.py profiles real training steps of a
config's model on a batch of its train dataloader."""
from tests.conftest import repo_path
from tests.test_tools.tool_runner import run_script
from tests.tiny_voc import tiny_config_text, write_tiny_voc


def test_operators_of_a_training_step(tmp_path):
    root = write_tiny_voc(tmp_path / 'data')
    config = tmp_path / 'tiny.py'
    config.write_text(tiny_config_text(root, time_steps=2))
    result = run_script(
        repo_path('.dev_scripts', 'profile_train_step.py'), config,
        '--steps', '1', '--warmup', '0', '--by-shape', '--rows', '100000',
        '--work-dir',
        tmp_path / 'work', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert 'profiled steps' in out and 'ms of self CPU time per step' in out
    # a real step: the backward of the convolutions and an AdamW step ran
    assert 'aten::convolution_backward' in out and '[[' in out  # shapes
    assert 'AdamW' in out
