//! Objections (Art. 21) and restriction (Art. 18): what stops or limits a
//! purpose's use of a subject's data, recorded on the subject.

use steward_domain::common::ids::SubjectId;
use steward_domain::vault::actor::Actor;
use steward_store::{Objection, SubjectFlags};

use crate::vault::error::{Result, VaultError, invalid};
use crate::vault::input::plain_text;
use crate::vault::service::Vault;

impl Vault {
    /// Art. 21: an objection to one purpose, or to direct marketing (absolute).
    pub async fn object(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        purpose: &str,
        compelling_grounds: Option<String>,
    ) -> Result<()> {
        // A service records objections only for its own purposes; to direct
        // marketing as a whole only if it runs some.
        let allowed = if purpose == "direct_marketing" {
            self.policy
                .purposes
                .iter()
                .any(|p| p.direct_marketing && actor.may_use(&p.id))
        } else {
            actor.may_use(purpose)
        };
        if !allowed {
            return Err(VaultError::Forbidden(format!(
                "this token may not record objections to `{purpose}`"
            )));
        }
        self.subject_for(actor, subject).await?;
        if purpose == "direct_marketing" {
            let audit = self.act(
                actor,
                "objection.direct_marketing",
                Some(subject),
                serde_json::json!({}),
            );
            return Ok(self
                .store
                .set_flags(
                    subject,
                    SubjectFlags {
                        objects_to_marketing: Some(true),
                        restricted: None,
                    },
                    audit,
                )
                .await?);
        }
        let found = self.policy.purpose(purpose).ok_or_else(|| {
            invalid(
                "purpose",
                format!("`{purpose}` is not a purpose of the policy (or `direct_marketing`)"),
            )
        })?;
        if compelling_grounds.is_some() && !actor.role.is_officer() {
            return Err(VaultError::Forbidden(
                "only a privacy officer may record compelling grounds".into(),
            ));
        }
        if let Some(grounds) = &compelling_grounds {
            plain_text("compelling_grounds", grounds)?;
        }
        if let Some(why) = found.objection_refused() {
            return Err(invalid("purpose", why));
        }
        // Art. 21(3): an objection to direct marketing is absolute. It is
        // recorded whatever grounds come with it; the grounds are not.
        let ignored = compelling_grounds.is_some() && found.direct_marketing;
        let compelling_grounds = compelling_grounds.filter(|_| !found.direct_marketing);
        let objection = Objection {
            subject_id: subject.clone(),
            purpose: purpose.to_owned(),
            at: self.now(),
            compelling_grounds: compelling_grounds.clone(),
        };
        let audit = self.act(
            actor,
            "objection",
            Some(subject),
            serde_json::json!({
                "purpose": purpose,
                "compelling_grounds_recorded": compelling_grounds.is_some(),
                "compelling_grounds_ignored_direct_marketing": ignored,
            }),
        );
        Ok(self.store.set_objection(&objection, audit).await?)
    }

    /// A signed-in subject's browser sends Global Privacy Control: recorded
    /// as their objection to direct marketing (Art. 21(2), which needs no
    /// reason and admits no exception: the nearest the GDPR has to GPC's
    /// "do not sell or share"), once, with the signal as its source.
    /// `true` when it was recorded now.
    pub async fn object_by_signal(&self, subject: &SubjectId, source: &str) -> Result<bool> {
        let found = self.live_subject(subject).await?;
        if found.objects_to_marketing || !self.policy.purposes.iter().any(|p| p.direct_marketing) {
            return Ok(false);
        }
        let audit = self.act(
            &Actor::data_subject(),
            "objection.direct_marketing",
            Some(subject),
            serde_json::json!({ "source": source }),
        );
        self.store
            .set_flags(
                subject,
                SubjectFlags {
                    objects_to_marketing: Some(true),
                    restricted: None,
                },
                audit,
            )
            .await?;
        Ok(true)
    }

    /// Art. 18: restrict processing to storage, or lift the restriction.
    pub async fn restrict(
        &self,
        actor: &Actor,
        subject: &SubjectId,
        restricted: bool,
    ) -> Result<()> {
        self.live_subject(subject).await?;
        let action = if restricted {
            "restriction.set"
        } else {
            "restriction.lift"
        };
        let audit = self.act(actor, action, Some(subject), serde_json::json!({}));
        Ok(self
            .store
            .set_flags(
                subject,
                SubjectFlags {
                    restricted: Some(restricted),
                    objects_to_marketing: None,
                },
                audit,
            )
            .await?)
    }
}
