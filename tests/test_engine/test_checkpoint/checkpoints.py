"""Checkpoint files for the tests of mmsnn.engine.checkpoint: a tiny SNN's,
as a runner's run or a model zoo would write them."""
import torch


def save(module, path):
    """A checkpoint of ``module``'s weights with an empty meta."""
    torch.save({'state_dict': module.state_dict(), 'meta': {}}, path)
    return str(path)


def save_run(module, path, epoch, cfg_text=None, **extra):
    """A run's checkpoint at ``epoch`` (10 iterations an epoch), with the
    config text in its meta as mmengine stores it."""
    meta = dict(epoch=epoch, iter=epoch * 10)
    if cfg_text:
        meta['cfg'] = cfg_text
    torch.save(dict(state_dict=module.state_dict(), meta=meta, **extra),
               path)
    return str(path)


def ann_twin_text(model_cfg):
    """A config text as mmengine stores it in meta: the ANN twin of a model
    config (its neurons LeakyReLU, as configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py)."""
    from mmengine.config import Config
    from tests.conftest import ann_twin
    return Config(dict(model=ann_twin(model_cfg))).pretty_text


def model_text(model_cfg):
    """The config text of a model config, as mmengine stores it."""
    from mmengine.config import Config
    return Config(dict(model=model_cfg)).pretty_text


class Reduce:
    """Pickles as the call ``func(*args)``, as a malicious file would."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def evil_checkpoint(path, payload):
    """A checkpoint whose meta pickles ``payload``."""
    torch.save({'state_dict': {}, 'meta': {'epoch': 1, 'x': payload}}, path)
    return str(path)
