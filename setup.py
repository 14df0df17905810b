"""Install mmsnn: spiking neural network detectors for MMDetection 3.x.

The heavy dependencies (torch, mmcv with ops) are installed by
``tools/setup_env.sh``, which pins the CPU build of torch and uses a prebuilt
mmcv wheel when one fits; ``install_requires`` only names what must be there.

As mmdet's setup.py does, the configs, tools and model index travel inside
the package as ``mmsnn/.mim/`` (links for an editable install, copies in the
built package for ``pip install .`` and wheels), so that an installed mmsnn
serves ``_base_ = 'mmsnn::snn_yolov3/snn-yolov3_d53_8xb8-416-100e_voc0712_t6.py'`` to any
config.
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


def link_mim_files():
    """Editable installs (``pip install -e .``): ``mmsnn/.mim`` holds links
    to :data:`MIM_FILES` of this checkout, so edits to configs take effect.

    Builds never write into the checkout: :class:`BuildPy` copies the files
    into the built package instead. (mmdet's setup.py copies them into the
    source tree, where they replace an editable install's links and go
    stale.)
    """
    if not {'develop', 'editable_wheel'} & set(sys.argv):
        return
    mim_path = osp.join(HERE, 'mmsnn', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        dst = osp.join(mim_path, name)
        remove_path(dst)
        os.symlink(osp.relpath(osp.join(HERE, name), mim_path), dst)


def remove_path(path):
    if osp.islink(path) or osp.isfile(path):
        os.remove(path)
    elif osp.isdir(path):
        shutil.rmtree(path)


class BuildPy(build_py):
    """``build_py`` that starts from an empty ``build/lib`` and puts copies
    of :data:`MIM_FILES` into the built package's ``mmsnn/.mim``.

    setuptools copies into what an earlier build left in the checkout's
    ``build/lib``, and the wheel packs all of it: modules deleted or moved
    since, and packages an older setup.py listed (a top-level ``tests``),
    would be installed again. Temporary build folders are left alone.
    """

    def run(self):
        build_lib = osp.abspath(self.build_lib)
        build_dir = osp.join(HERE, 'build')
        if osp.isdir(build_lib) and osp.commonpath(
                [build_lib, build_dir]) == build_dir:
            shutil.rmtree(build_lib)
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # link_mim_files' links serve
        mim_path = osp.join(build_lib, 'mmsnn', '.mim')
        os.makedirs(mim_path, exist_ok=True)
        for name in MIM_FILES:
            src, dst = osp.join(HERE, name), osp.join(mim_path, name)
            remove_path(dst)
            if osp.isdir(src):
                shutil.copytree(
                    src, dst,
                    ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))
            else:
                shutil.copyfile(src, dst)


if __name__ == '__main__':
    link_mim_files()
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
        python_requires='>=3.8',
        # Not torch/spikingjelly: pip would resolve them to CUDA builds or
        # drag in torchvision/torchaudio. See tools/setup_env.sh.
        install_requires=[
            'mmengine>=0.10.0,<1.0', 'mmdet>=3.3.0,<3.4', 'numpy<2'
        ],
        cmdclass={'build_py': BuildPy},
        license='Apache License 2.0',
        zip_safe=False)
