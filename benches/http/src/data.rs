//! The session every contender stores: about 270 bytes of JSON, 250 of
//! postcard.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Data {
    pub user: String,
    pub visits: u64,
    pub roles: Vec<String>,
    pub cart: String,
}

impl Data {
    pub fn login() -> Data {
        Data {
            user: "alice@example.com".into(),
            visits: 0,
            roles: vec!["reader".into(), "editor".into()],
            cart: "sku-1234:2,sku-5678:1,".repeat(8),
        }
    }
}
