"""mmsnn.utils.tool_args: what the tools' command lines share."""
import argparse
import os

import pytest

from mmsnn.utils import (InputError, add_runner_args, check_config_file,
                         parse_runner_args)


def test_runner_args_as_mmdet_parses_them(monkeypatch):
    parser = argparse.ArgumentParser()
    add_runner_args(parser)
    monkeypatch.delenv('LOCAL_RANK', raising=False)
    args = parse_runner_args(parser, [
        '--cfg-options', 'time_steps=6', 'model.backbone.frozen_stages=2',
        '--launcher', 'pytorch', '--local-rank', '3'
    ])
    assert args.cfg_options == {
        'time_steps': 6,
        'model.backbone.frozen_stages': 2
    }
    assert args.launcher == 'pytorch'
    assert os.environ['LOCAL_RANK'] == '3'  # exported for the runner
    # A launcher's own LOCAL_RANK (torchrun) wins over the default.
    monkeypatch.setenv('LOCAL_RANK', '1')
    parse_runner_args(parser, [])
    assert os.environ['LOCAL_RANK'] == '1'
    with pytest.raises(SystemExit):
        parse_runner_args(parser, ['--launcher', 'torchrun'])


def test_malformed_cfg_options_are_a_usage_error_naming_the_pair(capsys):
    parser = argparse.ArgumentParser(prog='tool')
    add_runner_args(parser)
    args = parser.parse_args(['--cfg-options', 'train_cfg.max_epochs=2'])
    assert args.cfg_options == {'train_cfg.max_epochs': 2}
    for bad in ('badsyntax', '=2'):
        with pytest.raises(SystemExit) as stop:
            parser.parse_args(['--cfg-options', 'a=1', bad])
        assert stop.value.code == 2
        assert (f"tool: error: --cfg-options: {bad!r} is not KEY=VALUE"
                in capsys.readouterr().err)


def test_config_argument_is_checked(tmp_path):
    config = tmp_path / 'cfg.py'
    config.write_text('x = 1\n')
    check_config_file(str(config))
    for path, what in ((tmp_path / 'none.py', 'does not exist'),
                       (tmp_path, 'is a directory'),
                       (tmp_path / 'ckpt.pth', 'is not a config file')):
        if path.suffix == '.pth':
            path.write_bytes(b'')
        with pytest.raises(InputError, match=what) as e:
            check_config_file(str(path))
        assert f'Config {path} (absolute: {path})' in str(e.value)
