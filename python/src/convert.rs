//! Plain values into Python objects: JSON (manifests), parameter values and declarations.

use collapse_core::{ParamKind, ParamSpec, Params, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};

/// A JSON value as the Python value `json.loads` would give.
pub fn json<'py>(py: Python<'py>, v: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => py.None().into_bound(py),
        J::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        J::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        J::String(s) => PyString::new(py, s).into_any(),
        J::Array(a) => {
            let items = a
                .iter()
                .map(|x| json(py, x))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        J::Object(o) => {
            let d = PyDict::new(py);
            for (k, x) in o {
                d.set_item(k, json(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A parameter value: `int`, `float` or `str`.
pub fn value<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Int(i) => i.into_pyobject(py)?.into_any(),
        Value::Float(f) => f.into_pyobject(py)?.into_any(),
        Value::Text(s) => PyString::new(py, s).into_any(),
    })
}

/// Resolved parameters as a dict, in declaration order.
pub fn params<'py>(py: Python<'py>, p: &Params) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, v) in p.iter() {
        d.set_item(name, value(py, v)?)?;
    }
    Ok(d)
}

/// One declared parameter: name, default, range (the command's words), meaning, and its type
/// with the bounds or words as values.
pub fn spec<'py>(py: Python<'py>, s: &ParamSpec) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", s.name)?;
    d.set_item("default", value(py, &s.default)?)?;
    d.set_item("range", s.kind.range())?;
    d.set_item("meaning", s.help)?;
    match &s.kind {
        ParamKind::Int { min, max } => {
            d.set_item("type", "int")?;
            d.set_item("min", *min)?;
            d.set_item("max", *max)?;
        }
        ParamKind::Float {
            min,
            max,
            min_exclusive,
        } => {
            d.set_item("type", "float")?;
            d.set_item("min", *min)?;
            d.set_item("max", *max)?;
            d.set_item("min_exclusive", *min_exclusive)?;
        }
        ParamKind::Choice(words) => {
            d.set_item("type", "choice")?;
            d.set_item("choices", PyList::new(py, words.iter())?)?;
        }
        ParamKind::Text => {
            d.set_item("type", "text")?;
        }
    }
    Ok(d)
}
