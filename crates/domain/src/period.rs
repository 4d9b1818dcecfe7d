//! ISO-8601 durations such as `PT15M`, `PT1H`, `P1D`, `P1W`, for the periods of scheduled jobs.

use std::fmt;
use std::time::Duration;

/// A positive, whole-second ISO-8601 duration without years or months (their length varies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period(Duration);

impl Period {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let text = raw.trim().to_ascii_uppercase();
        let bad = |why: &str| {
            format!("'{raw}' is not an ISO-8601 period such as PT15M, PT1H or P1D ({why})")
        };
        let rest = text
            .strip_prefix('P')
            .ok_or_else(|| bad("it must start with P"))?;
        if rest.is_empty() {
            return Err(bad("it names no amount"));
        }
        let (date_part, time_part) = match rest.split_once('T') {
            Some((_, "")) => return Err(bad("nothing follows T")),
            Some((d, t)) => (d, Some(t)),
            None => (rest, None),
        };
        let mut seconds: u64 = 0;
        let mut add = |amount: u64, unit: u64| {
            seconds = amount
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(|| bad("it is too long"))?;
            Ok::<(), String>(())
        };
        for (amount, unit) in components(date_part).map_err(|e| bad(&e))? {
            match unit {
                'W' => add(amount, 7 * 86_400)?,
                'D' => add(amount, 86_400)?,
                'Y' | 'M' => return Err(bad("years and months have no fixed length; use days")),
                other => return Err(bad(&format!("'{other}' is not a date unit"))),
            }
        }
        for (amount, unit) in time_part
            .map(components)
            .transpose()
            .map_err(|e| bad(&e))?
            .unwrap_or_default()
        {
            match unit {
                'H' => add(amount, 3600)?,
                'M' => add(amount, 60)?,
                'S' => add(amount, 1)?,
                other => return Err(bad(&format!("'{other}' is not a time unit"))),
            }
        }
        if seconds == 0 {
            return Err(bad("it must be longer than zero"));
        }
        Ok(Self(Duration::from_secs(seconds)))
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

/// `12H30M` → [(12, 'H'), (30, 'M')].
fn components(part: &str) -> Result<Vec<(u64, char)>, String> {
    let mut out = Vec::new();
    let mut digits = String::new();
    for c in part.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if digits.is_empty() {
            return Err(format!("'{c}' has no number before it"));
        } else {
            out.push((
                digits
                    .parse()
                    .map_err(|_| "a number is too large".to_owned())?,
                c,
            ));
            digits.clear();
        }
    }
    if !digits.is_empty() {
        return Err(format!("'{digits}' has no unit after it"));
    }
    Ok(out)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0.as_secs();
        f.write_str("P")?;
        if s >= 86_400 {
            write!(f, "{}D", s / 86_400)?;
            s %= 86_400;
        }
        if s > 0 {
            f.write_str("T")?;
            for (unit, size) in [('H', 3600), ('M', 60), ('S', 1)] {
                if s >= size {
                    write!(f, "{}{unit}", s / size)?;
                    s %= size;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(raw: &str) -> u64 {
        Period::parse(raw).unwrap().duration().as_secs()
    }

    #[test]
    fn parses_the_usual_periods() {
        assert_eq!(secs("PT15M"), 900);
        assert_eq!(secs("PT1H"), 3600);
        assert_eq!(secs("P1D"), 86_400);
        assert_eq!(secs("P1W"), 604_800);
        assert_eq!(secs("P1DT2H3M4S"), 93_784);
        assert_eq!(secs("pt30s"), 30);
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for raw in [
            "", "1H", "P", "PT", "PT0S", "P1M", "P1Y", "PT5X", "PTH", "PT5", "P1H", "often",
        ] {
            let err = Period::parse(raw).unwrap_err();
            assert!(err.contains("is not an ISO-8601 period"), "{raw}: {err}");
        }
    }

    #[test]
    fn prints_back_in_iso_form() {
        for raw in ["PT15M", "PT1H", "P1D", "P1DT2H3M4S", "PT30S"] {
            assert_eq!(Period::parse(raw).unwrap().to_string(), raw);
        }
    }
}
