//! The Art. 30(1) record of processing for the five source policies.

use steward_domain::common::lang::Lang;
use steward_domain::publish::record_of_processing::Record;

use super::*;

#[test]
fn one_row_per_purpose_with_every_item_a_to_g_filled() {
    for name in SOURCE_POLICIES {
        let policy = load(&source_policy_text(name));
        let record = Record::build(&policy, Lang::En);
        assert_eq!(record.activities.len(), policy.purposes.len(), "{name}");
        for (activity, purpose) in record.activities.iter().zip(&policy.purposes) {
            let at = format!("{name}/{}", purpose.id);
            assert_eq!(activity.id, purpose.id);
            assert!(
                activity.controller.contains(&policy.controller.name),
                "{at} (a)"
            );
            assert!(!activity.purpose.is_empty(), "{at} (b)");
            assert!(!activity.legal_basis.is_empty(), "{at} (b) basis");
            assert!(!activity.data_subjects.is_empty(), "{at} (c) subjects");
            assert!(!activity.personal_data.is_empty(), "{at} (c) data");
            let recipients = policy.recipients_for(&purpose.id).count();
            assert_eq!(activity.recipients.len(), recipients, "{at} (d)");
            let transfers = policy
                .recipients_for(&purpose.id)
                .filter(|r| r.country.is_third_country())
                .count();
            assert_eq!(activity.transfers.len(), transfers, "{at} (e)");
            if !purpose.anonymous {
                assert!(!activity.erasure_time_limits.is_empty(), "{at} (f)");
            }
            assert_eq!(
                activity.security_measures.len(),
                policy.security_measures.len(),
                "{at} (g)"
            );
        }
    }
}

#[test]
fn csv_has_a_header_and_one_parseable_row_per_activity() {
    let policy = load(&source_policy_text("qlocx"));
    let record = Record::build(&policy, Lang::Sv);
    let text = record.csv().expect("csv");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.len(), 11);
    assert_eq!(
        &header[2],
        "(a) Personuppgiftsansvarig, gemensamt ansvariga, företrädare, dataskyddsombud"
    );
    let rows: Vec<_> = reader.records().collect::<Result<_, _>>().expect("rows");
    assert_eq!(rows.len(), policy.purposes.len());
}

#[test]
fn json_keeps_stable_english_keys() {
    let policy = load(&source_policy_text("elveta"));
    let json: serde_json::Value =
        serde_json::from_str(&Record::build(&policy, Lang::Sv).json().expect("json"))
            .expect("valid json");
    let first = &json["activities"][0];
    for key in [
        "id",
        "controller",
        "purpose",
        "legal_basis",
        "data_subjects",
        "personal_data",
        "recipients",
        "transfers",
        "erasure_time_limits",
        "security_measures",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["language"], "sv");
}

#[test]
fn record_snapshots() {
    for name in SOURCE_POLICIES {
        let policy = load(&source_policy_text(name));
        let record = Record::build(&policy, policy.meta.default_language);
        insta::assert_snapshot!(format!("ropa_{name}_md"), record.markdown());
        insta::assert_snapshot!(format!("ropa_{name}_csv"), record.csv().expect("csv"));
        insta::assert_snapshot!(format!("ropa_{name}_json"), record.json().expect("json"));
    }
}
