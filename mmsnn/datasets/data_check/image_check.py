"""Whether an image file is what the data loader can decode."""
from typing import Callable, Optional, Tuple


def image_problem(path: str, decode: bool,
                  decoder_messages: Callable[[], str]
                  ) -> Tuple[Optional[str], Optional[Tuple[int, int]]]:
    """The problem of one image file, and its ``(width, height)`` as stored
    (before any EXIF orientation, see :mod:`.exif_orientation`).

    Structural check first: a JPEG must start with SOI and end with EOI, a
    PNG must end with its IEND chunk (a truncated download lacks them; cv2
    would fill the missing rest of a JPEG with grey). With ``decode``, the
    file is decoded as mmcv's loader does (``cv2.imdecode``, colour), and
    any decoder complaint counts.

    Args:
        path (str): The image file.
        decode (bool): Decode it; else read only its size from the header.
        decoder_messages (Callable[[], str]): Returns what the decoders
            wrote to stderr since its last call
            (:func:`~mmsnn.utils.stderr_capture`).

    Returns:
        tuple: The problem in words (None if none) and ``(width, height)``
        (None where unknown).
    """
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\xff\xd8':
        if b'\xff\xd9' not in data[-1024:]:
            return ('image truncated (JPEG without its end-of-image marker; '
                    're-download or re-encode it)'), None
    elif data[:8] == b'\x89PNG\r\n\x1a\n':
        if b'IEND' not in data[-16:]:
            return ('image truncated (PNG without its IEND chunk; '
                    're-download or re-encode it)'), None
    elif data[:2] != b'BM':  # other formats cv2 reads under a .jpg name
        return (f'not an image (expected a JPEG, file starts with '
                f'{data[:4]!r})'), None
    if not decode:
        from PIL import Image
        try:
            with Image.open(path) as img:
                return None, img.size
        except Exception:  # noqa: BLE001  (PIL's errors vary by format)
            return 'not readable as an image (PIL cannot read its header)', \
                None
    import cv2
    import numpy as np
    decoder_messages()
    img = cv2.imdecode(np.frombuffer(data, np.uint8),
                       cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    complaint = ' '.join(decoder_messages().split())
    if img is None:
        return ('not decodable (cv2 returns no image' +
                (f': {complaint[:200]}' if complaint else '') + ')'), None
    if complaint:
        return (f'corrupt image data (the decoder said: {complaint[:200]}; '
                're-download or re-encode it)'), None
    return None, (img.shape[1], img.shape[0])
