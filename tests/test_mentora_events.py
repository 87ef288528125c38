"""Every Mentora event can cross the event bus: openedx-events can build its Avro schema and carry its data."""
from datetime import UTC, datetime

import pytest
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer, serialize_event_data_to_bytes
from openedx_events.tooling import OpenEdxPublicSignal

import mentora_plugin.booking.signals
import mentora_plugin.host.signals  # noqa: F401
from mentora_plugin.booking.signals import BOOKING_CONFIRMED, BookingEventData
from tests.conftest import COURSE

MENTORA_SIGNALS = [
    signal for signal in OpenEdxPublicSignal.all_events() if signal.event_type.startswith("org.openedx.mentora.")
]


def test_there_are_mentora_events():
    assert len(MENTORA_SIGNALS) >= 11


@pytest.mark.parametrize("signal", MENTORA_SIGNALS, ids=lambda signal: signal.event_type)
def test_each_has_an_avro_schema(signal):
    schema = AvroSignalSerializer(signal).schema
    assert schema["type"] == "record" and schema["fields"]


def test_a_booking_event_round_trips():
    when = datetime(2026, 12, 1, 9, tzinfo=UTC)
    data = {
        "booking": BookingEventData(
            booking_id=1, session_id=2, session_uid="3f1c", learner_id=4, trainer_id=5, course_key=COURSE,
            start=when, end=when, status="confirmed", sequence=0, actor_id=4, reason="",
        )
    }
    wire = serialize_event_data_to_bytes(data, BOOKING_CONFIRMED)
    assert deserialize_bytes_to_event_data(wire, BOOKING_CONFIRMED) == data
