"""Import a script of tools/ (or .dev_scripts/) as a module (they are not a
package)."""
import importlib.util

from tests.conftest import repo_path


def load_script(*parts, top='tools'):
    """``load_script('misc', 'make_mini_gen1.py')`` -> the module of
    ``tools/misc/make_mini_gen1.py``; ``top='.dev_scripts'`` for those."""
    path = repo_path(top, *parts)
    spec = importlib.util.spec_from_file_location(
        parts[-1].rsplit('.', 1)[0], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
