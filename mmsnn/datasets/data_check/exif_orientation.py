"""A photo's EXIF orientation: in which frame the loader gives its pixels,
and whether its annotation can be in that frame.

A camera that was held sideways or upside down often stores the pixels as
they came off the sensor and an EXIF ``Orientation`` tag (2-8) saying how
to turn them for viewing. mmcv's ``LoadImageFromFile`` applies the tag
(``color_type='color'`` or ``'grayscale'``, with cv2 for JPEG and PNG, or
with pillow) or not (``'color_ignore_orientation'``, ``'unchanged'``,
turbojpeg, cv2 for WebP); the boxes of a VOC annotation must be in the frame
the loader produces. The annotation's ``<size>`` says in which frame it was
made where the tag swaps width and height (5-8) of a non-square photo; for
mirrors and 180 degree turns (2-4), or square photos, it cannot tell.
"""
import functools
import io
from typing import NamedTuple, Optional, Tuple

from ...utils.config_tree import iter_sub_configs

#: EXIF orientation values and what they do to the stored pixels.
ORIENTATIONS = {
    2: 'mirrored left-right',
    3: 'turned 180 degrees',
    4: 'mirrored top-bottom',
    5: 'mirrored along the main diagonal',
    6: 'turned 90 degrees clockwise',
    7: 'mirrored along the other diagonal',
    8: 'turned 90 degrees counter-clockwise',
}
#: ``data_check.annotated_frame``: boxes drawn on the photo as viewers show
#: it (orientation applied) or on its pixels as stored.
ANNOTATED_FRAMES = ('oriented', 'stored')
_EXIF_ORIENTATION_TAG = 0x0112


class ImageLoader(NamedTuple):
    """How a pipeline decodes images: ``LoadImageFromFile``'s settings."""
    color_type: str
    backend: str
    where: str

    def describe(self) -> str:
        return (f"LoadImageFromFile(color_type='{self.color_type}', "
                f"imdecode_backend='{self.backend}') of {self.where}")


def image_loader(pipeline, where: str) -> Optional[ImageLoader]:
    """The first image loader of a data set's pipeline (an mmcv
    ``LoadImageFromFile`` or subclass, recognised by type), or None.

    Args:
        pipeline (list[dict]): The data set's ``pipeline`` config.
        where (str): The pipeline's key in the config, for messages.

    Returns:
        ImageLoader | None: Its ``color_type`` and ``imdecode_backend``.
    """
    from mmcv.transforms import LoadImageFromFile
    from mmdet.registry import TRANSFORMS
    for node in iter_sub_configs(pipeline or []):
        kind = node.get('type')
        if isinstance(kind, str):
            kind = TRANSFORMS.get(kind)
        if isinstance(kind, type) and issubclass(kind, LoadImageFromFile):
            return ImageLoader(node.get('color_type', 'color'),
                               node.get('imdecode_backend', 'cv2'), where)
    return None


def exif_orientation(path: str) -> Tuple[int, Optional[str]]:
    """The EXIF orientation of an image file (1 without a tag) and its
    format as PIL names it (``'JPEG'``); only the header is read."""
    from PIL import Image
    try:
        with Image.open(path) as img:
            value = img.getexif().get(_EXIF_ORIENTATION_TAG, 1)
            return (value if value in ORIENTATIONS else 1), img.format
    except Exception:  # noqa: BLE001  (unreadable: image_check says so)
        return 1, None


@functools.lru_cache(maxsize=None)
def loader_applies_orientation(image_format: str, color_type: str,
                               backend: str) -> bool:
    """Whether mmcv's decoding with these settings applies the EXIF
    orientation of an image of this format.

    Asked of the installed decoders themselves: a 2x1 image of the format
    tagged "turned 90 degrees" is decoded as ``LoadImageFromFile`` decodes,
    and comes back 1x2 where the tag is applied. Where that cannot be tried
    (a format PIL cannot write with EXIF), mmcv's documented rule:
    ``'color'`` and ``'grayscale'`` apply it with cv2 and pillow.
    """
    import mmcv
    import numpy as np
    from PIL import Image
    try:
        exif = Image.Exif()
        exif[_EXIF_ORIENTATION_TAG] = 6
        buffer = io.BytesIO()
        Image.fromarray(np.zeros((1, 2, 3), np.uint8)).save(
            buffer, format=image_format, exif=exif.tobytes())
        img = mmcv.imfrombytes(buffer.getvalue(), flag=color_type,
                               backend=backend)
        return img.shape[:2] == (2, 1)
    except Exception:  # noqa: BLE001  (no such writer or decoder here)
        return color_type in ('color', 'grayscale') and backend in (
            'cv2', 'pillow')


def oriented_size(size: Tuple[int, int],
                  orientation: int) -> Tuple[int, int]:
    """``(width, height)`` of the stored pixels once turned as tagged."""
    return (size[1], size[0]) if orientation >= 5 else tuple(size)


def orientation_problem(image: str, size: Tuple[int, int],
                        annotated: Optional[Tuple[int, int]],
                        orientation: int, applied: bool,
                        loader: ImageLoader,
                        annotated_frame: Optional[str]
                        ) -> Optional[Tuple[str, str]]:
    """Whether an annotation can be in the frame the loader produces.

    Args:
        image (str): The image file, for messages.
        size (tuple[int, int]): ``(width, height)`` of the stored pixels.
        annotated (tuple[int, int], optional): The annotation's
            ``<size>``, None where it has none.
        orientation (int): The EXIF orientation (2-8).
        applied (bool): Whether the loader applies it
            (:func:`loader_applies_orientation`).
        loader (ImageLoader): The pipeline's loader, for messages.
        annotated_frame (str, optional): ``data_check.annotated_frame`` of
            the config: the frame the boxes were drawn in, where the
            ``<size>`` cannot tell; None when not said.

    Returns:
        tuple[str, str] | None: ``(kind, detail)`` of the problem, None
        when the annotation fits the loader's frame.
    """
    turned = oriented_size(size, orientation)
    loaded = turned if applied else tuple(size)
    how = (f'{image} has EXIF orientation {orientation} '
           f'({ORIENTATIONS[orientation]}), which {loader.describe()} ' +
           ('applies' if applied else 'ignores'))
    stored_w, stored_h = size
    if annotated is not None and tuple(annotated) != loaded:
        if tuple(annotated) != (turned if not applied else tuple(size)):
            return None  # neither frame: '<size> differs from the image'
        frame = 'stored pixels' if applied else 'turned photo'
        fix = ("color_type='color_ignore_orientation'" if applied else
               "color_type='color' (and the cv2 or pillow backend)")
        return (f'annotation made on the {frame}, but the loader gives the '
                f'image {"turned" if applied else "as stored"} (set {fix} '
                'in every LoadImageFromFile of the pipelines, or turn the '
                'boxes)',
                f'{how}: <size> {annotated[0]} x {annotated[1]}, the loader '
                f'gives {loaded[0]} x {loaded[1]}')
    # 2-4, a square photo, or no <size> to tell
    ambiguous = turned == tuple(size) or annotated is None
    if not ambiguous:
        return None  # <size> is the loader's frame, and not the other one
    declared = {'oriented': True, 'stored': False}.get(annotated_frame)
    if declared is not None and declared != applied:
        want = ("color_type='color' (cv2 or pillow)" if declared else
                "color_type='color_ignore_orientation'")
        return (f'data_check.annotated_frame={annotated_frame!r} in the '
                'config, but the loader '
                f'{"ignores" if declared else "applies"} the EXIF '
                f'orientation (set {want} in every LoadImageFromFile of the '
                'pipelines)', f'{how} ({stored_w} x {stored_h} stored)')
    if applied and declared is None:
        return ('EXIF orientation that the loader applies, where <size> '
                'cannot tell whether the boxes were drawn on the turned '
                'photo (as image viewers show it) or on the stored pixels. '
                "If on the turned photo, add data_check = dict("
                "annotated_frame='oriented') to the config; if on the "
                "stored pixels, set color_type='color_ignore_orientation' "
                'in every LoadImageFromFile of the pipelines (or write the '
                'turn into the files and drop the tag)',
                f'{how} ({stored_w} x {stored_h})')
    return None
