//! How long the policy pipeline takes on the largest source policy (Qlocx:
//! 29 purposes, 38 categories): check (parse, validate, lint), render the
//! notice, build the record of processing.

#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use steward_domain::common::lang::Lang;
use steward_domain::publish::{notice, record_of_processing};

fn qlocx() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../policies/qlocx.toml"
    ))
    .expect("policies/qlocx.toml")
}

fn pipeline(c: &mut Criterion) {
    let source = qlocx();
    c.bench_function("check qlocx", |b| {
        b.iter(|| steward_domain::check(std::hint::black_box(&source)))
    });
    let policy = steward_domain::check(&source).policy.expect("qlocx checks");
    c.bench_function("render qlocx notice html sv", |b| {
        b.iter(|| notice::html(std::hint::black_box(&policy), Lang::Sv).expect("render"))
    });
    c.bench_function("render qlocx notice md en", |b| {
        b.iter(|| notice::markdown(std::hint::black_box(&policy), Lang::En).expect("render"))
    });
    c.bench_function("record qlocx csv", |b| {
        b.iter(|| {
            record_of_processing::Record::build(std::hint::black_box(&policy), Lang::En)
                .csv()
                .expect("csv")
        })
    });
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
