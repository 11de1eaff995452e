//! `GET /v2/account/activities` query rules: types, category, date bounds, direction and
//! `page_token` paging (the id of the last item of the previous page).

use std::collections::HashMap;

use axum::{http::StatusCode, response::Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{activities::Activity, error};

/// Alpaca's activity types (alpaca-py `ActivityType`).
const TYPES: [&str; 37] = [
    "FILL", "ACATC", "ACATS", "CFEE", "CIL", "CSD", "CSW", "DIV", "DIVCGL", "DIVCGS", "DIVNRA",
    "DIVROC", "DIVTXEX", "DIVWH", "EXTRD", "FEE", "FXTRD", "INT", "INTPNL", "JNLC", "JNLS", "MA",
    "MEM", "NC", "OCT", "OPASN", "OPCSH", "OPEXC", "OPEXP", "OPTRD", "PTC", "REORG", "SPIN",
    "SPLIT", "SWP", "VOF", "WH",
];

const MAX_PAGE: usize = 100;

fn invalid(message: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, 40010001, message)
}

/// A bound: an RFC 3339 date-time, or a date (its start for `after`, its end for `until`).
fn bound(value: &str, name: &str, end_of_day: bool) -> Result<DateTime<Utc>, Response> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| invalid(&format!("invalid {name}: {value}")))?;
    let start = date.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(if end_of_day {
        start + Duration::days(1) - Duration::milliseconds(1)
    } else {
        start
    })
}

pub(crate) fn select(
    all: Vec<Activity>,
    path_type: Option<&str>,
    q: &HashMap<String, String>,
) -> Result<Vec<Activity>, Response> {
    let listed = q.get("activity_types").filter(|v| !v.is_empty());
    if path_type.is_some() && (listed.is_some() || q.contains_key("category")) {
        return Err(invalid(
            "activity_types and category cannot be used with a path activity type",
        ));
    }
    let types: Option<Vec<&str>> = path_type
        .map(|t| vec![t])
        .or_else(|| listed.map(|l| l.split(',').map(str::trim).collect()));
    if let Some(bad) = types.iter().flatten().find(|t| !TYPES.contains(t)) {
        return Err(invalid(&format!("invalid activity type: {bad}")));
    }
    let category = match q.get("category").map(String::as_str) {
        None => None,
        Some(c @ ("trade_activity" | "non_trade_activity")) => Some(c == "trade_activity"),
        Some(other) => return Err(invalid(&format!("invalid category: {other}"))),
    };
    let date = q
        .get("date")
        .map(|d| (bound(d, "date", false), bound(d, "date", true)));
    if date.is_some() && (q.contains_key("after") || q.contains_key("until")) {
        return Err(invalid("date cannot be used with after or until"));
    }
    let by_date = date.is_some();
    let (after, until) = match date {
        Some((a, u)) => (Some(a?), Some(u?)),
        None => (
            q.get("after")
                .map(|v| bound(v, "after", false))
                .transpose()?,
            q.get("until")
                .map(|v| bound(v, "until", true))
                .transpose()?,
        ),
    };
    let ascending = match q.get("direction").map(String::as_str) {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(other) => return Err(invalid(&format!("invalid direction: {other}"))),
    };
    let page_size = match q.get("page_size") {
        None if by_date => usize::MAX,
        None => MAX_PAGE,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => {
                if by_date {
                    n
                } else {
                    n.min(MAX_PAGE)
                }
            }
            _ => return Err(invalid(&format!("invalid page_size: {v}"))),
        },
    };
    let token = q.get("page_token").filter(|t| !t.is_empty());
    let mut rows: Vec<Activity> = all
        .into_iter()
        .filter(|a| types.as_ref().is_none_or(|t| t.contains(&a.activity_type)))
        .filter(|a| category.is_none_or(|trade| trade == (a.activity_type == "FILL")))
        .filter(|a| after.is_none_or(|b| a.time >= b) && until.is_none_or(|b| a.time <= b))
        .filter(|a| {
            token.is_none_or(|t| {
                if ascending {
                    a.id.as_str() > t.as_str()
                } else {
                    a.id.as_str() < t.as_str()
                }
            })
        })
        .collect();
    if ascending {
        rows.reverse();
    }
    rows.truncate(page_size);
    Ok(rows)
}
