"""``import mmsnn`` adds mmsnn's registry entries and changes nothing else of
the process: mmengine's checkpoint loaders and file backends, every
registry's entries, torch's defaults and weights-only allowlist, warnings
filters, loggers, signal handlers, mmengine's MODULE2PACKAGE, ...

Measured in fresh interpreters (tests/process_state.py): the first lists
the third-party modules ``import mmsnn`` loads; the second imports those
first (their own registrations are theirs), snapshots, imports mmsnn and
snapshots again. The same run then applies side effects a plugin must not
have, one by one, and each must show in the snapshot."""
import json
import subprocess
import sys

from tests.process_state import MUTATIONS
from tests.tiny_voc import REPO_ROOT


def _python(*args):
    result = subprocess.run([sys.executable, *args], cwd=REPO_ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_import_mmsnn_adds_its_entries_and_changes_nothing_else(tmp_path):
    modules = _python('-c', 'import sys, mmsnn\nprint("\\n".join(m for m in '
                      'sys.modules if m.split(".")[0] != "mmsnn"))')
    listing = tmp_path / 'modules.txt'
    listing.write_text(modules)
    report = json.loads(_python('-m', 'tests.process_state', str(listing),
                                '--mutations').splitlines()[-1])

    assert report['changed'] == []
    # What mmsnn adds is seen (the snapshot is not blind to additions).
    for addition in ("registry MODELS/mmdet: 'SNNYOLOV3' added",
                     "registry HOOKS/mmdet: 'SafeCheckpointHook' added",
                     "registry LOOPS/mmdet: 'SafeEpochBasedTrainLoop' added",
                     'registry MODELS/mmdet/mmsnn: new',
                     "file backends: 'mmsnn_atomic_local' added",
                     "MODULE2PACKAGE: 'mmsnn' added"):
        assert addition in report['allowed']
    # And each side effect of the kind mmsnn's import once had is caught.
    assert set(report['mutations']) == set(MUTATIONS)
    missed = [name for name, seen in report['mutations'].items() if not seen]
    assert not missed
