//! The answer in the form asked for: JSON; the Art. 15 report, or the
//! erasure's answer, in Markdown or HTML in the requester's language; for
//! portability a zip of JSON and CSV.

use std::io::Write;

use steward_domain::policy::Policy;
use steward_domain::rights::access_report::{self, AccessReport, Unsearched};
use steward_domain::rights::erasure_report::{ErasureReport, KeptItem};
use steward_domain::rights::request::RequestKind;
use steward_store::StoredRequest;

use crate::rights::answer::Answer;
use crate::vault::{Result, VaultError, invalid};

/// A rendered answer: its media type and bytes.
pub type Rendered = (&'static str, Vec<u8>);

pub fn render(
    policy: &Policy,
    stored: &StoredRequest,
    answer: &Answer,
    format: &str,
) -> Result<Rendered> {
    let internal = |e: &dyn std::fmt::Display| {
        VaultError::Internal(format!("the answer could not be rendered as {format}: {e}"))
    };
    let system_name = |id: &str| {
        if id == "vault" {
            return policy.controller.name.clone();
        }
        policy
            .systems
            .iter()
            .find(|s| s.id == id)
            .map_or_else(|| id.to_owned(), |s| s.name.get(stored.language).to_owned())
    };
    // Every part that did not end done: its system was not (fully) searched,
    // or (erasure) not erased.
    let not_done = |action: &str| -> Vec<Unsearched> {
        answer
            .parts
            .iter()
            .filter(|p| !p.done && p.action == action)
            .map(|p| Unsearched {
                system: system_name(&p.system),
                reason: p.reason.clone().unwrap_or_else(|| {
                    if p.manual {
                        "it waits to be done by hand".into()
                    } else {
                        "it did not answer".into()
                    }
                }),
            })
            .collect()
    };
    let unsearched = not_done("access");
    let erasure_report = || {
        let erased_in: Vec<String> = answer
            .parts
            .iter()
            .filter(|p| p.done && p.action == "erase")
            .map(|p| system_name(&p.system))
            .collect();
        let kept: Vec<KeptItem> = answer
            .kept
            .iter()
            .map(|k| KeptItem {
                system: system_name(&k.system),
                category: k.what.clone(),
                reason: k.reason.clone(),
                until: k.until.clone(),
            })
            .collect();
        ErasureReport::build(
            policy,
            &erased_in,
            &kept,
            &not_done("erase"),
            stored.language,
            &answer.generated,
        )
    };
    let report = || {
        AccessReport::build(
            policy,
            answer.data.clone(),
            &answer.received,
            &unsearched,
            stored.language,
            &answer.generated,
        )
    };
    let kind = stored.kind;
    match format {
        "json" => Ok((
            "application/json",
            serde_json::to_vec_pretty(answer).map_err(|e| internal(&e))?,
        )),
        "md" if kind == RequestKind::Access => Ok((
            "text/markdown; charset=utf-8",
            report().markdown().map_err(|e| internal(&e))?.into_bytes(),
        )),
        "html" if kind == RequestKind::Access => Ok((
            "text/html; charset=utf-8",
            report().html().map_err(|e| internal(&e))?.into_bytes(),
        )),
        "md" if kind == RequestKind::Erasure => Ok((
            "text/markdown; charset=utf-8",
            erasure_report()
                .markdown()
                .map_err(|e| internal(&e))?
                .into_bytes(),
        )),
        "html" if kind == RequestKind::Erasure => Ok((
            "text/html; charset=utf-8",
            erasure_report()
                .html()
                .map_err(|e| internal(&e))?
                .into_bytes(),
        )),
        "zip" if kind == RequestKind::Portability => {
            let csv = access_report::portable_csv(&answer.data).map_err(|e| internal(&e))?;
            let json = serde_json::to_vec_pretty(&answer.data).map_err(|e| internal(&e))?;
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default();
            for (name, bytes) in [("data.json", json), ("data.csv", csv.into_bytes())] {
                zip.start_file(name, options).map_err(|e| internal(&e))?;
                zip.write_all(&bytes).map_err(|e| internal(&e))?;
            }
            let cursor = zip.finish().map_err(|e| internal(&e))?;
            Ok(("application/zip", cursor.into_inner()))
        }
        "md" | "html" => Err(invalid(
            "format",
            "a readable report is made for access and erasure requests; use `json`",
        )),
        "zip" => Err(invalid(
            "format",
            "a zip is made for portability requests; use `json`",
        )),
        other => Err(invalid(
            "format",
            format!(
                "`{other}` is not a format: use json, md or html (access), or zip (portability)"
            ),
        )),
    }
}
