"""Turn a training checkpoint into a published one, as mmdet's model zoo has
them: weights and meta only, the first 8 hex digits of the file's SHA-256
in its name.

Example (the ANN twin that configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py starts
from)::

    python tools/model_converters/publish_model.py \\
        work_dirs/yolov3_minivoc/epoch_24.pth \\
        checkpoints/mini_voc/yolov3_minivoc_seed0.pth
    # -> checkpoints/mini_voc/yolov3_minivoc_seed0-<sha256[:8]>.pth
    python tools/model_converters/publish_model.py --check \\
        checkpoints/mini_voc/yolov3_minivoc_seed0-<sha256[:8]>.pth

Unlike mmdet's ``publish_model.py``, the checkpoint is read with
``torch.load(weights_only=True)`` (no pickled code runs), the output is
written to a temporary file and renamed into place (an interrupted run
leaves no half-written checkpoint), and :func:`check_published` lets a job
refuse a published file whose bytes no longer match its name.
"""
import argparse
import hashlib
import os
import os.path as osp
import re
import sys
import tempfile
from typing import Tuple

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

import torch  # noqa: E402

from mmsnn.utils import InputError, report_input_errors  # noqa: E402

#: What a published checkpoint keeps: ``load_from`` reads only the weights;
#: the meta says what trained them (config text, seed, mmengine version).
KEPT_KEYS = ('meta', 'state_dict')
#: ``<name>-<8 hex digits>.pth``, the digits starting the file's SHA-256.
_PUBLISHED_NAME = re.compile(r'-([0-9a-f]{8})\.pth$')


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


def file_sha256(path: str) -> str:
    """Hex SHA-256 of the bytes of ``path``."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def check_published(path: str) -> str:
    """Check that a published checkpoint's bytes match its name.

    Args:
        path (str): ``<name>-<sha256[:8]>.pth``.

    Returns:
        str: The file's full SHA-256.

    Raises:
        InputError: The file is missing, its name carries no hash, or its
            SHA-256 does not start with the name's.
    """
    if not osp.isfile(path):
        raise InputError(f'published checkpoint {path} does not exist')
    match = _PUBLISHED_NAME.search(osp.basename(path))
    if match is None:
        raise InputError(
            f'{path}: a published checkpoint is named '
            '<name>-<first 8 hex digits of its SHA-256>.pth '
            '(tools/model_converters/publish_model.py)')
    sha = file_sha256(path)
    if not sha.startswith(match.group(1)):
        raise InputError(
            f'{path}: its SHA-256 is {sha}, but its name says it starts '
            f'with {match.group(1)}: the file was changed or damaged since '
            'it was published; restore it (git checkout -- FILE) or '
            'publish it again')
    return sha


def load_weights_only(path: str):
    """``torch.load(path, weights_only=True)`` (no pickled code runs), or an
    InputError naming the file."""
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except Exception as error:  # torch names no single class for this
        raise InputError(
            f'{path} is not a checkpoint torch.load(weights_only=True) '
            f'can read: {error}') from error


def publish(in_file: str, out_file: str) -> Tuple[str, str]:
    """Write the weights and meta of ``in_file`` as a published checkpoint.

    Args:
        in_file (str): A checkpoint with a ``state_dict`` (mmengine's).
        out_file (str): ``<name>.pth``; the result is
            ``<name>-<sha256[:8]>.pth`` beside it.

    Returns:
        tuple[str, str]: The path written and its SHA-256.
    """
    if not out_file.endswith('.pth'):
        raise InputError(f'out_file must end in .pth, got {out_file}')
    if not osp.isfile(in_file):
        raise InputError(f'in_file {in_file} does not exist')
    checkpoint = load_weights_only(in_file)
    if not isinstance(checkpoint, dict) or not isinstance(
            checkpoint.get('state_dict'), dict):
        raise InputError(
            f'{in_file} has no state_dict: it is not a training checkpoint '
            '(tools/train.py writes them)')
    published = {key: checkpoint[key] for key in KEPT_KEYS
                 if key in checkpoint}
    folder = osp.dirname(osp.abspath(out_file))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix='.pth.tmp', dir=folder)
    os.close(fd)
    try:
        torch.save(published, tmp)
        sha = file_sha256(tmp)
        final = f'{out_file[:-4]}-{sha[:8]}.pth'
        os.chmod(tmp, 0o644)  # mkstemp's 0o600 would hide it from others
        os.replace(tmp, final)
    except BaseException:
        os.remove(tmp)
        raise
    return final, sha


def main(argv=None):
    args = parse_args(argv)
    with report_input_errors():
        if args.check:
            sha = check_published(args.files[0])
            meta = load_weights_only(args.files[0]).get('meta') or {}
            # run_main_job.sh reads the seed from this line
            print(f'{args.files[0]}: bytes match its name (sha256 {sha}); '
                  f'trained for seed {meta.get("seed", "unknown")}, '
                  f'{meta.get("epoch", "unknown")} epochs')
            return args.files[0]
        final, sha = publish(*args.files)
    print(f'published {args.files[0]} as {final} (sha256 {sha})')
    return final


if __name__ == '__main__':
    main()
