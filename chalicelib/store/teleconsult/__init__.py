"""The teleconsult table: nurses, their availability and slots, appointments, patient guards, consents and the
waitlist, by aggregate: `items` (the item classes, keys and indexes), `nurses` (nurses, availability, slots),
`bookings` (consents, appointments and their steps) and `waitlist`. The functions below are the table's interface.

| item          | pk                      | sk                         | sparse index keys                                     |
|---------------|-------------------------|----------------------------|-------------------------------------------------------|
| nurse         | NURSE#<sub>             | PROFILE                    | –                                                     |
| directory     | NURSES                  | <sub>                      | –  (a copy of each nurse profile: the operators' list and jobs that visit every nurse) |
| availability  | NURSE#<sub>             | AVAILABILITY               | –                                                     |
| slot          | NURSE#<sub>             | SLOT#<UTC YYYYMMDDTHHMM>   | free_slots: free_day=<Mexico City day>#<shard> / free_sk=<start>#<sub>, while free |
| appointment   | APPOINTMENT#<id>        | APPOINTMENT                | by_member: MEMBER#<sub> / <start>#<id>; by_nurse_day: <sub>#<day> / <start>#<id>; by_patient: <patient id> / <start>#<id>; by_start_hour: <UTC hour> / <start>#<id>, until it ends |
| patient guard | PATIENT#<patient id>    | BUSY#<UTC YYYYMMDDTHHMM>   | –  (one per 5-minute bucket of a booked consult)      |
| consent       | PATIENT#<patient id>    | CONSENT#teleconsultation   | –                                                     |
| upcoming      | MEMBER#<sub>            | UPCOMING                   | –  (consults not ended yet, at most MAX_UPCOMING)     |
| waiting       | MEMBER#<sub>            | WAITING#<patient id>       | –  (a patient on the waitlist: days, joined_at)       |
| waiting day   | MEMBER#<sub>            | WAITDAY#<patient id>#<day> | waitlist: wait_day=<Mexico City day> / wait_sk=<joined_at>#<sub>#<patient id> |

A nurse's slots share her partition, so publishing reads what exists with one Query (`slots_from`) and never touches
a booked slot (`apply_slots`; what changes is domain.scheduling.reconcile).
Listing free slots of a Mexico City day is one Query per shard of the sparse `free_slots` index, the
FREE_SLOT_SHARDS of them side by side, merged by `free_sk` (`nurses.free_slots`): the day's key is write-sharded by
crc32 of the nurse's sub (`items.free_shard`), so a booking rush spreads its index writes and reads over the shards
while one nurse's slots stay in one and a slot's key is computed from the slot. Booking removes the slot from it
(removing `free_day`/`free_sk` in the booking's one transaction).
A slot a member frees is offered to the first patient waiting for its day (one Query of `waitlist`, `waiting_on`): it
stays in the free index but is held for that member until `offered_until` (`reoffer_slot`), and their waitlist items
go in the same transaction (`remove_waiting`); services/teleconsult.py chooses whom and commits through `cancel` or
`reschedule`.
Waitlist items expire (TTL) the day after their last day.
"""

from chalicelib.store.teleconsult.bookings import (
    book, cancel, consent_of, get_appointment, member_appointments, move, nurse_agenda, patient_appointments,
    record_consent, reoffer_slot, reschedule, starting_in_hour, step, withdraw_slot,
)
from chalicelib.store.teleconsult.items import FREE_SLOT_SHARDS, AppointmentItem, TeleconsultItem
from chalicelib.store.teleconsult.nurses import (
    all_nurses, apply_slots, create_nurse, deactivate_nurse, free_slots, free_slots_of, get_availability, get_nurse,
    get_slot, nurse_page, remove_free_slot, save_availability, slots_from,
)
from chalicelib.store.teleconsult.waitlist import (
    forget_day, join_waitlist, leave_waitlist, remove_waiting, waiting_on, waitlist_of,
)

__all__ = [
    "FREE_SLOT_SHARDS", "AppointmentItem", "TeleconsultItem", "all_nurses", "apply_slots", "book", "cancel", "consent_of", "create_nurse",
    "deactivate_nurse", "forget_day", "free_slots", "free_slots_of", "get_appointment", "get_availability", "get_nurse", "get_slot", "join_waitlist",
    "leave_waitlist", "member_appointments", "move", "nurse_agenda", "nurse_page", "patient_appointments",
    "record_consent", "remove_free_slot", "remove_waiting", "reoffer_slot", "reschedule", "save_availability", "slots_from", "starting_in_hour", "step",
    "waiting_on", "waitlist_of", "withdraw_slot",
]
