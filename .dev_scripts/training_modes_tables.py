"""Write the training modes' tables from their results files (developers'
script; the tables: :mod:`mmsnn.analysis.training_modes_report`).

    python .dev_scripts/training_modes_tables.py
"""
import argparse
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # mmsnn of this checkout

from mmsnn.analysis.training_modes_report import write_pages  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default=REPO,
                        help='repository root (default: this checkout)')
    args = parser.parse_args()
    for page in write_pages(args.root):
        print(f'written {page}')


if __name__ == '__main__':
    main()
