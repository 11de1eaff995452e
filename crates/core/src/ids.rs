use uuid::Uuid;

/// Every id in the system is a UUIDv7: time-ordered, so ids sort by creation.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}
