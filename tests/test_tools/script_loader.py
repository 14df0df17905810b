"""Import a script of tools/ as a module (they are not a package)."""
import importlib.util

from tests.conftest import repo_path


def load_script(*parts):
    """``load_script('misc', 'make_mini_gen1.py')`` -> the module."""
    path = repo_path('tools', *parts)
    spec = importlib.util.spec_from_file_location(
        parts[-1].rsplit('.', 1)[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
