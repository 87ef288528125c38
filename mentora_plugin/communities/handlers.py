"""(being written)"""


def on_enrollment_changed(**kwargs) -> None:
    pass
