"""(being written)"""


def connect_receivers() -> None:
    pass
