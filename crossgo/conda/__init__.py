"""crossgo in conda recipes: install a Go library in conda's layout, write a starting
recipe, and give environments their own Go directories.

::

    from crossgo.conda import conda_install, write_activation_scripts, write_recipe

    conda_install(Path("go"))                     # in build.sh / bld.bat
    write_recipe(Path("."), Path("recipe"), fmt="rattler-build")
    write_activation_scripts(Path(os.environ["PREFIX"]))
"""

from __future__ import annotations

from crossgo.conda.activation import write_activation_scripts
from crossgo.conda.install import CondaLayout, InstallResult, conda_install, conda_layout
from crossgo.conda.recipe import project_facts, render_recipe, write_recipe

__all__ = [
    "CondaLayout",
    "InstallResult",
    "conda_install",
    "conda_layout",
    "project_facts",
    "render_recipe",
    "write_activation_scripts",
    "write_recipe",
]
