"""Turn a training checkpoint into a published one, as mmdet's model zoo has
them: weights and meta only, the first 8 hex digits of the file's SHA-256
in its name (:mod:`mmsnn.conversion.publish`).

Example (the ANN twin that configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py starts
from)::

    python tools/model_converters/publish_model.py \\
        work_dirs/yolov3_minivoc/epoch_24.pth \\
        checkpoints/mini_voc/yolov3_minivoc_seed0.pth
    # -> checkpoints/mini_voc/yolov3_minivoc_seed0-<sha256[:8]>.pth
    python tools/model_converters/publish_model.py --check \\
        checkpoints/mini_voc/yolov3_minivoc_seed0-<sha256[:8]>.pth
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmsnn.conversion.publish import (check_published,  # noqa: E402
                                      load_weights_only, publish)
from mmsnn.utils import report_input_errors  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Keep only the weights and meta of a checkpoint and '
        'name it after its SHA-256 (mmdet model-zoo style).')
    parser.add_argument(
        'files', nargs='+', metavar='FILE',
        help='IN_FILE OUT_FILE: the checkpoint training wrote and where to '
        'publish it (.pth; "-<sha256[:8]>" is put before the extension); '
        'with --check, one published checkpoint')
    parser.add_argument(
        '--check', action='store_true',
        help='only check that FILE\'s bytes match the hash in its name')
    args = parser.parse_args(argv)
    if len(args.files) != (1 if args.check else 2):
        parser.error('give IN_FILE OUT_FILE, or --check FILE')
    return args


def main():
    args = parse_args()
    with report_input_errors():
        if args.check:
            sha = check_published(args.files[0])
            meta = load_weights_only(args.files[0]).get('meta') or {}
            # run_main_job.sh reads the seed from this line
            print(f'{args.files[0]}: bytes match its name (sha256 {sha}); '
                  f'trained for seed {meta.get("seed", "unknown")}, '
                  f'{meta.get("epoch", "unknown")} epochs')
            return
        final, sha = publish(*args.files)
    print(f'published {args.files[0]} as {final} (sha256 {sha})')


if __name__ == '__main__':
    main()
