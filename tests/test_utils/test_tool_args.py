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


def test_dict_values_replace_the_config_value(capsys):
    """The recipe FiniteLossHook prints, where the config says
    clip_grad=None (mmengine's DictAction passes the text on)."""
    from mmengine.config import Config
    parser = argparse.ArgumentParser(prog='tool')
    add_runner_args(parser)
    args = parser.parse_args([
        '--cfg-options', 'optim_wrapper.clip_grad=dict(max_norm=10)',
        'a=1', '--cfg-options', 'a=2', 'b=dict(c=dict(d=[1, 2]), e="x")'
    ])
    cfg = Config(dict(optim_wrapper=dict(clip_grad=None, lr=1),
                      b=dict(c=3, f=4), a=0))
    cfg.merge_from_dict(args.cfg_options)
    assert cfg.optim_wrapper == dict(clip_grad=dict(max_norm=10), lr=1)
    assert cfg.b == dict(c=dict(d=[1, 2]), e='x')  # replaced, not merged
    assert cfg.a == 2  # given twice: the later wins
    with pytest.raises(SystemExit):
        parser.parse_args(['--cfg-options', 'x=dict(a=foo)'])
    assert "x: dict(a=foo) is not dict(KEY=VALUE, ...) with Python " \
        'literals' in capsys.readouterr().err


@pytest.mark.parametrize('kind, good, bad', [
    ('positive_int', {'3': 3}, ['0', '-1', '1.5', 'x']),
    ('non_negative_int', {'0': 0}, ['-1']),
    ('positive_float', {'0.5': 0.5}, ['0', 'nan', 'inf', '-2']),
    ('non_negative_float', {'0': 0.0}, ['-0.1']),
    ('probability', {'0': 0.0, '1': 1.0}, ['1.01', '-0.1']),
    ('percentile', {'99.9': 99.9, '100': 100.0}, ['0', '100.5']),
])
def test_numeric_option_types_refuse_values_out_of_range(
        capsys, kind, good, bad):
    import mmsnn.utils as utils
    parser = argparse.ArgumentParser(prog='tool')
    parser.add_argument('--n', type=getattr(utils, kind))
    for text, value in good.items():
        assert parser.parse_args(['--n', text]).n == value
    for text in bad:
        with pytest.raises(SystemExit):
            parser.parse_args(['--n', text])
        assert f"tool: error: argument --n: must be " in \
            capsys.readouterr().err
