//! The purpose decision runs on every read: its cost on Connectel's policy,
//! with indices resolved in advance (how the engine calls it) and with the
//! string lookups included.

#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use steward_domain::policy::Version;
use steward_domain::vault::decision::{ConsentWindow, DecisionTable, SubjectState, Window};

fn decision(c: &mut Criterion) {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/connectel.toml"
    ))
    .expect("policies/connectel.toml");
    let policy = steward_domain::check(&source)
        .policy
        .expect("connectel checks");
    let table = DecisionTable::compile(&policy);
    let mut state = SubjectState {
        subject_type: table.subject_type("customer_contact"),
        relationship: Some(Window {
            from: 0,
            until: None,
        }),
        ..SubjectState::default()
    };
    let recording = table.purpose("support_call_recording").expect("purpose");
    state.set_consent(
        recording,
        ConsentWindow {
            given_at: 0,
            withdrawn_at: None,
            policy_version: Version::parse("3.1").expect("v"),
            parental: false,
        },
    );
    let category = table.category("helpdesk.call_recording").expect("category");
    let service = table.purpose("customer_service").expect("purpose");
    let now = 1_700_000_000;

    c.bench_function("decide consent (indices)", |b| {
        b.iter(|| {
            table.decide(
                black_box(&state),
                black_box(recording),
                black_box(category),
                black_box(now),
            )
        })
    });
    c.bench_function("decide legitimate interests (indices)", |b| {
        b.iter(|| {
            table.decide(
                black_box(&state),
                black_box(service),
                black_box(category),
                black_box(now),
            )
        })
    });
    c.bench_function("decide with id lookups", |b| {
        b.iter(|| {
            let purpose = table
                .purpose(black_box("support_call_recording"))
                .expect("purpose");
            let category = table
                .category(black_box("helpdesk.call_recording"))
                .expect("category");
            table.decide(black_box(&state), purpose, category, black_box(now))
        })
    });
}

criterion_group!(benches, decision);
criterion_main!(benches);
