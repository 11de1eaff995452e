//! Fixed-point decimals (four places) for the sandbox's money and quantities: all arithmetic
//! is on integers; a value becomes a JSON number (Schwab) or a string (Alpaca) only at the end.

use std::{
    fmt,
    ops::{Add, Neg, Sub},
};

use serde_json::{Number, Value};

const SCALE: i64 = 10_000;

/// A decimal with four places, stored as ten-thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Dec(pub i64);

impl Dec {
    pub const ZERO: Dec = Dec(0);

    /// `units + frac / 10_000`, e.g. `Dec::new(164, 8500)` = 164.85.
    pub const fn new(units: i64, ten_thousandths: i64) -> Self {
        Dec(units * SCALE + ten_thousandths)
    }

    pub const fn int(units: i64) -> Self {
        Dec(units * SCALE)
    }

    pub const fn cents(cents: i64) -> Self {
        Dec(cents * 100)
    }

    /// The product, rounded half away from zero to four places.
    pub fn mul(self, other: Dec) -> Dec {
        let p = i128::from(self.0) * i128::from(other.0);
        Dec(round_div(p, i128::from(SCALE)))
    }

    pub fn times(self, n: i64) -> Dec {
        Dec(self.0 * n)
    }

    /// The quotient, rounded to four places (`None` for a zero divisor).
    pub fn div(self, other: Dec) -> Option<Dec> {
        (other.0 != 0).then(|| {
            Dec(round_div(
                i128::from(self.0) * i128::from(SCALE),
                i128::from(other.0),
            ))
        })
    }

    /// Rounded half away from zero to `places` (0..=4) decimals.
    pub fn round(self, places: u32) -> Dec {
        let unit = 10_i128.pow(4 - places.min(4));
        Dec(round_div(i128::from(self.0), unit) * unit as i64)
    }

    pub fn abs(self) -> Dec {
        Dec(self.0.abs())
    }

    /// A JSON number with exactly the digits of `Display` (Schwab sends doubles).
    pub fn num(self) -> Value {
        self.to_string()
            .parse::<Number>()
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }

    /// A JSON string (Alpaca sends decimals as strings).
    pub fn str(self) -> Value {
        Value::String(self.to_string())
    }
}

fn round_div(n: i128, d: i128) -> i64 {
    let q = n / d;
    let r = n % d;
    let q = if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    };
    q as i64
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (units, frac) = (a / SCALE as u64, a % SCALE as u64);
        if frac == 0 {
            return write!(f, "{sign}{units}");
        }
        let digits = format!("{frac:04}");
        write!(f, "{sign}{units}.{}", digits.trim_end_matches('0'))
    }
}

impl Add for Dec {
    type Output = Dec;
    fn add(self, o: Dec) -> Dec {
        Dec(self.0 + o.0)
    }
}

impl Sub for Dec {
    type Output = Dec;
    fn sub(self, o: Dec) -> Dec {
        Dec(self.0 - o.0)
    }
}

impl Neg for Dec {
    type Output = Dec;
    fn neg(self) -> Dec {
        Dec(-self.0)
    }
}

impl std::iter::Sum for Dec {
    fn sum<I: Iterator<Item = Dec>>(iter: I) -> Dec {
        iter.fold(Dec::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_rounds() {
        assert_eq!(Dec::new(164, 8500).to_string(), "164.85");
        assert_eq!((-Dec::cents(65)).to_string(), "-0.65");
        assert_eq!(Dec::int(5).to_string(), "5");
        assert_eq!(Dec(1).to_string(), "0.0001");
        assert_eq!(
            Dec::new(2, 5000).mul(Dec::new(3, 3333)).to_string(),
            "8.3333"
        );
        assert_eq!(Dec::new(1, 5).round(2).to_string(), "1");
        assert_eq!(Dec::new(1, 50).round(2).to_string(), "1.01");
        assert_eq!((-Dec::new(1, 50)).round(2).to_string(), "-1.01");
        assert_eq!(Dec::new(-81, 0) - Dec::cents(66), Dec::new(-81, -6600));
        assert_eq!(
            serde_json::to_string(&Dec::new(-81, -6600).num()).unwrap(),
            "-81.66"
        );
        assert_eq!(Dec::int(1).div(Dec::int(3)).unwrap().to_string(), "0.3333");
    }
}
