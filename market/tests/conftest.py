import pytest

from core import sms
from showcase.tests.conftest import _media_in_tmp, seed_data  # noqa: F401  (photos in tmp; transactional seed)


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()
