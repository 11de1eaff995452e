//! DynamoDB adapters: every repository port over one table.
//!
//! Key design and access patterns are documented in `infra/ACCESS_PATTERNS.md`. In short:
//!
//! | item            | PK                                   | SK           |
//! |-----------------|--------------------------------------|--------------|
//! | user            | `USER#<id>`                          | `PROFILE`    |
//! | email marker    | `EMAIL#<normalised email>`           | `EMAIL`      |
//! | session         | `USER#<user id>`                     | `SESSION#<id>` |
//! | refresh token   | `REFRESH#<sha256>`                   | `REFRESH`    |
//! | one-time tokens | `VERIFY#<sha256>` / `RESET#<sha256>` | `VERIFY` / `RESET` |
//! | security config | `CONFIG`                             | `SECURITY`   |
//! | audit record    | `AUDIT#<event id>`                   | `AUDIT`      |
//! | processed event | `PROCESSED#<consumer>#<event id>`    | `PROCESSED`  |
//! | outbox event    | `OUTBOX#<event id>`                  | `OUTBOX`     |
//! | feed event      | `FEED#<user id>`                     | `EVENT#<event id>` |
//! | rate-limit bucket | `RATELIMIT#<policy>#<subject>#<route>` | `RATELIMIT` |
//! | job run         | `JOB#<job>`                          | `LASTRUN`    |
//! | connection      | `USER#<user id>`                     | `CONNECTION#<id>` |
//! | OAuth state     | `OAUTHSTATE#<sha256>`                | `OAUTHSTATE` |
//! | sync claim      | `USER#<user id>`                     | `SYNCCLAIM#<key>` |
//! | account (+ marker) | `USER#<user id>`                  | `ACCOUNT#<id>` (`ACCTKEY#<cid>#<provider id>`) |
//! | transaction (+ marker) | `ACCOUNT#<account id>`        | `TXN#<date>#<id>` (`TXNKEY#<provider id>`) |
//! | holding         | `USER#<user id>`                     | `HOLDING#<account id>#<provider id>` |
//! | balance snapshot | `ACCOUNT#<account id>`              | `SNAP#<captured_at>#<id>` |
//!
//! Request paths use GetItem, BatchGetItem, Query, PutItem, UpdateItem, DeleteItem
//! (releasing a claim, taking an OAuth state) and TransactWriteItems; nothing here scans. Uniqueness and single use are
//! conditions inside the write itself, never a read followed by a write.
//!
//! `find*` methods return expired items too: TTL deletion lags (and the emulator never
//! deletes), so the application checks `expires_at` itself.

//! Layout: one file per aggregate, each owning its item structs (`users`, `tokens`,
//! `sessions`, `security_config`, `audit`, `processed`, `outbox`, `jobs`, `rate_limits`,
//! `connections`, `oauth_states`, `sync_claims`, `accounts`, `transactions`, `holdings`,
//! `snapshots`); writes beyond one transaction in `chunks`, filtered reads in `paging`;
//! [`Table`] and every call it makes in `table`; the keys in `keys`, the timestamp codec
//! in `ts`, expressions in `expr`, SDK errors in `errors`.

mod accounts;
mod audit;
mod chunks;
mod connections;
mod errors;
mod expr;
mod holdings;
mod imports;
mod item;
mod jobs;
mod keys;
mod oauth_states;
mod outbox;
mod outcome;
mod owner;
mod paging;
mod processed;
mod rate_limits;
mod security_config;
mod sessions;
mod snapshots;
mod stream;
mod sync_claims;
mod table;
mod tokens;
mod transactions;
mod ts;
mod users;

pub use accounts::DynamoAccountRepository;
pub use connections::DynamoConnectionRepository;
pub use holdings::DynamoHoldingRepository;
pub use imports::DynamoImportRepository;
pub use oauth_states::DynamoOAuthStateRepository;
pub use snapshots::DynamoSnapshotRepository;
pub use sync_claims::DynamoSyncClaims;
pub use transactions::DynamoTransactionRepository;

pub use audit::{DynamoAuditRepository, MAX_QUERIES_PER_PAGE};
pub use jobs::DynamoJobStore;
pub use outbox::{DynamoEventOutbox, outbox_event};
pub use processed::DynamoProcessedEvents;
pub use rate_limits::DynamoRateLimits;
pub use security_config::DynamoSecurityConfigRepository;
pub use sessions::DynamoSessionRepository;
pub use stream::StreamReader;
pub use table::Table;
pub use tokens::DynamoOneTimeTokenRepository;
pub use users::DynamoUserRepository;
