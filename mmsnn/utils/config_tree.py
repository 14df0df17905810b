"""Walking a config's nested dicts and lists."""
from typing import Any, Iterator


def iter_sub_configs(node: Any) -> Iterator[dict]:
    """Every dict nested in ``node`` (itself included, if a dict), parents
    before their children, through dicts, lists and tuples.

    A dict may be changed in place when it is yielded (values replaced):
    its values are walked after that.

    Args:
        node (dict | list | tuple | Any): A config or part of one.

    Yields:
        dict: Each nested dict (a ``ConfigDict`` for a ``Config``).
    """
    if isinstance(node, dict):
        yield node
        children = node.values()
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        return
    for child in children:
        yield from iter_sub_configs(child)
