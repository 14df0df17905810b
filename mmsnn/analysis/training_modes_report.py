"""The training modes' tables, from their results files only.

Every number in the tables of ``docs/training_modes.md`` (and the cost table
appended to ``docs/benchmarks.md``) comes from the results files that
the developers' measurement scripts write; nothing is filled in by hand:

* ``docs/training_modes_benchmark.json`` - step time and peak memory of
  each mode against BPTT and the ANN twin
  (``.dev_scripts/benchmark_training_modes.py``);
* ``docs/training_modes_mini_voc.json`` - mini-VOC mAP of each mode over
  seeds (``.dev_scripts/training_modes_mini_voc.py``);
* ``docs/default_path_profile.json`` - the default path (BPTT) against the
  ANN twin, train step and inference, timed and profiled
  (``.dev_scripts/profile_default_path.py``).

Each table replaces the block between ``<!-- training_modes:NAME:start
-->`` and ``<!-- training_modes:NAME:end -->`` of the pages; a results file
that does not exist yet gives a block saying so and how to make it. Paths
are relative to ``root``, the repository the pages belong to.
"""
import json
import os.path as osp
import re
import statistics

from .benchmark.profile import parts_difference, profile_difference

BENCHMARK = 'docs/training_modes_benchmark.json'
MINI_VOC = 'docs/training_modes_mini_voc.json'
PROFILE = 'docs/default_path_profile.json'
#: Block name -> its results file and the script that writes it.
RESULTS = dict(
    benchmark=(BENCHMARK, 'benchmark_training_modes.py'),
    mini_voc=(MINI_VOC, 'training_modes_mini_voc.py'),
    profile=(PROFILE, 'profile_default_path.py'))
#: Which blocks each page holds.
PAGES = {
    'docs/training_modes.md': ('benchmark', 'mini_voc', 'profile'),
    'docs/benchmarks.md': ('benchmark', 'profile'),
}


def mode_name(bptt):
    """``'BPTT'``, ``'SLTT'`` or ``'SLTT-K (K=2)'`` of a ``bptt`` dict."""
    if bptt is None or bptt.get('mode', 'full') == 'full':
        return 'BPTT'
    return 'SLTT' if bptt.get('k') is None else f"SLTT-K (K={bptt['k']})"


def _fmt(value, digits=3):
    return '-' if value is None else f'{value:.{digits}f}'


def _mib(memory):
    if not memory or memory.get('peak_before_optimizer_bytes') is None:
        return None
    return memory['peak_before_optimizer_bytes'] / 2**20


def benchmark_rows(results):
    """One row per grid cell and model (the mode; BPTT once per cell)."""
    rows, seen_bptt = [], set()
    runs = sorted(results['runs'], key=lambda r: (
        r['shape'], r['time_steps'], mode_name(r['bptt'])))
    for run in runs:
        res, cell = run['result'], (tuple(run['shape']), run['time_steps'])
        models = res['models']
        ann_mem = _mib(models['ann']['peak_memory'])
        names = [('snn', mode_name(run['bptt']))]
        if 'bptt' in models and cell not in seen_bptt:
            seen_bptt.add(cell)
            names.insert(0, ('bptt', 'BPTT'))
        for key, label in names:
            m = models[key]
            bptt = models.get('bptt')
            mem = _mib(m['peak_memory'])
            rows.append(dict(
                shape=run['shape'], time_steps=run['time_steps'], mode=label,
                step_s=m['step_time_median_s'],
                vs_ann=m['step_time_median_s'] /
                models['ann']['step_time_median_s'],
                vs_bptt=None if bptt is None else
                m['step_time_median_s'] / bptt['step_time_median_s'],
                mem_mib=mem,
                mem_vs_ann=None if mem is None or not ann_mem else
                mem / ann_mem,
                mem_vs_bptt=None if mem is None or bptt is None
                or not _mib(bptt['peak_memory']) else
                mem / _mib(bptt['peak_memory'])))
    return rows


def _parts(value, quote=''):
    """A results file's command, date or commit: one, or one per measured
    part, joined with "and"."""
    return ' and '.join(f'{quote}{v}{quote}' for v in (
        value if isinstance(value, list) else [value]))


def benchmark_table(results):
    """Markdown: the cost table and the memory growth from the lowest to
    the highest T of each mode and shape."""
    rows = benchmark_rows(results)
    lines = [
        '| input | T | mode | train step (s) | / BPTT | / ANN twin | '
        'peak memory (MiB) | / BPTT | / ANN twin |',
        '|---|---|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(
            f"| {r['shape'][0]}x{r['shape'][1]} | {r['time_steps']} | "
            f"{r['mode']} | {_fmt(r['step_s'])} | {_fmt(r['vs_bptt'])} | "
            f"{_fmt(r['vs_ann'])} | {_fmt(r['mem_mib'], 1)} | "
            f"{_fmt(r['mem_vs_bptt'])} | {_fmt(r['mem_vs_ann'])} |")
    growth = []
    for shape in sorted({tuple(r['shape']) for r in rows}):
        for mode in sorted({r['mode'] for r in rows}):
            cells = sorted((r['time_steps'], r['mem_mib']) for r in rows
                           if tuple(r['shape']) == shape
                           and r['mode'] == mode and r['mem_mib'])
            if len(cells) > 1:
                (t0, m0), (t1, m1) = cells[0], cells[-1]
                growth.append(f'| {shape[0]}x{shape[1]} | {mode} | '
                              f'{t0} -> {t1} | {m1 / m0:.2f}x |')
    if growth:
        lines += ['', '| input | mode | T | peak memory growth |',
                  '|---|---|---|---|'] + growth
    first = results['runs'][0]['result'] if results['runs'] else {}
    lines += [
        '', f"Measured on {results.get('machine', first.get('device'))}, "
        f"torch {results.get('torch', first.get('torch'))}, "
        f"{_parts(results.get('date', '?'))}, commit "
        f"{_parts(results.get('commit', '?'))}: "
        f"{_parts(results.get('command', ''), '`')} ({BENCHMARK}). "
        "Train step: "
        'median over the rounds; peak memory: forward and backward, above '
        'what is held before the step (weights, optimizer state). The ANN '
        'twin runs T x B images, the SNN B.'
    ]
    return '\n'.join(lines)


def mini_voc_table(results):
    """Markdown: mAP per seed, mean and spread, training time per mode."""
    modes = {}
    for run in results['runs']:
        modes.setdefault(mode_name(run['bptt']), []).append(run)
    order = sorted(modes, key=lambda m: (m != 'BPTT', m))
    lines = ['| mode | seeds | mAP per seed | mAP mean +- std | runs |',
             '|---|---|---|---|---|']
    for mode in order:
        runs = sorted(modes[mode], key=lambda r: r['seed'])
        maps = [r['map'] for r in runs]
        std = statistics.stdev(maps) if len(maps) > 1 else 0.
        sources = sorted({r.get('source', 'this script') for r in runs})
        lines.append(
            f"| {mode} | {', '.join(str(r['seed']) for r in runs)} | "
            f"{', '.join(f'{m:.4f}' for m in maps)} | "
            f'{statistics.mean(maps):.4f} +- {std:.4f} | '
            f"{'; '.join(sources)} |")
    machines = sorted({r.get('machine', '?') for r in results['runs']})
    lines += [
        '', f"{results.get('config', '')} from its published ANN twin, "
        f"epochs: {results.get('epochs', '?')}, each mode with the same seeds"
        f"; VOC mAP@0.5 (11 points) on the mini-VOC test split. Machine: "
        f"{'; '.join(machines)}; {MINI_VOC}, written by "
        '`.dev_scripts/training_modes_mini_voc.py`. What a mode saves in '
        'time is in the cost table above (these runs shared the machine).'
    ]
    return '\n'.join(lines)


def _difference_cells(x, y):
    """Three table cells: ``x``, ``y`` and ``x - y`` (ms), or ``-``."""
    if x is None or y is None:
        return ' - | - | - |'
    return f' {x:.1f} | {y:.1f} | {x - y:+.1f} |'


def profile_table(results):
    """Markdown: the default path's step against the ANN twin's (train and
    inference), and where the difference goes (operator groups' self CPU
    time per step, the parts' forward)."""
    runs = {run['mode']: run['result'] for run in results['runs']}
    modes = [m for m in ('train', 'infer') if m in runs]
    lines = ['| step | SNN (s) | ANN twin (s) | SNN / twin |',
             '|---|---|---|---|']
    for mode in modes:
        models, ratios = runs[mode]['models'], runs[mode]['ratios']
        lines.append(
            f"| {mode} | {_fmt(models['snn']['step_time_median_s'])} | "
            f"{_fmt(models['ann']['step_time_median_s'])} | "
            f"{_fmt(ratios['step_time_median'])} |")
    head = '| self CPU ms per step |' + ''.join(
        f' {m}: SNN | twin | difference |' for m in modes)
    lines += ['', head, '|---|' + '---|---|---|' * len(modes)]
    profiles = {m: runs[m]['profile'] for m in modes}
    # per mode, (snn, twin) ms of each group (in the first mode's order of
    # difference, the total last) and of each part's forward
    groups = [profile_difference(profiles[m]['snn'], profiles[m]['ann'])
              for m in modes]
    parts = [parts_difference(profiles[m]['snn'], profiles[m]['ann'])
             for m in modes]
    by_name = [{name: (x, y) for name, x, y in rows} for rows in groups]
    for group, _, _ in groups[0]:
        lines.append(f'| {group} |' + ''.join(
            _difference_cells(*mode[group]) for mode in by_name))
    for i, (part, _, _) in enumerate(parts[0]):
        lines.append(f'| {part} forward (inclusive) |' + ''.join(
            _difference_cells(*rows[i][1:]) for rows in parts))
    first = profiles[modes[0]]
    setting = runs[modes[0]]
    lines += [
        '', f"{setting['config']}, T = {setting['time_steps']}, B = "
        f"{setting['batch']}, {setting['shape'][0]}x{setting['shape'][1]}, "
        f"the twin at batch T x B. Measured on {results.get('machine')}, "
        f"torch {results.get('torch')}, {results.get('date')}, commit "
        f"{results.get('commit')}: `{results.get('command')}` ({PROFILE}). "
        'Step: median of the interleaved rounds; the profile (torch.profiler'
        f", {first['snn']['steps']} steps of each model after the timing) "
        'gives self CPU time, with the profiler\'s overhead in every '
        'operator: read it for shares and differences.'
    ]
    return '\n'.join(lines)


def missing(name):
    path, script = RESULTS[name]
    return (f'No results yet: `python .dev_scripts/{script}` writes '
            f'`{path}`, then this table.')


def block(name, root):
    """The generated text of block ``name`` from its results file."""
    path = osp.join(root, RESULTS[name][0])
    if not osp.isfile(path):
        return missing(name)
    with open(path) as f:
        results = json.load(f)
    if not results.get('runs'):
        return missing(name)
    return dict(benchmark=benchmark_table, mini_voc=mini_voc_table,
                profile=profile_table)[name](results)


def replace_block(text, name, body):
    """``text`` with its block ``name`` replaced by ``body`` (appended when
    the text has none)."""
    start = f'<!-- training_modes:{name}:start -->'
    end = f'<!-- training_modes:{name}:end -->'
    new = f'{start}\n{body}\n{end}'
    pattern = re.compile(re.escape(start) + '.*?' + re.escape(end), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: new, text)
    return text.rstrip('\n') + '\n\n' + new + '\n'


def write_pages(root):
    """Rewrite every page's blocks; returns the pages written."""
    for page, names in PAGES.items():
        path = osp.join(root, page)
        with open(path) as f:
            text = f.read()
        for name in names:
            text = replace_block(text, name, block(name, root))
        with open(path, 'w') as f:
            f.write(text)
    return list(PAGES)


def save(results, out, root, tables=True):
    """Write a measurement script's ``results`` to ``out`` (JSON), then,
    unless told not to, the pages' tables."""
    with open(out, 'w') as f:
        json.dump(results, f, indent=2)
        f.write('\n')
    print(f'written {out}')
    if tables:
        for page in write_pages(root):
            print(f'written {page}')


def summarize(runs):
    """Per mode: seeds, mAPs, mean and sample standard deviation."""
    summary = {}
    for mode in sorted({r['mode'] for r in runs}):
        maps = [r['map'] for r in runs if r['mode'] == mode]
        summary[mode] = dict(
            seeds=[r['seed'] for r in runs if r['mode'] == mode], maps=maps,
            mean=round(statistics.mean(maps), 4),
            std=round(statistics.stdev(maps), 4) if len(maps) > 1 else 0.)
    return summary

