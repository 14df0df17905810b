"""The error type for bad user input, and how the tools report it."""
import contextlib
import os
import re
import sys


class InputError(Exception):
    """Bad user input: a data set, config value or checkpoint file.

    The message is the whole story (what was wrong, where, what was expected
    and what to do), so the tools print it without a traceback.
    """


class ConfigValueError(InputError, ValueError):
    """A config value outside what a component accepts (``time_steps``,
    ``decode_mode``, ``reset_mode``, ``v_threshold``, ...)."""


#: What mmcv's ``LoadImageFromFile`` asserts when an image does not decode;
#: a data loader worker re-raises it in the main process inside its text.
_IMAGE_LOAD_FAILURE = re.compile(r'failed to load image: (\S+)')


def image_load_failure(error: BaseException):
    """The image file an mmcv loader failed to decode, named in ``error``
    (also as re-raised from a data loader worker), or None."""
    if not isinstance(error, AssertionError):
        return None
    # The last match: a worker's traceback also quotes the assert's source.
    matches = _IMAGE_LOAD_FAILURE.findall(str(error))
    return matches[-1] if matches else None


@contextlib.contextmanager
def report_input_errors():
    """Turn an :class:`InputError`, or an image the data loader could not
    decode during training or testing, into one paragraph on stderr and
    exit 2.

    Set the environment variable ``MMSNN_DEBUG=1`` to see the traceback.
    """
    try:
        yield
    except (InputError, AssertionError) as e:
        image = image_load_failure(e)
        if os.environ.get('MMSNN_DEBUG') or not (
                isinstance(e, InputError) or image):
            raise
        message = str(e) if image is None else (
            f'the data loader could not decode the image {image}. The data '
            'check before training decodes every image only where the '
            "config says data_check = dict(decode_images=True) (or 'auto', "
            'the default, for small splits); set it to True '
            'to find every such file before the next run, then replace or '
            'remove them from the split file.')
        print(f'\nmmsnn error: {message}\n', file=sys.stderr, flush=True)
        sys.exit(2)
