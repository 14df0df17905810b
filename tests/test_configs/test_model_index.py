"""model-index.yml and the metafiles it imports: files exist, numbers hold."""
import os.path as osp

import pytest
import yaml
from mmdet.registry import MODELS

from ..conftest import load_config, repo_path


def metafiles():
    with open(repo_path('model-index.yml')) as f:
        index = yaml.safe_load(f)
    return index['Import']


def models():
    for path in metafiles():
        with open(repo_path(path)) as f:
            yield from yaml.safe_load(f)['Models']


def test_imports_and_configs_exist():
    assert metafiles()
    for path in metafiles():
        assert osp.isfile(repo_path(path)), path
        with open(repo_path(path)) as f:
            meta = yaml.safe_load(f)
        collections = {c['Name'] for c in meta['Collections']}
        for c in meta['Collections']:
            assert osp.isfile(repo_path(c['README'])), c['README']
        for model in meta['Models']:
            assert model['In Collection'] in collections, model['Name']
            assert osp.isfile(repo_path(model['Config'])), model['Config']
            # mmdet's convention: a model is named after its config.
            assert model['Name'] == osp.splitext(
                osp.basename(model['Config']))[0]


@pytest.mark.parametrize('model', list(models()), ids=lambda m: m['Name'])
def test_parameter_counts(model):
    if 'Parameters' not in model['Metadata']:
        pytest.skip('no operation count of this run')
    cfg = load_config(model['Config'])
    built = MODELS.build(cfg.model)
    params = sum(p.numel() for p in built.parameters())
    assert f'{params / 1e6:.2f}M' == model['Metadata']['Parameters']
