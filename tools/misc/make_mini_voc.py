"""Write mini-VOC: a small synthetic detection data set in PASCAL VOC format
(:mod:`mmsnn.datasets.synthetic.mini_voc`).

The bytes are pinned: ``mini_voc_manifest.sha256`` beside this script holds
the sha256 of every file the default arguments write (``sha256sum -c``
format, paths relative to ``VOCdevkit/MiniVOC``), and ``--verify`` checks
the data against it. Drawing avoids CPU-dependent code paths: OpenCV's
optimised kernels are off while drawing, and numpy's AVX-512 kernels are
off when this runs as a script (they must be disabled before numpy is
imported), so every x86-64 machine with AVX2 draws what the machine that
wrote the manifest did.

Example:
    python tools/misc/make_mini_voc.py --out data/mini_voc
    # the main job: write it unless this version already wrote it there,
    # then check its bytes against the shipped manifest
    python tools/misc/make_mini_voc.py --out data/mini_voc --if-outdated \
        --verify
"""
import argparse
import os
import os.path as osp
import platform
import sys

if platform.machine() in ('x86_64', 'AMD64'):
    # numpy's AVX-512 loops (sin, cos, exp, reductions) round differently
    # from its AVX2 ones; read once, when numpy is imported.
    os.environ.setdefault(
        'NPY_DISABLE_CPU_FEATURES',
        'AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL '
        'AVX512_SPR')

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from mmsnn.datasets.synthetic import (mini_voc, verify_manifest,  # noqa: E402
                                      write_manifest)
from mmsnn.utils import number_type, positive_int  # noqa: E402

MANIFEST = osp.join(osp.dirname(osp.abspath(__file__)),
                    'mini_voc_manifest.sha256')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Write the synthetic mini-VOC data set (VOC format).')
    parser.add_argument(
        '--out', default='data/mini_voc',
        help='output folder; VOCdevkit/MiniVOC is written inside it')
    parser.add_argument(
        '--num-trainval', type=positive_int, default=mini_voc.NUM_TRAINVAL,
        help='number of trainval images')
    parser.add_argument(
        '--num-test', type=positive_int, default=mini_voc.NUM_TEST,
        help='number of test images')
    parser.add_argument(
        '--max-objects', type=number_type(int, 'an integer >= 2', low=2),
        default=mini_voc.MAX_OBJECTS,
        help='most objects per image (at least 2)')
    parser.add_argument(
        '--seed', type=int, default=mini_voc.SEED, help='random seed')
    parser.add_argument(
        '--workers', type=positive_int, default=os.cpu_count() or 1,
        help='processes that draw images (default: one per CPU core); the '
        'bytes do not depend on it')
    parser.add_argument(
        '--if-outdated',
        action='store_true',
        help='do nothing when --out already holds a complete data set '
        'written by this version of the generator with these arguments')
    parser.add_argument(
        '--verify',
        nargs='?',
        const=MANIFEST,
        metavar='MANIFEST',
        help='then check every file against a sha256 manifest (default: '
        'the shipped one, for the default arguments); exit 1 on a '
        'difference')
    parser.add_argument(
        '--write-manifest',
        metavar='MANIFEST',
        help='then write the sha256 manifest of the data to this file')
    return parser.parse_args()


def main():
    args = parse_args()
    data_args = (args.num_trainval, args.num_test, args.max_objects,
                 args.seed)
    devkit = osp.join(args.out, 'VOCdevkit')
    if args.if_outdated and mini_voc.is_current(args.out, *data_args):
        print(f'mini-VOC in {args.out} is up to date (generator version '
              f'{mini_voc.GENERATOR_VERSION}); nothing written')
    else:
        counts = {}
        mini_voc.make_mini_voc(args.out, *data_args, counts, args.workers)
        for split, split_counts in counts.items():
            print(f'{split}: ' + ', '.join(f'{k} {v}'
                                           for k, v in split_counts.items()))
        print(f'mini-VOC written to {devkit}')
    root = osp.join(devkit, mini_voc.YEAR_FOLDER)
    if args.write_manifest:
        write_manifest(root, args.write_manifest)
        print(f'manifest of {root} written to {args.write_manifest}')
    if args.verify:
        problems = verify_manifest(root, args.verify)
        if problems:
            shown = '; '.join(problems[:5]) + (
                f' and {len(problems) - 5} more' if len(problems) > 5 else '')
            print(
                f'make_mini_voc: {len(problems)} files in {root} differ from '
                f'the manifest {args.verify} ({shown}). This machine '
                f'(numpy {np.__version__}, opencv {cv2.__version__}, '
                f'{platform.machine()}) drew other bytes than the machine '
                'that wrote the manifest, so mAPs trained on this data are '
                'not comparable with the published ones; expected are the '
                'pinned versions (requirements/runtime.txt) on an x86-64 CPU.',
                file=sys.stderr)
            sys.exit(1)
        print(f'mini-VOC in {root} matches {args.verify} byte for byte')


if __name__ == '__main__':
    main()
