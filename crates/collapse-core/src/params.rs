//! Experiment parameters: declared once with a default, a meaning and a valid range, then
//! validated once when a run is set up (`--set`, `--config`), so that a model never sees a value
//! outside its range.

use std::fmt;

/// A parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A whole number.
    Int(i64),
    /// A real number.
    Float(f64),
    /// A word from a fixed set, a path or a list.
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "{v}"),
        }
    }
}

impl Value {
    /// The value as JSON, for manifests and `list --json`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Int(v) => serde_json::Value::from(*v),
            Value::Float(v) => serde_json::Value::from(*v),
            Value::Text(v) => serde_json::Value::from(v.clone()),
        }
    }
}

/// The type and valid range of a parameter.
#[derive(Clone, Debug)]
pub enum ParamKind {
    /// An integer in `[min, max]`.
    Int {
        /// Smallest valid value.
        min: i64,
        /// Largest valid value.
        max: i64,
    },
    /// A real number in `[min, max]`, or `(min, max]` when `min_exclusive`.
    Float {
        /// Lower end.
        min: f64,
        /// Upper end (inclusive; may be infinite).
        max: f64,
        /// Whether `min` itself is excluded.
        min_exclusive: bool,
    },
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// Free text (a path, a list); the experiment validates its content.
    Text,
}

impl ParamKind {
    /// The valid range, in words, as error messages and `describe` print it.
    pub fn range(&self) -> String {
        match self {
            ParamKind::Int { min, max } if *max == i64::MAX => format!("an integer >= {min}"),
            ParamKind::Int { min, max } => format!("an integer in [{min}, {max}]"),
            ParamKind::Float {
                min,
                max,
                min_exclusive,
            } => {
                let open = if *min_exclusive { '(' } else { '[' };
                if max.is_infinite() {
                    format!("a number in {open}{min}, inf)")
                } else {
                    format!("a number in {open}{min}, {max}]")
                }
            }
            ParamKind::Choice(words) => format!("one of {}", words.join(" | ")),
            ParamKind::Text => "text".to_string(),
        }
    }
}

/// A declared parameter of an experiment.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// The name used with `--set NAME=VALUE`.
    pub name: &'static str,
    /// The default value.
    pub default: Value,
    /// What the parameter means.
    pub help: &'static str,
    /// Its type and valid range.
    pub kind: ParamKind,
}

impl ParamSpec {
    /// An integer parameter in `[min, max]`.
    pub fn int(name: &'static str, default: i64, min: i64, max: i64, help: &'static str) -> Self {
        Self {
            name,
            default: Value::Int(default),
            help,
            kind: ParamKind::Int { min, max },
        }
    }
    /// A real parameter in `[min, max]`.
    pub fn float(name: &'static str, default: f64, min: f64, max: f64, help: &'static str) -> Self {
        let kind = ParamKind::Float {
            min,
            max,
            min_exclusive: false,
        };
        Self {
            name,
            default: Value::Float(default),
            help,
            kind,
        }
    }
    /// A real parameter in `(min, max]`.
    pub fn float_above(
        name: &'static str,
        default: f64,
        min: f64,
        max: f64,
        help: &'static str,
    ) -> Self {
        let kind = ParamKind::Float {
            min,
            max,
            min_exclusive: true,
        };
        Self {
            name,
            default: Value::Float(default),
            help,
            kind,
        }
    }
    /// A choice among fixed words; the default must be one of them.
    pub fn choice(
        name: &'static str,
        default: &'static str,
        words: &'static [&'static str],
        help: &'static str,
    ) -> Self {
        debug_assert!(words.contains(&default));
        Self {
            name,
            default: Value::Text(default.into()),
            help,
            kind: ParamKind::Choice(words),
        }
    }
    /// A choice among the words of a [`Choice`] enum.
    pub fn choice_of<C: Choice>(name: &'static str, default: C, help: &'static str) -> Self {
        Self {
            name,
            default: Value::Text(default.name().into()),
            help,
            kind: ParamKind::Choice(C::NAMES),
        }
    }
    /// Free text.
    pub fn text(name: &'static str, default: &str, help: &'static str) -> Self {
        Self {
            name,
            default: Value::Text(default.into()),
            help,
            kind: ParamKind::Text,
        }
    }

    fn invalid(&self, value: impl fmt::Display) -> ParamError {
        ParamError::Invalid {
            name: self.name.to_string(),
            value: value.to_string(),
            expected: self.kind.range(),
        }
    }

    /// Parses and range-checks a value given as text (`--set`).
    pub fn parse(&self, text: &str) -> Result<Value, ParamError> {
        let text = text.trim();
        let value = match &self.kind {
            ParamKind::Int { .. } => {
                Value::Int(text.parse::<i64>().map_err(|_| self.invalid(text))?)
            }
            ParamKind::Float { .. } => {
                Value::Float(text.parse::<f64>().map_err(|_| self.invalid(text))?)
            }
            ParamKind::Choice(_) | ParamKind::Text => Value::Text(text.to_string()),
        };
        // A refusal quotes the text as typed: `5e-324` rather than its 300-digit decimal.
        self.validate(value).map_err(|e| match e {
            ParamError::Invalid { .. } => self.invalid(text),
            other => other,
        })
    }

    /// Converts a TOML value (`--config`) and range-checks it.
    pub fn from_toml(&self, value: &toml::Value) -> Result<Value, ParamError> {
        let value = match (&self.kind, value) {
            (ParamKind::Int { .. }, toml::Value::Integer(v)) => Value::Int(*v),
            (ParamKind::Float { .. }, toml::Value::Integer(v)) => Value::Float(*v as f64),
            (ParamKind::Float { .. }, toml::Value::Float(v)) => Value::Float(*v),
            (ParamKind::Choice(_) | ParamKind::Text, toml::Value::String(v)) => {
                Value::Text(v.clone())
            }
            (_, other) => return Err(self.invalid(other)),
        };
        self.validate(value)
    }

    /// Range-checks a value of the right type.
    pub fn validate(&self, value: Value) -> Result<Value, ParamError> {
        let ok = match (&self.kind, &value) {
            (ParamKind::Int { min, max }, Value::Int(v)) => (min..=max).contains(&v),
            (
                ParamKind::Float {
                    min,
                    max,
                    min_exclusive,
                },
                Value::Float(v),
            ) => v.is_finite() && (if *min_exclusive { v > min } else { v >= min }) && v <= max,
            (ParamKind::Choice(words), Value::Text(v)) => words.contains(&v.as_str()),
            (ParamKind::Text, Value::Text(_)) => true,
            _ => false,
        };
        if ok {
            Ok(value)
        } else {
            Err(self.invalid(&value))
        }
    }
}

/// A parameter whose value is one of a fixed set of words, read into an enum.
///
/// Declare it with [`crate::choice!`], which writes the enum, its words and this trait:
///
/// ```
/// collapse_core::choice! {
///     /// How the covariance is estimated.
///     pub enum Estimator {
///         /// Divide by n − 1.
///         Unbiased = "unbiased",
///         /// Divide by n.
///         Mle = "mle",
///     }
/// }
/// use collapse_core::{Choice, ParamSpec, Params};
/// let specs = vec![ParamSpec::choice_of("estimator", Estimator::Unbiased, "the estimator")];
/// let mut p = Params::defaults(&specs);
/// p.set_text(&specs, "estimator", "mle").unwrap();
/// assert_eq!(p.choice::<Estimator>("estimator"), Estimator::Mle);
/// assert_eq!(Estimator::Mle.name(), "mle");
/// ```
pub trait Choice: Sized + Copy + 'static {
    /// The words, in the order of the variants.
    const NAMES: &'static [&'static str];
    /// The variants, in the same order.
    const ALL: &'static [Self];
    /// The word of a variant.
    fn name(self) -> &'static str;
    /// The variant of a word.
    fn from_name(word: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == word)
            .map(|i| Self::ALL[i])
    }
}

/// Declares an enum of words usable as a [`Choice`] parameter.
#[macro_export]
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $word:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }
        impl $crate::Choice for $name {
            const NAMES: &'static [&'static str] = &[$($word),+];
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::Choice::name(*self))
            }
        }
    };
}

/// A parameter that was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The experiment has no parameter of that name.
    #[error("unknown parameter `{name}`; valid parameters: {valid}")]
    Unknown {
        /// The name given.
        name: String,
        /// The experiment's parameter names.
        valid: String,
    },
    /// The value has the wrong type or lies outside the valid range.
    #[error("parameter `{name}`: invalid value `{value}`; expected {expected}")]
    Invalid {
        /// The parameter.
        name: String,
        /// The value given.
        value: String,
        /// The valid range in words.
        expected: String,
    },
    /// The value is valid alone but not with the other parameters.
    #[error("parameter `{name}`: {message}")]
    Conflict {
        /// The parameter.
        name: String,
        /// Why, and what is valid.
        message: String,
    },
    /// A `KEY=VALUE` assignment or a config file could not be read.
    #[error("{0}")]
    Syntax(String),
}

impl ParamError {
    /// A conflict between parameters, reported on `name`.
    pub fn conflict(name: &str, message: impl Into<String>) -> Self {
        ParamError::Conflict {
            name: name.to_string(),
            message: message.into(),
        }
    }
}

/// The resolved parameters of one run, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    values: Vec<(&'static str, Value)>,
}

impl Params {
    /// The defaults of `specs`.
    pub fn defaults(specs: &[ParamSpec]) -> Self {
        Self {
            values: specs.iter().map(|s| (s.name, s.default.clone())).collect(),
        }
    }

    /// Sets `name` from text, refusing unknown names and invalid values.
    pub fn set_text(
        &mut self,
        specs: &[ParamSpec],
        name: &str,
        text: &str,
    ) -> Result<(), ParamError> {
        let spec = find(specs, name)?;
        let value = spec.parse(text)?;
        self.put(spec.name, value);
        Ok(())
    }

    /// Sets `name` from a TOML value.
    pub fn set_toml(
        &mut self,
        specs: &[ParamSpec],
        name: &str,
        value: &toml::Value,
    ) -> Result<(), ParamError> {
        let spec = find(specs, name)?;
        let value = spec.from_toml(value)?;
        self.put(spec.name, value);
        Ok(())
    }

    /// Sets a value without validation (for code that builds parameters itself; the experiment
    /// still validates the combination).
    pub fn with(mut self, name: &'static str, value: Value) -> Self {
        self.put(name, value);
        self
    }

    fn put(&mut self, name: &'static str, value: Value) {
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    /// All values in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.values.iter().map(|(n, v)| (*n, v))
    }

    /// The value of `name`.
    ///
    /// # Panics
    /// If the experiment did not declare `name`: a programming error, not a user error.
    pub fn get(&self, name: &str) -> &Value {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("parameter `{name}` is not declared"))
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            Value::Int(v) => *v,
            other => panic!("parameter `{name}` is not an integer: {other:?}"),
        }
    }

    /// A non-negative integer parameter as `usize`.
    pub fn usize(&self, name: &str) -> usize {
        usize::try_from(self.int(name)).unwrap_or_else(|_| panic!("parameter `{name}` is negative"))
    }

    /// A real parameter (integers are widened).
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            Value::Float(v) => *v,
            Value::Int(v) => *v as f64,
            other => panic!("parameter `{name}` is not a number: {other:?}"),
        }
    }

    /// A text or choice parameter.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Value::Text(v) => v,
            other => panic!("parameter `{name}` is not text: {other:?}"),
        }
    }

    /// A choice parameter read into its enum.
    ///
    /// # Panics
    /// If the value is not one of `C`'s words: the spec declares `C::NAMES`, so a validated
    /// value always is (a programming error otherwise).
    pub fn choice<C: Choice>(&self, name: &str) -> C {
        let w = self.text(name);
        C::from_name(w)
            .unwrap_or_else(|| panic!("parameter `{name}`: `{w}` is not a declared choice"))
    }

    /// The parameters as a JSON object, in declaration order.
    pub fn to_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .values
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_json()))
            .collect();
        serde_json::Value::Object(map)
    }
}

fn find<'a>(specs: &'a [ParamSpec], name: &str) -> Result<&'a ParamSpec, ParamError> {
    specs
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ParamError::Unknown {
            name: name.to_string(),
            valid: specs.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
        })
}

/// Parses a comma-separated list strictly: every item trimmed and parsed as `T` (so `20.5` is
/// refused where an integer is expected, never rounded), no empty item (`0,,1`, `0,1,` and an
/// empty list are refused). The error names the parameter, the bad item and what is expected.
///
/// ```
/// use collapse_core::params::parse_list;
/// assert_eq!(parse_list::<u64>("snapshots", "0, 50,100", "integers >= 0").unwrap(), [0, 50, 100]);
/// assert!(parse_list::<u64>("snapshots", "0,,1", "integers >= 0").is_err());
/// assert!(parse_list::<u64>("samples", "20.5", "integers >= 0").is_err());
/// assert!(parse_list::<f64>("alphas", "0.1,", "numbers").is_err());
/// ```
pub fn parse_list<T: std::str::FromStr>(
    name: &str,
    text: &str,
    expected: &str,
) -> Result<Vec<T>, ParamError> {
    let bad = |why: String| {
        ParamError::conflict(
            name,
            format!("{why} in `{text}`; expected a comma-separated list of {expected}"),
        )
    };
    if text.trim().is_empty() {
        return Err(bad("an empty list".into()));
    }
    text.split(',')
        .map(|item| {
            let item = item.trim();
            if item.is_empty() {
                return Err(bad("an empty item".into()));
            }
            item.parse::<T>()
                .map_err(|_| bad(format!("`{item}` is not valid")))
        })
        .collect()
}

/// Parses a sweep grid: `a,b,c`, `lo:hi:count` (even) or `lo:hi:count:log` (geometric).
pub fn parse_grid(name: &str, text: &str) -> Result<Vec<f64>, ParamError> {
    let bad = |why: &str| {
        ParamError::conflict(
            name,
            format!("{why} in `{text}`; expected `a,b,c`, `lo:hi:count` or `lo:hi:count:log`"),
        )
    };
    let text = text.trim();
    if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        if !(3..=4).contains(&parts.len()) {
            return Err(bad("wrong number of fields"));
        }
        let lo: f64 = parts[0].trim().parse().map_err(|_| bad("bad lower end"))?;
        let hi: f64 = parts[1].trim().parse().map_err(|_| bad("bad upper end"))?;
        let count: usize = parts[2].trim().parse().map_err(|_| bad("bad count"))?;
        let log = match parts.get(3).map(|s| s.trim()) {
            None => false,
            Some("log") => true,
            Some(_) => return Err(bad("the fourth field must be `log`")),
        };
        if count == 0 || count > 100_000 {
            return Err(bad("count must be in [1, 100000]"));
        }
        if !lo.is_finite() || !hi.is_finite() || (log && (lo <= 0.0 || hi <= 0.0)) {
            return Err(bad("ends must be finite (and positive for `log`)"));
        }
        if count == 1 {
            return Ok(vec![lo]);
        }
        let step = |i: usize| i as f64 / (count - 1) as f64;
        Ok((0..count)
            .map(|i| {
                if log {
                    (lo.ln() + (hi.ln() - lo.ln()) * step(i)).exp()
                } else {
                    lo + (hi - lo) * step(i)
                }
            })
            .collect())
    } else {
        let values: Result<Vec<f64>, _> =
            text.split(',').map(|s| s.trim().parse::<f64>()).collect();
        match values {
            Ok(v) if !v.is_empty() && v.iter().all(|x| x.is_finite()) => Ok(v),
            _ => Err(bad("not a list of finite numbers")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("samples", 100, 2, 1_000_000, "sample size"),
            ParamSpec::float("real_fraction", 0.1, 0.0, 1.0, "fraction"),
            ParamSpec::choice("policy", "replace", &["replace", "accumulate"], "policy"),
        ]
    }

    #[test]
    fn messages_name_the_parameter_and_the_range() {
        let s = specs();
        let mut p = Params::defaults(&s);
        let e = p.set_text(&s, "samples", "1").unwrap_err().to_string();
        assert!(e.contains("`samples`") && e.contains("[2, 1000000]"), "{e}");
        let e = p
            .set_text(&s, "real_fraction", "1.5")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`real_fraction`") && e.contains("[0, 1]"), "{e}");
        let e = p.set_text(&s, "policy", "keep").unwrap_err().to_string();
        let tiny = p
            .set_text(&s, "real_fraction", "-5e-324")
            .unwrap_err()
            .to_string();
        assert!(tiny.contains("`-5e-324`"), "{tiny}");
        assert!(e.contains("replace | accumulate"), "{e}");
        let e = p.set_text(&s, "sample", "3").unwrap_err().to_string();
        assert!(
            e.contains("unknown parameter `sample`") && e.contains("samples"),
            "{e}"
        );
        assert!(p.set_text(&s, "samples", "abc").is_err());
        p.set_text(&s, "samples", "7").unwrap();
        assert_eq!(p.int("samples"), 7);
    }

    #[test]
    fn grids() {
        assert_eq!(parse_grid("x", "1,2,3").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(parse_grid("x", "0:1:3").unwrap(), vec![0.0, 0.5, 1.0]);
        let g = parse_grid("x", "1:100:3:log").unwrap();
        assert!((g[1] - 10.0).abs() < 1e-12);
        assert!(parse_grid("x", "0:1:0").is_err());
        assert!(parse_grid("x", "a,b").is_err());
        assert!(parse_grid("x", "0:1:3:log").is_err());
    }
}
