use chrono::NaiveDate;
use dashtam_domain::FieldError;

use crate::AppError;

/// 400 when an inclusive range starts after it ends (equal dates are one day).
pub(crate) fn check_range(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Result<(), AppError> {
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(AppError::validation(
            "start_date must not be after end_date",
            vec![FieldError::new(
                "start_date",
                "invalid_range",
                "start_date is after end_date",
            )],
        )),
        _ => Ok(()),
    }
}
