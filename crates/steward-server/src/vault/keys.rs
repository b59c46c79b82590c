//! Rotating the key-encryption key: every data key and system key is
//! re-wrapped under the new one, all or none.

use steward_domain::vault::actor::Actor;
use steward_domain::vault::crypto::KeyEncryptionKey;
use steward_store::{KeyName, WrappedKey};

use crate::vault::error::Result;
use crate::vault::key_ring::{subject_context, system_context};
use crate::vault::service::Vault;

impl Vault {
    /// Re-wraps every key under `new_kek`; returns how many were re-wrapped.
    pub async fn rotate(&self, actor: &Actor, new_kek: &KeyEncryptionKey) -> Result<usize> {
        let kek = self.keys.kek();
        let mut rewrapped = Vec::new();
        for (name, key) in self.store.wrapped_keys().await? {
            let context = match &name {
                KeyName::Subject(id) => subject_context(id),
                KeyName::System(name) => system_context(name),
            };
            let secret = kek.unwrap(&key.wrapped, &context)?;
            rewrapped.push((
                name,
                WrappedKey {
                    wrapped: new_kek.wrap(&secret, &context),
                    kek_id: new_kek.id().to_owned(),
                    version: key.version,
                },
            ));
        }
        let count = rewrapped.len();
        let audit = self.act(
            actor,
            "keys.rotate",
            None,
            serde_json::json!({ "from": kek.id(), "to": new_kek.id(), "keys": count }),
        );
        self.store.replace_wrapped_keys(&rewrapped, audit).await?;
        Ok(count)
    }
}
