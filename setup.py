"""Install mmsnn: spiking neural network detectors for MMDetection 3.x.

The heavy dependencies (torch, mmcv with ops) are installed by
``tools/setup_env.sh``, which pins the CPU build of torch and uses a prebuilt
mmcv wheel when one fits; ``install_requires`` only names what must be there.

As mmdet's setup.py does, the configs, tools and model index travel inside
the package as ``mmsnn/.mim/`` (symlinks for an editable install, copies for
``pip install .`` and wheels), so that an installed mmsnn serves
``_base_ = 'mmsnn::snn_yolov3/snn_yolov3_d53_voc_t6.py'`` to any config.
"""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))
# What mmengine's `mmsnn::` lookup and `mim` read from <package>/.mim.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_version():
    namespace = {}
    with open(osp.join(HERE, 'mmsnn', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


def add_mim_extension():
    """Put :data:`MIM_FILES` into ``mmsnn/.mim``: symlinks when installed in
    editable mode (``pip install -e .``: edits to configs take effect), copies
    when a wheel or sdist is built (``pip install .``)."""
    if {'develop', 'editable_wheel'} & set(sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'build_py'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(HERE, 'mmsnn', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim_path, name)
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst,
                ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
        else:
            shutil.copyfile(src, dst)


class FreshBuildPy(build_py):
    """``build_py`` that empties the checkout's ``build/lib`` first.

    setuptools copies into what an earlier build left there, and the wheel
    packs all of it: modules deleted or moved since, and packages an older
    setup.py listed (a top-level ``tests``), would be installed again.
    Temporary build folders (editable installs) are left alone.
    """

    def run(self):
        build_lib = osp.abspath(self.build_lib)
        if osp.isdir(build_lib) and osp.commonpath(
                [build_lib, osp.join(HERE, 'build')]) == osp.join(
                    HERE, 'build'):
            shutil.rmtree(build_lib)
        super().run()


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmsnn',
        version=read_version(),
        description='Spiking neural network detectors (SNN-YOLOv3) for '
        'MMDetection',
        long_description=open(osp.join(HERE, 'README.md'),
                              encoding='utf-8').read()
        if osp.exists(osp.join(HERE, 'README.md')) else '',
        long_description_content_type='text/markdown',
        packages=find_packages(include=('mmsnn', 'mmsnn.*')),
        # mmsnn/.mim (MANIFEST.in lists what it holds).
        include_package_data=True,
        python_requires='>=3.8',
        # Not torch/spikingjelly: pip would resolve them to CUDA builds or
        # drag in torchvision/torchaudio. See tools/setup_env.sh.
        install_requires=[
            'mmengine>=0.10.0,<1.0', 'mmdet>=3.3.0,<3.4', 'numpy<2'
        ],
        cmdclass={'build_py': FreshBuildPy},
        license='Apache License 2.0',
        zip_safe=False)
