//! How a connector is told whom a request is about, and what it finds of
//! them.

/// An identity as the request verified it: its kind and normalised value.
#[derive(Debug, Clone)]
pub struct Identity<'a> {
    pub kind: &'a str,
    pub value: &'a str,
}

/// One value found about a person, under the column or field that held it:
/// several columns may hold the same category (a latitude and a longitude),
/// and each must reach the answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Datum {
    pub category: String,
    pub value: serde_json::Value,
}
