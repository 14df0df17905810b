"""Check a Gen1 split: recordings without events, labels outside their
recording's events, windows without events and boxes left out."""
import warnings
from typing import List

from mmengine.logging import print_log

from ..gen1 import Gen1Dataset

# How many files one sentence lists.
_MAX_EXAMPLES = 5


def check_gen1_dataset(dataset: Gen1Dataset, where: str) -> None:
    """Index a Gen1 split as training will (the index is cached for it) and
    name what it leaves out or cannot learn from.

    A recording that cannot be used at all, or a split left without any
    sample, is refused by the data set itself (:class:`InputError` naming
    the folder and each file). The rest is a warning that names the files:
    recordings that hold no event (skipped), labelled timestamps before the
    first or after the last event of their recording (their window is
    empty or cut short), and how many windows hold no event (not trained
    on; evaluated in ``test_mode``).

    Args:
        dataset (Gen1Dataset): Built with ``lazy_init=True``.
        where (str): Its key in the config, for messages.

    Raises:
        InputError: From the data set: the split folder is missing, or no
            labelled timestamp is left to use.
    """
    dataset.full_init()
    folder = dataset.data_prefix.get('events')
    sentences: List[str] = []
    if dataset.without_events:
        sentences.append(
            f'{len(dataset.without_events)} recording(s) hold no event and '
            'are skipped: ' + _listed(dataset.without_events))
    if dataset.outside_span:
        count = sum(len(ts) for _, ts, _ in dataset.outside_span)
        sentences.append(
            f'{count} labelled timestamp(s) of '
            f'{len(dataset.outside_span)} recording(s) lie outside the time '
            'span of their recording\'s events (a label for events that '
            'are not in the file: a cut or mismatched recording?): ' +
            _listed([f'{path} (t={ts[0]} us' +
                     (f' and {len(ts) - 1} more' if len(ts) > 1 else '') +
                     f'; events from {first} to {last} us)'
                     for path, ts, (first, last) in dataset.outside_span]))
    if dataset.empty_windows:
        fate = ('kept and evaluated as empty windows' if dataset.test_mode
                else 'not trained on')
        sentences.append(
            f'{len(dataset.empty_windows)} labelled timestamp(s) have no '
            f'event in their {dataset.window_us} us window and are {fate}: '
            + _listed(dataset.empty_windows))
    if sentences:
        warnings.warn(f'{where} ({folder}): ' + ' '.join(
            s.rstrip('.') + '.' for s in sentences))
    print_log(f'mmsnn data check: {where} ({folder}): {len(dataset)} '
              'labelled timestamps indexed', logger='current')


def _listed(items: List[str]) -> str:
    """Up to five items, then how many more."""
    more = (f' and {len(items) - _MAX_EXAMPLES} more'
            if len(items) > _MAX_EXAMPLES else '')
    return ', '.join(items[:_MAX_EXAMPLES]) + more
