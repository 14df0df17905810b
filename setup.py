"""Install mmsnn: spiking neural network detectors for MMDetection 3.x.

The heavy dependencies (torch, mmcv with ops) are installed by
``tools/setup_env.sh``, which pins the CPU build of torch and uses a prebuilt
mmcv wheel when one fits; ``install_requires`` only names what must be there.
"""
import os.path as osp

from setuptools import find_packages, setup


def read_version():
    namespace = {}
    with open(osp.join(osp.dirname(__file__), 'mmsnn', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='mmsnn',
    version=read_version(),
    description='Spiking neural network detectors (SNN-YOLOv3) for MMDetection',
    long_description=open('README.md', encoding='utf-8').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
    python_requires='>=3.8',
    # Not torch/spikingjelly: pip would resolve them to CUDA builds or drag in
    # torchvision/torchaudio. See tools/setup_env.sh.
    install_requires=['mmengine>=0.10.0,<1.0', 'mmdet>=3.3.0,<3.4', 'numpy<2'],
    license='Apache License 2.0',
    zip_safe=False)
