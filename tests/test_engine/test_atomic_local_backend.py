"""AtomicLocalBackend: found under its own name in mmengine's file backends
(mmengine's 'local' untouched), and its removals wait inside
deferred_removals()."""
import os

from mmengine.fileio import LocalBackend, get_file_backend

from mmsnn.engine import ATOMIC_BACKEND, AtomicLocalBackend


def test_selected_by_backend_args_only(tmp_path):
    path = str(tmp_path / 'x.pth')
    assert type(get_file_backend(path)) is LocalBackend
    backend = get_file_backend(path, backend_args=dict(backend=ATOMIC_BACKEND))
    assert type(backend) is AtomicLocalBackend
    backend.put(b'bytes', path)
    assert open(path, 'rb').read() == b'bytes'
    assert os.listdir(tmp_path) == ['x.pth']  # no temporary left


def test_removals_wait_inside_deferred_removals(tmp_path):
    backend = AtomicLocalBackend()
    old, folder = tmp_path / 'epoch_1.pth', tmp_path / 'epoch_1'
    old.write_bytes(b'old')
    folder.mkdir()
    with backend.deferred_removals() as deferred:
        backend.remove(old)
        backend.rmtree(folder)
        assert old.exists() and folder.exists()
    assert deferred == [str(old), str(folder)]
    for path in deferred:
        backend.remove_now(path)
    assert not old.exists() and not folder.exists()
    backend.remove_now(str(old))  # gone already: nothing to do
    old.write_bytes(b'again')
    backend.remove(old)  # outside the block: at once
    assert not old.exists()
