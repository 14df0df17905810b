"""Make the model-zoo runs and write their metafiles (developers' script).

Every number in the mini data sets' model-zoo tables comes from files this
script's runs leave behind, read by the user tool
``tools/analysis_tools/benchmark_table.py`` into the family's metafile (the
results file the tables are written from: ``.dev_scripts/gen_docs.py``)::

    python .dev_scripts/model_zoo.py run ENTRY [--cfg-options K=V ...]
    python .dev_scripts/model_zoo.py table FAMILY --hardware "2-core ..."

``run`` trains the entry's config into its work dir with ``tools/train.py``
(skipped when the work dir already holds the final checkpoint, and for the
published ANN twin, which is tested as it is), tests that
checkpoint with ``tools/test.py`` and counts its operations and energy on
``--energy-images`` test images with ``tools/analysis_tools/get_energy.py``.
``table`` writes the family's metafile from the newest train log, test
JSON and energy JSON of each entry's work dir (an entry without them has
no such numbers: nothing is filled in by hand), with each ``--note`` (say
where and how the run ran); then ``python .dev_scripts/gen_docs.py`` writes
the tables of the family's README and of docs/model_zoo.md from it.

The main job's runs (``.dev_scripts/main_job_seeds.sh``) are entries too:
their work dirs are the seed runs' (``work_dirs/seeds/seed0/...``).
"""
import argparse
import glob
import os
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
ZOO = 'work_dirs/zoo'


def published_twin():
    """The published mini-VOC ANN twin: the SNN configs' ``load_from``."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(
        REPO, 'configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py'
    )).load_from


#: name -> config, work dir, row label, what its ``run`` adds to the
#: config (``cfg_options``) and, for an entry that is not trained here, a
#: function giving the checkpoint it tests (``checkpoint``).
ENTRIES = {
    'yolov3_minivoc': dict(
        config='configs/mini_voc/yolov3_d53-mini_1xb8-160-24e_minivoc.py',
        work_dir='work_dirs/seeds/seed0/yolov3_minivoc',
        name='YOLOv3 (ANN twin, published)',
        checkpoint=published_twin),
    'snn_yolov3_minivoc_t4': dict(
        config='configs/mini_voc/'
        'snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py',
        work_dir='work_dirs/seeds/seed0/snn_yolov3_minivoc_t4',
        name='SNN-YOLOv3, IF (from the ANN twin)'),
    'snn_yolov3_lif_minivoc_t4': dict(
        config='configs/mini_voc/'
        'snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4_lif.py',
        name='SNN-YOLOv3, LIF (from the ANN twin)'),
    'retinanet_snn-r18_snn-fpn_cmd_minivoc_t4': dict(
        config='configs/mini_voc/'
        'retinanet_snn-r18-mini_snn-fpn_cmd_1xb8-160-12e_minivoc_t4.py',
        name='RetinaNet: spiking R-18 + FPN, CMD head (from scratch)'),
    'yolov3_minigen1': dict(
        config='configs/events/yolov3_d53-mini_1xb8-192-10e_minigen1.py',
        name='YOLOv3 (ANN twin, bins as channels)'),
    'snn_yolov3_minigen1_t4': dict(
        config='configs/events/'
        'snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4.py',
        name='SNN-YOLOv3, IF (from scratch)'),
    'snn_yolov3_minigen1_t4_lif': dict(
        config='configs/events/'
        'snn-yolov3_d53-mini_1xb8-192-10e_minigen1_t4_lif.py',
        name='SNN-YOLOv3, LIF (from scratch)'),
    'ems-yolo_res10-ee_minivoc_t4': dict(
        config='configs/ems_yolo/ems-yolo_res10-ee_minivoc_t4.py',
        name='EMS-YOLO, EMS-Res10 x0.25 (from scratch)'),
    'ems-yolo_res10-ee_minigen1_t4': dict(
        config='configs/ems_yolo/ems-yolo_res10-ee_minigen1_t4.py',
        name='EMS-YOLO, EMS-Res10 x0.25 (from scratch)'),
    # SpikeYOLO counted as deployed (RepConv blocks folded), as its
    # authors count it.
    'spikeyolo_tiny_minivoc_t1d4': dict(
        config='configs/spikeyolo/spikeyolo_tiny_1xb8-3e_minivoc_t1d4.py',
        name='SpikeYOLO, I-LIF T1 D4 (from scratch)',
        energy_options=['--reparameterize']),
    'spikeyolo_tiny_minigen1_t2d4': dict(
        config='configs/spikeyolo/spikeyolo_tiny_1xb8-10e_minigen1_t2d4.py',
        name='SpikeYOLO, I-LIF T2 D4 (from scratch)',
        energy_options=['--reparameterize']),
}
FAMILIES = {
    'mini_voc': dict(
        entries=['yolov3_minivoc', 'snn_yolov3_minivoc_t4',
                 'snn_yolov3_lif_minivoc_t4',
                 'retinanet_snn-r18_snn-fpn_cmd_minivoc_t4',
                 'ems-yolo_res10-ee_minivoc_t4',
                 'spikeyolo_tiny_minivoc_t1d4'],
        readme='configs/mini_voc/README.md',
        metafile='configs/mini_voc/metafile.yml',
        collection='SNN-YOLOv3 (mini-VOC)',
        dataset='mini-VOC test (synthetic)'),
    'mini_gen1': dict(
        entries=['yolov3_minigen1', 'snn_yolov3_minigen1_t4',
                 'snn_yolov3_minigen1_t4_lif',
                 'ems-yolo_res10-ee_minigen1_t4',
                 'spikeyolo_tiny_minigen1_t2d4'],
        readme='configs/events/README.md',
        metafile='configs/events/metafile.yml',
        collection='SNN-YOLOv3 (mini-Gen1)',
        dataset='mini-Gen1 test (synthetic)'),
}


def work_dir(entry, seed=0):
    """Seed 0's work dir is the table's; other seeds' get a suffix."""
    base = ENTRIES[entry].get('work_dir') or osp.join(ZOO, entry)
    return base if seed == 0 else f'{base}_seed{seed}'


def family_of(entry):
    return next(f for f, spec in FAMILIES.items() if entry in spec['entries'])


def newest(pattern):
    """The newest file matching ``pattern`` (None when none does)."""
    files = sorted(glob.glob(pattern), key=osp.getmtime)
    return files[-1] if files else None


def final_checkpoint(wd):
    """The checkpoint ``last_checkpoint`` of work dir ``wd`` names, if
    training finished."""
    path = osp.join(wd, 'last_checkpoint')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        checkpoint = f.read().strip()
    return checkpoint if osp.isfile(checkpoint) else None


def call(*args):
    print('[model_zoo]', ' '.join(args), file=sys.stderr, flush=True)
    subprocess.run([sys.executable, *args], cwd=REPO, check=True)


def run(entry, cfg_options, energy_images, seed=0):
    spec = ENTRIES[entry]
    config, wd = spec['config'], work_dir(entry, seed)
    options = spec.get('cfg_options', []) + (cfg_options or [])
    if seed:
        options.append(f'randomness.seed={seed}')
    opts = ['--cfg-options', *options] if options else []
    published = spec.get('checkpoint')
    checkpoint = published() if published else final_checkpoint(wd)
    if checkpoint is None:
        call('tools/train.py', config, '--work-dir', wd, *opts)
        checkpoint = final_checkpoint(wd)
    call('tools/test.py', config, checkpoint, '--work-dir',
         osp.join(wd, 'test'))
    call('tools/analysis_tools/get_energy.py', config, checkpoint,
         '--num-images', str(energy_images), '--out-dir',
         osp.join(wd, 'energy'), *spec.get('energy_options', []))


def run_files(entry):
    """``KEY=VALUE`` items of benchmark_table's ``--run`` for one entry."""
    spec, wd = ENTRIES[entry], work_dir(entry)
    items = [f"config={spec['config']}", f"name={spec['name']}",
             f"dataset={FAMILIES[family_of(entry)]['dataset']}"]
    found = dict(
        metrics=newest(osp.join(wd, 'test', '*', '*.json')),
        energy=newest(osp.join(wd, 'energy', 'energy.json')),
        train_log=newest(osp.join(wd, '2*', '2*.log')))
    return items + [f'{k}={v}' for k, v in found.items() if v]


def table(family, hardware, notes):
    spec = FAMILIES[family]
    args = [arg for entry in spec['entries']
            for arg in ['--run', *run_files(entry),
                        *([f'note={notes[entry]}'] if entry in notes
                          else [])]]
    call('tools/analysis_tools/benchmark_table.py', *args, '--hardware',
         hardware, '--metafile', spec['metafile'], '--collection',
         spec['collection'], '--readme', spec['readme'])
    print(f"[model_zoo] wrote {spec['metafile']}; the family's README "
          'takes its table from it: python .dev_scripts/gen_docs.py',
          file=sys.stderr)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    p_run = sub.add_parser('run', help='train, test and count one entry')
    p_run.add_argument('entry', choices=sorted(ENTRIES))
    p_run.add_argument('--energy-images', type=int, default=50)
    p_run.add_argument('--seed', type=int, default=0,
                       help="training seed (the configs' own: 0); other "
                       'seeds train into WORK_DIR_seed<S>, beside the table')
    p_run.add_argument('--cfg-options', nargs='+',
                       help='more KEY=VALUE overrides of the training')
    p_table = sub.add_parser('table', help="write a family's table")
    p_table.add_argument('family', choices=sorted(FAMILIES))
    p_table.add_argument('--hardware', required=True)
    p_table.add_argument(
        '--note', nargs=2, action='append', default=[],
        metavar=('ENTRY', 'TEXT'), help="a remark for an entry's row, e.g. "
        'that it trained beside another run')
    args = parser.parse_args(argv)
    os.chdir(REPO)
    if args.command == 'run':
        run(args.entry, args.cfg_options, args.energy_images, args.seed)
    else:
        table(args.family, args.hardware, dict(args.note))


if __name__ == '__main__':
    main()
