//! The three ways to get the session, and a route whose layer is missing
//! or for another type.

use super::apps::{BOTH, sessions};

#[actix_web::test]
async fn required_is_401_without_a_session_and_optional_is_none() {
    for a in BOTH {
        let s = sessions();
        let r = a.get(&s, "/required", "").await;
        assert_eq!((r.status, r.body.as_str()), (401, "log in first"), "{a:?}");
        assert_eq!(a.get(&s, "/optional", "").await.body, "none", "{a:?}");
        // A cookie that does not open is no session either.
        let forged = a.get(&s, "/required", "__Host-session=forged").await;
        assert_eq!(forged.status, 401, "{a:?}");
        assert_eq!(forged.removals(), ["__Host-session"], "{a:?}");

        let cookie = a.get(&s, "/login", "").await.cookie();
        let r = a.get(&s, "/required", &cookie).await;
        assert_eq!((r.status, r.body.as_str()), (200, "alice"), "{a:?}");
        assert_eq!(
            a.get(&s, "/optional", &cookie).await.body,
            "some alice",
            "{a:?}"
        );
    }
}

#[actix_web::test]
async fn a_handle_of_another_type_is_a_500_naming_the_types() {
    for a in BOTH {
        let s = sessions();
        let r = a.get(&s, "/wrong-type", "").await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (500, "session layer missing"),
            "{a:?}"
        );
        let missing = r.missing.expect("the rejection is in the extensions");
        assert_eq!(missing.wanted.0, "u32", "{a:?}");
        assert_eq!(
            missing.found.map(|f| f.0),
            Some("alloc::string::String"),
            "{a:?}"
        );
        assert!(!r.body.contains("u32"), "{a:?}: the body names no types");
    }
}
