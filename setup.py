"""
Packaging for Mentora, the Open edX plugin for human mentoring.

One distribution carries the Django plugin apps (``mentora_plugin``) and the XBlocks (``mentora_xblocks``).
The LMS and Studio discover the apps through the ``lms.djangoapp`` / ``cms.djangoapp`` entry points and the blocks
through ``xblock.v1``. The translation catalogs and static files live at the top of the repository (``locale/``,
``static/``); ``build_py`` compiles and copies them to where the platform looks for them inside the wheel.
"""
import os
import re
import sys

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.abspath(os.path.dirname(__file__))

# Each Mentora Django app, by entry-point name. Studio (cms) loads the same apps: the tables are shared and the
# projections are fed from events that both services emit.
DJANGO_APPS = {
    "mentora": "mentora_plugin.apps:MentoraConfig",
    "mentora_host": "mentora_plugin.host.apps:HostConfig",
    "mentora_booking": "mentora_plugin.booking.apps:BookingConfig",
    "mentora_trainers": "mentora_plugin.trainers.apps:TrainersConfig",
    "mentora_reviews": "mentora_plugin.reviews.apps:ReviewsConfig",
    "mentora_badges": "mentora_plugin.badges.apps:BadgesConfig",
    "mentora_communities": "mentora_plugin.communities.apps:CommunitiesConfig",
}

XBLOCKS = {
    "mentora_course_team": "mentora_xblocks.course_team:CourseTeamXBlock",
    "mentora_booking": "mentora_xblocks.booking:BookingXBlock",
    "mentora_project": "mentora_xblocks.project:ProjectXBlock",
    "mentora_badges": "mentora_xblocks.badges:BadgesXBlock",
    "mentora_community": "mentora_xblocks.community:CommunityXBlock",
}


def get_version(*file_paths):
    """Read ``__version__`` from a module without importing it (its dependencies are not installed yet)."""
    with open(os.path.join(HERE, *file_paths), encoding="utf8") as version_file:
        match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", version_file.read(), re.M)
    if not match:
        raise RuntimeError("Unable to find version string.")
    return match.group(1)


def _requirement_lines(path):
    """Yield the requirement lines of a pip requirements file, without comments."""
    with open(os.path.join(HERE, path), encoding="utf8") as reqs:
        for raw in reqs:
            line = raw.split("#", 1)[0].strip()
            if line:
                yield line


def _name(requirement):
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower()


def _constraints(path):
    """Map each constrained package to its version range, following ``-c`` includes."""
    ranges = {}
    for line in _requirement_lines(path):
        if line.startswith("-c "):
            ranges.update(_constraints(os.path.join(os.path.dirname(path), line[3:].strip())))
        else:
            ranges[_name(line)] = line.split(";", 1)[0].strip()
    return ranges


def load_requirements(path):
    """
    Load the unpinned requirements of a ``requirements/*.in`` file, with the version ranges of its constraints.

    Open edX repositories do it this way so that an installed plugin accepts the platform's own pins.
    """
    requirements, ranges = [], {}
    for line in _requirement_lines(path):
        if line.startswith("-c "):
            ranges.update(_constraints(os.path.join(os.path.dirname(path), line[3:].strip())))
        elif not line.startswith("-"):
            requirements.append(line)
    constrained = []
    for requirement in requirements:
        bare, _, marker = requirement.partition(";")
        if _name(bare) in ranges and not re.search(r"[<>=!~]", bare):
            bare = ranges[_name(bare)]
        constrained.append(f"{bare.strip()}; {marker.strip()}" if marker else bare.strip())
    return constrained


class BuildPyWithAssets(build_py):
    """Compile ``locale/`` and copy ``static/`` into the packages, where the LMS and the XBlock runtime look."""

    def run(self):
        super().run()
        sys.path.insert(0, os.path.join(HERE, "scripts"))
        try:
            from assemble_assets import assemble
        finally:
            sys.path.pop(0)
        assemble(source_root=HERE, target_root=os.path.abspath(self.build_lib))


with open(os.path.join(HERE, "README.md"), encoding="utf8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="mentora",
    version=get_version("mentora_plugin", "__init__.py"),
    description="Human mentoring for Open edX: booking, trainers, project reviews, badges and communities.",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    author="The Mentora contributors",
    license="AGPL-3.0",
    url="https://github.com/mentora/mentora",
    packages=find_packages(include=["mentora_plugin", "mentora_plugin.*", "mentora_xblocks", "mentora_xblocks.*"]),
    include_package_data=True,
    package_data={
        "mentora_plugin": ["templates/**/*", "locale/*/LC_MESSAGES/*", "static/**/*", "badges/contexts/*.json"],
        "mentora_xblocks": ["*/templates/**/*", "*/translations/*/LC_MESSAGES/*", "*/public/**/*"],
    },
    python_requires=">=3.11",
    install_requires=load_requirements("requirements/base.in"),
    zip_safe=False,
    cmdclass={"build_py": BuildPyWithAssets},
    entry_points={
        "lms.djangoapp": [f"{name} = {target}" for name, target in DJANGO_APPS.items()],
        "cms.djangoapp": [f"{name} = {target}" for name, target in DJANGO_APPS.items()],
        "xblock.v1": [f"{name} = {target}" for name, target in XBLOCKS.items()],
        "openedx.course_tab": ["mentora = mentora_plugin.host.course_tab:MentoraCourseTab"],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Django",
        "Framework :: Django :: 4.2",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Education",
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "Natural Language :: English",
        "Natural Language :: French",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
