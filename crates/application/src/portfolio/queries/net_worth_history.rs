use chrono::{Months, NaiveDate, NaiveTime};
use dashtam_domain::{
    FieldError,
    portfolio::{
        AccountHistory, BalanceSnapshot, Currency, NetWorthPoint, daily_net_worth, percent_change,
    },
};
use rust_decimal::Decimal;

use crate::{AppError, Ports, dto::Principal, portfolio::check_range};

/// The longest series one request may ask for.
pub const MAX_RANGE_MONTHS: u32 = 60;
/// The default series: the last 30 days.
const DEFAULT_DAYS: i64 = 30;

/// The caller's net worth in one currency, day by day, from the balance snapshots.
pub struct NetWorthHistory<'a> {
    pub principal: &'a Principal,
    /// Inclusive; default 30 days before `end_date`.
    pub start_date: Option<NaiveDate>,
    /// Inclusive; default today (UTC).
    pub end_date: Option<NaiveDate>,
    /// An ISO 4217 code of the supported list; default USD.
    pub currency: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NetWorthSeries {
    pub currency: Currency,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// One per day, oldest first.
    pub points: Vec<NetWorthPoint>,
    /// Last point minus first.
    pub change_amount: Decimal,
    /// Against the first point; `None` when it was 0.
    pub change_percent: Option<Decimal>,
}

impl NetWorthHistory<'_> {
    pub async fn execute(self, ports: &Ports) -> Result<NetWorthSeries, AppError> {
        let currency = parse_currency(self.currency.as_deref())?;
        let end = self.end_date.unwrap_or(ports.clock.now().date_naive());
        let start = self
            .start_date
            .unwrap_or(end - chrono::Duration::days(DEFAULT_DAYS));
        check_range(Some(start), Some(end))?;
        if start
            .checked_add_months(Months::new(MAX_RANGE_MONTHS))
            .is_none_or(|limit| end > limit)
        {
            return Err(AppError::validation(
                "The date range may span at most 5 years",
                vec![FieldError::new(
                    "end_date",
                    "range_too_long",
                    "end_date is more than 5 years after start_date",
                )],
            ));
        }
        let accounts: Vec<_> = ports
            .portfolio
            .accounts
            .list_for_user(self.principal.user_id)
            .await?
            .into_iter()
            .filter(|a| a.currency == currency)
            .collect();
        let from = start.and_time(NaiveTime::MIN).and_utc();
        let to = end
            .succ_opt()
            .unwrap_or(end)
            .and_time(NaiveTime::MIN)
            .and_utc()
            - chrono::Duration::nanoseconds(1);
        let snapshots = &ports.portfolio.snapshots;
        let histories: Vec<Vec<BalanceSnapshot>> =
            futures::future::try_join_all(accounts.iter().map(|a| async move {
                let (before, within) = futures::future::try_join(
                    snapshots.latest_at(a.id, from - chrono::Duration::nanoseconds(1)),
                    snapshots.range(a.id, from, to, None),
                )
                .await?;
                Ok::<_, dashtam_domain::StoreError>(before.into_iter().chain(within).collect())
            }))
            .await?;
        let parts: Vec<AccountHistory<'_>> = accounts
            .iter()
            .zip(&histories)
            .map(|(account, snapshots)| AccountHistory { account, snapshots })
            .collect();
        let points = daily_net_worth(&parts, start, end);
        let first = points.first().map_or(Decimal::ZERO, |p| p.net_worth);
        let last = points.last().map_or(Decimal::ZERO, |p| p.net_worth);
        Ok(NetWorthSeries {
            currency,
            start,
            end,
            points,
            change_amount: last - first,
            change_percent: percent_change(first, last),
        })
    }
}

/// The requested currency (default USD), or a 400 that lists the supported ones.
pub(crate) fn parse_currency(code: Option<&str>) -> Result<Currency, AppError> {
    let Some(code) = code else {
        return Ok(Currency::Usd);
    };
    Currency::parse_code(code).ok_or_else(|| {
        let supported: Vec<&str> = Currency::ALL.iter().map(|c| c.as_str()).collect();
        AppError::validation(
            format!(
                "Currency '{code}' is not supported; use one of {}",
                supported.join(", ")
            ),
            vec![FieldError::new(
                "currency",
                "unsupported_currency",
                "not a supported ISO 4217 code",
            )],
        )
    })
}
