//! Publishing a new version of the privacy notice: compared with the version
//! published last, its material changes named, the publication recorded, and
//! each person a change concerns told in a letter (Art. 12(1), 13(3)). Consent
//! a change no longer covers is refused by the decision (`changed_in`) until
//! given again; the letter says so.

use std::collections::BTreeSet;

use steward_domain::policy::Version;
use steward_domain::publish::changes::{self, Change};
use steward_domain::rights::letters;
use steward_domain::vault::actor::Actor;
use steward_store::Publication;

use crate::mail::Addressee;
use crate::rights::service::Rights;
use crate::vault::{Result, VaultError, invalid};

/// What a publication did.
#[derive(Debug, Clone)]
pub struct Published {
    pub version: String,
    /// The version compared with; `None` for the first publication.
    pub previous: Option<String>,
    pub changes: Vec<Change>,
    /// People written to, and letters sent.
    pub subjects_told: usize,
    pub letters: usize,
    /// People a change concerns with no proven address to write to: for an
    /// officer to tell another way.
    pub unreachable: usize,
}

impl Rights {
    /// Publishes the running policy, whose file text is `policy_text`.
    pub async fn publish_notice(&self, actor: &Actor, policy_text: &str) -> Result<Published> {
        let policy = self.vault.policy();
        let version = policy.meta.version.to_string();
        let checked = steward_domain::check(policy_text);
        if checked.policy.as_ref().map(|p| p.meta.version.to_string()) != Some(version.clone()) {
            return Err(invalid(
                "policy",
                "the text to publish is not the policy Steward runs",
            ));
        }
        let store = self.vault.store();
        let latest = store.latest_publication().await?;
        let old = match &latest {
            Some(last) => {
                if last.version == version {
                    return Err(VaultError::NotNow(format!(
                        "version {version} was published on {}; raise `[policy] version` for a new one",
                        last.published_at
                    )));
                }
                if Version::parse(&last.version).is_some_and(|v| v > policy.meta.version) {
                    return Err(invalid(
                        "policy.version",
                        format!(
                            "version {version} is older than the one published last ({})",
                            last.version
                        ),
                    ));
                }
                // Compared with nothing, no one would be told of anything.
                Some(
                    steward_domain::check(&last.policy_text)
                        .policy
                        .ok_or_else(|| {
                            VaultError::Internal(format!(
                                "the version published last ({}) no longer reads as a policy, so the changes cannot be named",
                                last.version
                            ))
                        })?,
                )
            }
            None => None,
        };
        let found = old
            .as_ref()
            .map(|old| changes::material_changes(old, policy))
            .unwrap_or_default();
        let (mut subjects_told, mut sent, mut unreachable_people) = (0, 0, 0);
        if let Some(old) = &old {
            let purposes: Vec<String> = found
                .iter()
                .flat_map(|c| c.purposes.iter().cloned())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let lang = policy.meta.default_language;
            for subject in store.concerned_subjects(&purposes).await? {
                let mut theirs: BTreeSet<String> = store
                    .records(&subject)
                    .await?
                    .into_iter()
                    .flat_map(|r| r.purposes)
                    .collect();
                theirs.extend(
                    store
                        .consents(&subject)
                        .await?
                        .into_iter()
                        .filter(|c| c.withdrawn_at.is_none())
                        .map(|c| c.purpose),
                );
                let lines: Vec<String> = found
                    .iter()
                    .filter(|c| c.purposes.iter().any(|p| theirs.contains(p)))
                    .map(|c| changes::describe(c, policy, old, lang))
                    .collect();
                if lines.is_empty() {
                    continue;
                }
                let letter = letters::notice_changed(
                    lang,
                    &policy.controller.name,
                    &version,
                    &lines,
                    &policy.rights.contact,
                );
                // Erased meanwhile: no one to tell.
                let addresses = match self.vault.proven_addresses(&subject).await {
                    Ok(addresses) => addresses,
                    Err(VaultError::Erased(_) | VaultError::NotFound { .. }) => continue,
                    Err(e) => return Err(e),
                };
                if addresses.is_empty() {
                    unreachable_people += 1;
                    continue;
                }
                for (channel, address) in &addresses {
                    let to = Addressee {
                        channel: channel.clone(),
                        address: address.clone(),
                    };
                    self.outbox.send(&to, &letter).await.map_err(|e| {
                        VaultError::Internal(format!("a letter could not be written: {e}"))
                    })?;
                    sent += 1;
                }
                subjects_told += 1;
                let audit = self.vault.event(
                    &actor.id,
                    "notice.change_told",
                    Some(&subject),
                    serde_json::json!({ "version": version, "changes": lines.len(), "letters": addresses.len() }),
                );
                self.vault.append_audit(audit).await?;
            }
        }
        // Recorded last: a run cut short by a failed letter is run again,
        // and those already told may hear twice rather than others never.
        let audit = self.vault.event(
            &actor.id,
            "notice.publish",
            None,
            serde_json::json!({
                "version": version,
                "previous": latest.as_ref().map(|l| l.version.clone()),
                "changes": found.iter().map(|c| format!("{}:{}", c.kind.as_str(), c.what)).collect::<Vec<_>>(),
            }),
        );
        store
            .record_publication(
                &Publication {
                    version: version.clone(),
                    published_at: self.vault.now(),
                    policy_text: policy_text.to_owned(),
                },
                audit,
            )
            .await?;
        Ok(Published {
            version,
            previous: latest.map(|l| l.version),
            changes: found,
            subjects_told,
            letters: sent,
            unreachable: unreachable_people,
        })
    }
}
