//! `--sizing`: the typical request of each function kind, timed under whatever CPU share
//! the process is given. `scripts/sizing.sh` runs it in a cgroup whose CPU quota stands
//! for a Lambda memory size (one vCPU at 1,769 MB). Prints one JSON object: per kind, the
//! p50 and mean wall time of back-to-back requests (no idle time to refill the quota), and
//! the CPU time per request of the whole process (every thread, from
//! `/proc/self/task/*/schedstat`), which a busy neighbour does not inflate.

use std::time::{Duration, Instant};

use axum::{Router, http::Method};
use dashtam_domain::identity::{ports::PasswordHasher, value_objects::Password};
use dashtam_infrastructure::security::Argon2Hasher;
use serde_json::{Map, Value, json};

use crate::{BoxError, PASSWORD, send};

/// Each kind is sampled for this long, and at least [`MIN_SAMPLES`] times.
const BUDGET: Duration = Duration::from_secs(3);
const MIN_SAMPLES: usize = 10;
const MAX_SAMPLES: usize = 100_000;

/// CPU time of every thread of this process so far, in milliseconds (0 where /proc is
/// missing: the figure is then left out).
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}

/// Times `step` until the budget is spent; answers p50 and mean in milliseconds.
async fn sample<F, Fut>(mut step: F) -> Result<Value, BoxError>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    for i in 0..2 {
        step(i).await?; // warm-up
    }
    let (started, cpu_started) = (Instant::now(), cpu_ms());
    let mut ms = Vec::new();
    while ms.len() < MAX_SAMPLES && (ms.len() < MIN_SAMPLES || started.elapsed() < BUDGET) {
        let t = Instant::now();
        step(ms.len() + 2).await?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let n = ms.len() as f64;
    let cpu = (cpu_ms() - cpu_started) / n;
    let mean = ms.iter().sum::<f64>() / n;
    ms.sort_by(f64::total_cmp);
    Ok(json!({"p50_ms": ms[ms.len() / 2], "mean_ms": mean, "cpu_ms": cpu, "samples": ms.len()}))
}

fn expect(status: u16, want: u16, what: &str) -> Result<(), BoxError> {
    if status == want {
        Ok(())
    } else {
        Err(format!("{what} answered {status}").into())
    }
}

/// `pair`: a login response of the verified bench user (its refresh token is rotated here).
/// Logins come last: they evict the oldest sessions, `pair`'s among them.
pub async fn run(app: &Router, pair: &Value) -> Result<Value, BoxError> {
    let mut out = Map::new();

    let hasher = Argon2Hasher::new();
    let password = Password::parse(PASSWORD, "password").map_err(|e| format!("{e:?}"))?;
    let hash = hasher.hash(&password).await?;
    let (hasher, hash) = (&hasher, hash.as_str());
    let verify = sample(move |_| async move {
        let ok = hasher.verify(PASSWORD, hash).await;
        if ok {
            Ok(())
        } else {
            Err("verify failed".into())
        }
    })
    .await?;
    out.insert("argon2_verify".into(), verify);

    // Each refresh rotates the token: the next request sends the one just issued.
    let current = &std::cell::RefCell::new(pair["refresh_token"].clone());
    let refresh = sample(move |_| async move {
        let body = json!({"refresh_token": current.borrow().clone()});
        let (status, answer) = send(app, Method::POST, "/api/v1/tokens", None, Some(body)).await?;
        expect(status, 201, "refresh")?;
        *current.borrow_mut() = answer["refresh_token"].clone();
        Ok(())
    })
    .await?;
    out.insert("refresh".into(), refresh);

    let access = pair["access_token"].as_str().ok_or("no access token")?;
    let read = sample(move |_| async move {
        let (status, _) = send(app, Method::GET, "/api/v1/users/me", Some(access), None).await?;
        expect(status, 200, "GET /users/me")
    })
    .await?;
    out.insert("read".into(), read);
    let register = sample(move |i| async move {
        let body = json!({"email": format!("size{i}@example.com"), "password": PASSWORD});
        let (status, _) = send(app, Method::POST, "/api/v1/users", None, Some(body)).await?;
        expect(status, 201, "register")
    })
    .await?;
    out.insert("register".into(), register);

    let login = sample(move |_| async move {
        let body = json!({"email": "bench@example.com", "password": PASSWORD});
        let (status, _) = send(app, Method::POST, "/api/v1/sessions", None, Some(body)).await?;
        expect(status, 201, "login")
    })
    .await?;
    out.insert("login".into(), login);

    Ok(Value::Object(out))
}
