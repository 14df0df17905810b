"""sha256 manifests (``sha256sum -c`` format) of generated data sets."""
import hashlib
import os
import os.path as osp
from typing import Dict, List


def file_digests(root: str) -> Dict[str, str]:
    """sha256 (hex) of every file under ``root``, keyed by its path relative
    to ``root`` ('/'-separated)."""
    digests = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            digests[osp.relpath(path, root).replace(os.sep, '/')] = digest
    return digests


def write_manifest(root: str, manifest: str) -> None:
    """Write ``root``'s :func:`file_digests` as a ``sha256sum`` file."""
    with open(manifest, 'w') as f:
        for path, digest in sorted(file_digests(root).items()):
            f.write(f'{digest}  {path}\n')


def read_manifest(manifest: str) -> Dict[str, str]:
    """The sha256 (hex) of every file a ``sha256sum`` manifest lists, keyed
    by its path."""
    with open(manifest) as f:
        return dict(
            reversed(line.rstrip('\n').split('  ', 1)) for line in f
            if line.strip())


def verify_manifest(root: str, manifest: str) -> List[str]:
    """Compare the files under ``root`` with a ``sha256sum`` manifest.

    Returns:
        list[str]: One line per file that differs, is missing or is not in
        the manifest (``'changed: JPEGImages/000003.jpg'``); empty when all
        bytes agree.
    """
    expected = read_manifest(manifest)
    found = file_digests(root)
    problems = [f'changed: {p}' for p in sorted(expected)
                if p in found and found[p] != expected[p]]
    problems += [f'missing: {p}' for p in sorted(set(expected) - set(found))]
    problems += [f'not in the manifest: {p}'
                 for p in sorted(set(found) - set(expected))]
    return problems
