"""Model-zoo tables (mmdet style) and metafiles from the outputs of real runs.

Each ``--run`` names one model's files, as ``KEY=VALUE`` pairs:

* ``config=`` (required) the config the run used;
* ``metrics=`` the metrics JSON: ``tools/test.py``'s
  ``<work_dir>/<timestamp>/<timestamp>.json``, or a training run's
  ``vis_data/scalars.json`` (its last validation line is used);
* ``energy=`` the ``energy.json`` of ``tools/analysis_tools/get_energy.py``;
* ``train_log=`` the training run's text log (``<work_dir>/<timestamp>/
  <timestamp>.log``): its wall time, first line to last, is the train time;
* ``name=`` the row's label, ``dataset=`` the data set's label (default:
  from the config's test set), ``note=`` a remark for the notes column
  (e.g. that the run shared the CPU).

Missing numbers print as "-"; nothing is filled in by hand. Example::

    python tools/analysis_tools/benchmark_table.py \\
        --run config=configs/mini_voc/snn-yolov3_d53-mini_1xb8-160-4e_minivoc_t4.py \\
              metrics=work_dirs/snn/test/x.json \\
              energy=work_dirs/energy/snn/energy.json \\
        --hardware "2-core CPU" --out my_table.md --metafile metafile.yml

With ``--out``, the table replaces the block between
``<!-- benchmark_table:start -->`` and ``<!-- benchmark_table:end -->`` of
that file (appended when the file has none). The logic is
:mod:`mmsnn.analysis.model_zoo`.
"""
import argparse
import os
import os.path as osp
import sys

import yaml

# Work from a checkout without `pip install -e .`.
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))

from mmsnn.analysis.model_zoo import (RUN_KEYS, markdown,  # noqa: E402
                                      metafile, parse_run, table_row,
                                      write_block)
from mmsnn.utils import report_input_errors  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Write an mmdet-style model-zoo table from run outputs')
    parser.add_argument(
        '--run', nargs='+', action='append', required=True,
        metavar='KEY=VALUE', help=f'one model: keys {RUN_KEYS}')
    parser.add_argument(
        '--hardware', required=True,
        help='what the timed runs ran on, e.g. "2-core CPU"')
    parser.add_argument('--title', help='a line printed above the table')
    parser.add_argument(
        '--out', help='Markdown file to write the table into (between '
        'benchmark_table markers)')
    parser.add_argument(
        '--metafile', help='also write these runs as an mmdet metafile.yml '
        '(paths in it are relative to the current directory: run from the '
        'repository root)')
    parser.add_argument(
        '--collection', default='SNN-YOLOv3',
        help="the metafile's collection name")
    parser.add_argument(
        '--readme', help="the metafile's collection README (default: "
        '--out)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    with report_input_errors():
        rows = [table_row(parse_run(items)) for items in args.run]
    out_dir = osp.dirname(osp.abspath(args.out)) if args.out else os.getcwd()
    text = markdown(rows, args.hardware, out_dir)
    if args.title:
        text = f'{args.title}\n\n{text}'
    print(text)
    if args.out:
        write_block(args.out, text)
    if args.metafile:
        readme = args.readme or args.out
        readme = readme and osp.relpath(readme).replace(os.sep, '/')
        with open(args.metafile, 'w') as f:
            yaml.safe_dump(
                metafile(rows, args.collection, readme, args.hardware), f,
                sort_keys=False)
    return text


if __name__ == '__main__':
    main()
