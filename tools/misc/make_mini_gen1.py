"""Write mini-Gen1: a small synthetic event-camera data set in Gen1's format
(:mod:`mmsnn.datasets.synthetic.mini_gen1`).

Example:
    python tools/misc/make_mini_gen1.py --out data/mini_gen1
    python tools/misc/make_mini_gen1.py --out data/mini_gen1 --if-outdated
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmsnn.datasets.synthetic import mini_gen1  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/mini_gen1')
    parser.add_argument('--size', choices=sorted(mini_gen1.SIZES),
                        default='default')
    parser.add_argument('--seed', type=int, default=mini_gen1.SEED)
    parser.add_argument('--if-outdated', action='store_true',
                        help='do nothing if this version already wrote it')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.if_outdated and mini_gen1.is_current(args.out, args.size,
                                                 args.seed):
        print(f'{args.out} is current (mini-Gen1 v{mini_gen1.VERSION}); '
              'nothing to do')
        return
    total = mini_gen1.make_mini_gen1(args.out, args.size, args.seed)
    print(f'wrote mini-Gen1 ({args.size}, {total} events) to {args.out}')


if __name__ == '__main__':
    main()
