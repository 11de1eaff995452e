use dashtam_domain::{
    Conflict, StoreError,
    identity::{
        entities::{LoginRefusal, RefreshToken, Session, User},
        value_objects::Email,
    },
    platform::events::{EventContext, EventPayload},
};

use super::token_pair::token_pair;
use crate::{
    AppError, EventBatch, Ports,
    dto::TokenPair,
    retry::{self, retry_on_conflict},
};

const INVALID_CREDENTIALS: &str = "Email or password is incorrect.";

/// Logs in: checks (unknown → unverified → locked → inactive → password), opens a session
/// (evicting the oldest over the tier limit) and issues the token pair.
pub struct Login {
    pub email: Email,
    pub password: String,
    /// Client IP and User-Agent live in the context; the session records them too.
    pub context: EventContext,
}

impl Login {
    pub async fn execute(self, ports: &Ports) -> Result<TokenPair, AppError> {
        let now = ports.clock.now();
        let email = self.email.as_str().to_owned();
        let mut events = EventBatch::new(&self.context, now);
        events.push(
            None,
            EventPayload::UserLoginAttempted {
                email: email.clone(),
            },
        );

        let result = self.authenticate(ports, &mut events).await;
        let result = match result {
            Ok(user) => open_session(ports, &user, &self.context, &mut events).await,
            Err(e) => Err(e),
        };
        events.append_to_outbox(ports).await;
        result
    }

    async fn authenticate(&self, ports: &Ports, events: &mut EventBatch) -> Result<User, AppError> {
        let now = ports.clock.now();
        let email = self.email.as_str().to_owned();
        let fail = |events: &mut EventBatch, user: Option<&User>, reason: &str| {
            events.push(
                user.map(|u| u.id),
                EventPayload::UserLoginFailed {
                    email: email.clone(),
                    reason: reason.to_owned(),
                },
            );
        };

        let Some(mut user) = ports.identity.users.find_by_email(&self.email).await? else {
            // Same work as a wrong password, so response time does not reveal accounts.
            ports.identity.hasher.verify_dummy(&self.password).await;
            fail(events, None, "invalid_credentials");
            return Err(AppError::unauthorized(INVALID_CREDENTIALS));
        };
        if let Some(refusal) = user.login_refusal(now) {
            let (reason, detail) = match refusal {
                LoginRefusal::Unverified => (
                    "email_not_verified",
                    "Please verify your email address before logging in.",
                ),
                LoginRefusal::Locked => (
                    "account_locked",
                    "Your account has been locked due to too many failed attempts.",
                ),
                LoginRefusal::Inactive => {
                    ("account_inactive", "Your account has been deactivated.")
                }
            };
            fail(events, Some(&user), reason);
            return Err(AppError::Forbidden(detail.into()));
        }

        if !ports
            .identity
            .hasher
            .verify(&self.password, &user.password_hash)
            .await
        {
            record_failure(ports, user.clone(), events).await?;
            return Err(AppError::unauthorized(INVALID_CREDENTIALS));
        }

        if user.has_login_failures() {
            // A conflict that outlasts every attempt is a fault, as it always was.
            let exhausted = || AppError::from(StoreError::Conflict(Conflict::StaleUser));
            user = retry_on_conflict!(
                |attempt| {
                    if attempt > 0 {
                        user = ports
                            .identity
                            .users
                            .find_by_id(user.id)
                            .await
                            .map_err(AppError::from)?
                            .ok_or_else(|| AppError::unauthorized(INVALID_CREDENTIALS))?;
                    }
                    let mut updated = user.clone();
                    updated.reset_failed_logins(now);
                    ports
                        .identity
                        .users
                        .save(&updated, &[])
                        .await
                        .map_err(retry::unless(Conflict::StaleUser, AppError::from))?;
                    updated.version += 1;
                    Ok(updated)
                },
                exhausted()
            )?;
        }
        Ok(user)
    }
}

/// Counts the failure on the freshest copy of the user, together with the failure event
/// (whose reason says whether this failure locked the account).
async fn record_failure(
    ports: &Ports,
    mut user: User,
    events: &mut EventBatch,
) -> Result<(), AppError> {
    let now = ports.clock.now();
    let exhausted = || AppError::Conflict("The account is being changed; try again".into());
    retry_on_conflict!(
        |attempt| {
            if attempt > 0 {
                match ports
                    .identity
                    .users
                    .find_by_id(user.id)
                    .await
                    .map_err(AppError::from)?
                {
                    Some(fresh) => user = fresh,
                    None => return Ok(()),
                }
            }
            let mut updated = user.clone();
            let locked = updated.record_failed_login(now);
            let failed = events.event(
                Some(user.id),
                EventPayload::UserLoginFailed {
                    email: user.email.as_str().to_owned(),
                    reason: if locked {
                        "invalid_credentials_locked"
                    } else {
                        "invalid_credentials"
                    }
                    .to_owned(),
                },
            );
            ports
                .identity
                .users
                .save(&updated, &events.outbox_with([failed]))
                .await
                .map_err(retry::unless(Conflict::StaleUser, AppError::from))?;
            events.mark_outboxed();
            Ok(())
        },
        exhausted()
    )
}

async fn open_session(
    ports: &Ports,
    user: &User,
    context: &EventContext,
    events: &mut EventBatch,
) -> Result<TokenPair, AppError> {
    let now = ports.clock.now();
    let config = ports.identity.security_config.get().await?;

    // Evict the oldest active sessions so that, with the new one, the tier limit holds.
    let known = ports.identity.sessions.list_for_user(user.id).await?;
    let mut active: Vec<Session> = known.iter().filter(|s| s.is_active(now)).cloned().collect();
    // Ids are UUIDv7, so they break ties between sessions created in the same instant.
    active.sort_by_key(|s| (s.created_at, s.id));
    let evict: Vec<Session> = match user.max_sessions() {
        Some(max) => {
            let over = (active.len() + 1).saturating_sub(max.max(1) as usize);
            active.into_iter().take(over).collect()
        }
        None => Vec::new(),
    };

    let refresh = ports.identity.opaque_tokens.refresh_token();
    let session = Session {
        device_info: context
            .user_agent
            .as_deref()
            .and_then(|ua| ports.identity.devices.describe(ua)),
        user_agent: context.user_agent.clone(),
        ip_address: context.ip_address.clone(),
        ..Session::start(user.id, now, refresh.hash)
    };
    let token = RefreshToken::first_of(&session, config.issue_version(user.min_token_version));
    let mut carried = Vec::new();
    for old in &evict {
        carried.push(events.event(
            Some(user.id),
            EventPayload::SessionEvicted {
                session_id: old.id,
                reason: "session_limit_exceeded".into(),
            },
        ));
    }
    carried.push(events.event(
        Some(user.id),
        EventPayload::SessionCreated {
            session_id: session.id,
            device_info: session.device_info.clone(),
        },
    ));
    // A device none of the user's remembered sessions used: worth an email. Not on the
    // very first login, when every device is new.
    if let Some(device) = &session.device_info
        && !known.is_empty()
        && !known.iter().any(|s| s.device_info.as_ref() == Some(device))
    {
        carried.push(events.event(
            Some(user.id),
            EventPayload::NewDeviceSessionDetected {
                email: user.email.as_str().to_owned(),
                session_id: session.id,
                device_info: device.clone(),
                ip_address: session.ip_address.clone(),
            },
        ));
    }
    carried.push(events.event(
        Some(user.id),
        EventPayload::UserLoginSucceeded {
            email: user.email.as_str().to_owned(),
            session_id: session.id,
        },
    ));
    ports
        .identity
        .sessions
        .create(
            &session,
            &token,
            &evict,
            "session_limit_exceeded",
            &events.outbox_with(carried),
        )
        .await?;
    events.mark_outboxed();

    Ok(token_pair(ports, user, session.id, refresh.plaintext).await?)
}
