//! Roles over the in-memory adapters: authentication sees the current roles, role changes
//! survive concurrent writers (optimistic locking with retries), and their events become
//! audit records about the target user.

use std::{collections::BTreeSet, sync::Arc};

use crate::support::*;
use async_trait::async_trait;
use dashtam_application::{
    AppError,
    dto::Principal,
    identity::commands::{Authenticate, ChangeRole, RoleChange},
    platform::consumers::RecordAudit,
};
use dashtam_domain::{
    StoreError,
    identity::{
        entities::{OneTimeToken, Permission, Role, User},
        ports::UserRepository,
        value_objects::Email,
    },
    platform::{events::DomainEvent, ports::AuditRepository},
};
use futures::future::join_all;
use uuid::Uuid;

/// Registered, verified and logged in: the user's id and access token.
async fn signup(h: &Harness, address: &str) -> (Uuid, String) {
    let id = registered_and_verified(h, address).await;
    let access = login(h, address, PASSWORD).await.unwrap().access_token;
    (id, access)
}

async fn principal(h: &Harness, access: &str) -> Principal {
    Authenticate { bearer: access }
        .execute(&h.ports)
        .await
        .unwrap()
}

fn change(admin: &Principal, user_id: Uuid, role: Role, change: RoleChange) -> ChangeRole {
    ChangeRole {
        admin: admin.clone(),
        user_id,
        role,
        change,
        context: Harness::ctx(),
    }
}

/// An admin principal without going through configuration.
async fn admin(h: &Harness) -> Principal {
    let (id, access) = signup(h, "root@example.com").await;
    let mut user = h.store.find_by_id(id).await.unwrap().unwrap();
    user.roles.insert(Role::Admin);
    h.store.save(&user, &[]).await.unwrap();
    principal(h, &access).await
}

#[tokio::test]
async fn authentication_carries_the_current_roles_not_the_tokens() {
    let h = Harness::new();
    let root = admin(&h).await;
    let (ada, access) = signup(&h, "ada@example.com").await;
    let before = principal(&h, &access).await;
    assert_eq!(before.roles, BTreeSet::from([Role::User]));
    assert!(before.require(Permission::WriteSessions).is_ok());
    assert!(matches!(
        before.require(Permission::ManageUsers),
        Err(AppError::Forbidden(_))
    ));

    let r = change(&root, ada, Role::Admin, RoleChange::Grant)
        .execute(&h.ports)
        .await
        .unwrap();
    assert!(r.changed);
    assert!(
        principal(&h, &access)
            .await
            .require(Permission::ManageUsers)
            .is_ok()
    );

    change(&root, ada, Role::User, RoleChange::Revoke)
        .execute(&h.ports)
        .await
        .unwrap();
    change(&root, ada, Role::Admin, RoleChange::Revoke)
        .execute(&h.ports)
        .await
        .unwrap();
    let now = principal(&h, &access).await;
    assert!(now.roles.is_empty());
    assert!(now.require(Permission::ReadSessions).is_err());

    // A deactivated account keeps its stored roles but may use none of them.
    let mut user = h.store.find_by_id(ada).await.unwrap().unwrap();
    user.roles.insert(Role::Admin);
    user.is_active = false;
    h.store.save(&user, &[]).await.unwrap();
    assert!(principal(&h, &access).await.roles.is_empty());
}

/// Yields between reading a user and answering, so concurrent read-modify-writes
/// interleave and meet each other's version.
struct YieldingUsers(Arc<dashtam_infrastructure::memory::MemoryStore>);

#[async_trait]
impl UserRepository for YieldingUsers {
    async fn create(
        &self,
        user: &User,
        verification: &OneTimeToken,
        events: &[DomainEvent],
    ) -> Result<(), StoreError> {
        self.0.create(user, verification, events).await
    }
    async fn find_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let user = self.0.find_by_id(id).await;
        tokio::task::yield_now().await;
        user
    }
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        self.0.find_by_email(email).await
    }
    async fn save(&self, user: &User, events: &[DomainEvent]) -> Result<(), StoreError> {
        self.0.save(user, events).await
    }
}

#[tokio::test]
async fn concurrent_role_changes_are_all_kept() {
    let mut h = Harness::new();
    let root = admin(&h).await;
    let (ada, _) = signup(&h, "ada@example.com").await;
    h.ports.identity.users = Arc::new(YieldingUsers(h.store.clone()));
    let changes = [
        (Role::Readonly, RoleChange::Grant),
        (Role::Admin, RoleChange::Grant),
        (Role::User, RoleChange::Revoke),
    ];
    let results = join_all(
        changes
            .iter()
            .map(|(role, c)| change(&root, ada, *role, *c).execute(&h.ports)),
    )
    .await;
    assert!(
        results.iter().all(|r| r.as_ref().is_ok_and(|r| r.changed)),
        "{results:?}"
    );
    let user = h.store.find_by_id(ada).await.unwrap().unwrap();
    assert_eq!(user.roles, BTreeSet::from([Role::Readonly, Role::Admin]));
    // Three saves on top of registration, verification and login's writes: no lost update.
    assert!(user.version >= 3);
}

#[tokio::test]
async fn role_events_become_audit_records_about_the_target() {
    let h = Harness::new();
    let root = admin(&h).await;
    let (ada, _) = signup(&h, "ada@example.com").await;
    let skip = h.recorded().len();
    change(&root, ada, Role::Admin, RoleChange::Grant)
        .execute(&h.ports)
        .await
        .unwrap();
    let missing = change(&root, Uuid::now_v7(), Role::Admin, RoleChange::Grant)
        .execute(&h.ports)
        .await;
    assert!(matches!(missing, Err(AppError::NotFound(_))));
    let own = change(&root, root.user_id, Role::Admin, RoleChange::Revoke)
        .execute(&h.ports)
        .await;
    assert!(matches!(own, Err(AppError::Conflict(_))));

    let events: Vec<_> = h.recorded().into_iter().skip(skip).collect();
    let names: Vec<&str> = events.iter().map(|e| e.name()).collect();
    assert_eq!(
        names,
        [
            "RoleGrantAttempted",
            "RoleGrantSucceeded",
            "RoleGrantAttempted",
            "RoleGrantFailed",
            "RoleRevokeAttempted",
            "RoleRevokeFailed"
        ]
    );
    for e in &events {
        assert!(RecordAudit { event: e }.execute(&h.ports).await.unwrap());
    }
    let records = h.store.list_for_user(root.user_id, 100).await.unwrap();
    let role_records: Vec<_> = records
        .iter()
        .filter(|r| r.action.starts_with("Role"))
        .collect();
    assert_eq!(role_records.len(), 6);
    let granted = role_records
        .iter()
        .find(|r| r.action == "RoleGrantSucceeded")
        .unwrap();
    assert_eq!(granted.resource_type.as_deref(), Some("user"));
    assert_eq!(granted.resource_id, Some(ada.to_string()));
    assert_eq!(granted.context["role"], "admin");
    assert_eq!(
        granted.context["roles"],
        serde_json::json!(["user", "admin"])
    );
    let refused = role_records
        .iter()
        .find(|r| r.action == "RoleRevokeFailed")
        .unwrap();
    assert_eq!(refused.context["reason"], "own_admin_role");
}
