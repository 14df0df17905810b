""".dev_scripts/profile_train_step.py profiles real training steps of a
config's model on a batch of its train dataloader."""
from tests.test_tools.script_loader import load_script
from tests.tiny_voc import tiny_config_text, write_tiny_voc


def test_operators_of_a_training_step(tmp_path, capsys):
    root = write_tiny_voc(tmp_path / 'data')
    config = tmp_path / 'tiny.py'
    config.write_text(tiny_config_text(root, time_steps=2))
    events = load_script('profile_train_step.py', top='.dev_scripts').main([
        str(config), '--steps', '1', '--warmup', '0', '--by-shape',
        '--work-dir', str(tmp_path / 'work')
    ])
    names = {e.key for e in events}
    # a real step: the backward of the convolutions and an AdamW step ran
    assert 'aten::convolution_backward' in names
    assert any('AdamW' in name for name in names)
    out = capsys.readouterr().out
    assert 'profiled steps' in out and 'ms of self CPU time per step' in out
    assert 'aten::convolution_backward' in out and '[[' in out  # shapes
