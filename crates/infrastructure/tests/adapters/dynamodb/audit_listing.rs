//! `AuditRepository::list` on DynamoDB (moto, real SDK) against the in-memory adapter:
//! both walk the same records to the same answer — newest first, filters, pagination
//! across pages and UTC-day partitions, the per-request query budget.

use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Duration, DurationRound, TimeZone, Utc};
use dashtam_domain::platform::{
    entities::AuditRecord,
    ports::{AuditPosition, AuditQuery, AuditRepository},
};
use dashtam_infrastructure::{
    dynamodb::{DynamoAuditRepository, MAX_QUERIES_PER_PAGE},
    memory::MemoryStore,
};
use uuid::Uuid;

fn record(user_id: Option<Uuid>, action: &str, at: DateTime<Utc>) -> AuditRecord {
    AuditRecord {
        id: Uuid::now_v7(),
        event_id: Uuid::now_v7(),
        action: action.into(),
        user_id,
        resource_type: Some("user".into()),
        resource_id: None,
        ip_address: None,
        user_agent: None,
        context: serde_json::json!({"i": at.timestamp()}),
        created_at: at,
    }
}

/// Which records a query should answer.
type Keep<'a> = Box<dyn Fn(&AuditRecord) -> bool + 'a>;

struct Both {
    dynamo: DynamoAuditRepository,
    memory: MemoryStore,
    _stack: dashtam_testkit::Stack,
}

impl Both {
    async fn new() -> Self {
        let stack = dashtam_testkit::provision_stack().await;
        let dynamo = DynamoAuditRepository::new(
            Client::new(&stack.sdk),
            stack.vars["DASHTAM_TABLE"].clone(),
        );
        Self {
            dynamo,
            memory: MemoryStore::new(),
            _stack: stack,
        }
    }

    async fn append(&self, records: &[AuditRecord]) {
        for r in records {
            assert!(self.dynamo.append(r).await.unwrap());
            assert!(self.memory.append(r).await.unwrap());
        }
    }
}

/// Follows `next` to the end. Answers the ids in order and the pages' sizes.
async fn walk(repo: &dyn AuditRepository, mut q: AuditQuery) -> (Vec<Uuid>, Vec<usize>) {
    let (mut ids, mut sizes) = (Vec::new(), Vec::new());
    let mut last: Option<AuditPosition> = None;
    for _ in 0..200 {
        let page = repo.list(&q).await.unwrap();
        assert!(page.records.len() <= q.limit as usize);
        sizes.push(page.records.len());
        ids.extend(page.records.iter().map(|r| r.id));
        match page.next {
            Some(next) => {
                // Progress: every cursor lies strictly before the previous one.
                assert!(last.is_none_or(|l| next < l), "{next:?} after {last:?}");
                last = Some(next);
                q.after = Some(next);
            }
            None => return (ids, sizes),
        }
    }
    panic!("walk did not end");
}

fn expected(records: &[AuditRecord], keep: impl Fn(&AuditRecord) -> bool) -> Vec<Uuid> {
    let mut kept: Vec<&AuditRecord> = records.iter().filter(|r| keep(r)).collect();
    kept.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
    kept.iter().map(|r| r.id).collect()
}

#[tokio::test]
async fn both_adapters_walk_days_users_and_actions_alike() {
    let both = Both::new().await;
    let now = Utc::now().duration_trunc(Duration::seconds(1)).unwrap();
    let today = now.duration_trunc(Duration::days(1)).unwrap();
    let (ada, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let mut records = Vec::new();
    // Six days, with days left empty, records exactly at midnight, ties in time, and
    // records without a user.
    for (days_back, hours) in [
        (0, vec![0, 1, 1, 5]),
        (1, vec![0, 23]),
        (3, vec![2, 2, 2, 12]),
        (5, vec![0]),
    ] {
        for (i, h) in hours.into_iter().enumerate() {
            let at = today - Duration::days(days_back) + Duration::hours(h);
            let at = at.min(now);
            let user = [Some(ada), Some(bob), None][i % 3];
            let action = if i % 2 == 0 {
                "UserLoginFailed"
            } else {
                "UserLoginSucceeded"
            };
            records.push(record(user, action, at));
        }
    }
    // Older than the window: never listed.
    records.push(record(
        Some(ada),
        "UserLoginFailed",
        today - Duration::days(9),
    ));
    both.append(&records).await;

    let since = today - Duration::days(6);
    let base = AuditQuery {
        user_id: None,
        action: None,
        since,
        until: now + Duration::seconds(1),
        limit: 3,
        after: None,
    };
    let cases: Vec<(AuditQuery, Keep<'_>)> = vec![
        (base.clone(), Box::new(|r| r.created_at >= since)),
        (
            AuditQuery {
                limit: 1,
                ..base.clone()
            },
            Box::new(|r| r.created_at >= since),
        ),
        (
            AuditQuery {
                limit: 100,
                ..base.clone()
            },
            Box::new(|r| r.created_at >= since),
        ),
        (
            AuditQuery {
                user_id: Some(ada),
                limit: 2,
                ..base.clone()
            },
            Box::new(move |r| r.user_id == Some(ada) && r.created_at >= since),
        ),
        (
            AuditQuery {
                action: Some("UserLoginSucceeded".into()),
                limit: 2,
                ..base.clone()
            },
            Box::new(|r| r.action == "UserLoginSucceeded" && r.created_at >= since),
        ),
        (
            AuditQuery {
                user_id: Some(bob),
                action: Some("UserLoginSucceeded".into()),
                ..base.clone()
            },
            Box::new(move |r| {
                r.user_id == Some(bob) && r.action == "UserLoginSucceeded" && r.created_at >= since
            }),
        ),
        (
            // `since` in the middle of a day.
            AuditQuery {
                since: today - Duration::days(3) + Duration::hours(3),
                ..base.clone()
            },
            Box::new(move |r| r.created_at >= today - Duration::days(3) + Duration::hours(3)),
        ),
        (
            AuditQuery {
                action: Some("UserRegistrationSucceeded".into()),
                ..base.clone()
            },
            Box::new(|_| false),
        ),
    ];
    for (i, (q, keep)) in cases.into_iter().enumerate() {
        let want = expected(&records, keep);
        let (from_dynamo, _) = walk(&both.dynamo, q.clone()).await;
        let (from_memory, _) = walk(&both.memory, q).await;
        assert_eq!(from_dynamo, want, "case {i}: dynamodb");
        assert_eq!(from_memory, want, "case {i}: memory");
    }
}

#[tokio::test]
async fn a_long_sparse_walk_answers_short_pages_that_continue() {
    let both = Both::new().await;
    let now = Utc::now();
    let user = Uuid::now_v7();
    // One record now, one 200 days ago: the walk crosses ~200 empty day partitions.
    let records = vec![
        record(Some(user), "UserLoginFailed", now - Duration::minutes(1)),
        record(None, "UserLoginFailed", now - Duration::days(200)),
        record(None, "UserLoginSucceeded", now - Duration::days(100)),
    ];
    both.append(&records).await;
    let q = AuditQuery {
        user_id: None,
        action: Some("UserLoginFailed".into()),
        since: now - Duration::days(366),
        until: now,
        limit: 10,
        after: None,
    };
    let (ids, sizes) = walk(&both.dynamo, q.clone()).await;
    assert_eq!(ids, expected(&records, |r| r.action == "UserLoginFailed"));
    // 367 day partitions at most MAX_QUERIES_PER_PAGE queries per page: several pages,
    // most of them empty, each continuing where the last stopped.
    assert!(sizes.len() >= 367 / MAX_QUERIES_PER_PAGE, "{sizes:?}");
    assert!(sizes.contains(&0), "{sizes:?}");
    let (mem_ids, _) = walk(&both.memory, q).await;
    assert_eq!(mem_ids, ids);
}

#[tokio::test]
async fn the_first_page_of_a_fixed_day_is_exact() {
    let both = Both::new().await;
    let day = Utc.with_ymd_and_hms(2025, 3, 10, 0, 0, 0).unwrap();
    let records: Vec<AuditRecord> = (0..5)
        .map(|i| record(None, "UserLoginFailed", day + Duration::minutes(i)))
        .collect();
    both.append(&records).await;
    let q = AuditQuery {
        user_id: None,
        action: None,
        since: day,
        until: day + Duration::hours(1),
        limit: 2,
        after: None,
    };
    let page = both.dynamo.list(&q).await.unwrap();
    let ids: Vec<Uuid> = page.records.iter().map(|r| r.id).collect();
    assert_eq!(ids, [records[4].id, records[3].id]);
    assert_eq!(
        page.next,
        Some(AuditPosition {
            at: records[3].created_at,
            id: records[3].id
        })
    );
    assert_eq!(page.records[0], records[4], "the record round-trips whole");
}
