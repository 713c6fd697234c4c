//! Failed and cached responses, and planted duplicates.

use super::apps::{BOTH, sessions};
use sealed_session::http::CookieConflict;

#[actix_web::test]
async fn a_5xx_or_a_304_leaves_the_cookie_alone() {
    for a in BOTH {
        let s = sessions();
        let cookie = a.get(&s, "/login", "").await.cookie();
        for path in ["/fail", "/not-modified"] {
            let r = a.get(&s, path, &cookie).await;
            assert!(r.set_cookies().is_empty(), "{a:?} {path}");
        }
        assert_eq!(
            a.get(&s, "/read", &cookie).await.body,
            "alice",
            "{a:?}: unchanged"
        );
    }
}

#[actix_web::test]
async fn cache_headers_are_merged_with_the_handlers() {
    for a in BOTH {
        let s = sessions();
        let cookie = a.get(&s, "/login", "").await.cookie();
        let r = a.get(&s, "/public", &cookie).await;
        assert_eq!(r.set_cookies().len(), 1, "{a:?}");
        assert_eq!(r.header("cache-control"), "max-age=60, private", "{a:?}");
        assert_eq!(r.header("vary"), "Accept-Encoding, Cookie", "{a:?}");
    }
}

#[actix_web::test]
async fn a_duplicated_host_cookie_is_no_session_and_not_removed() {
    for a in BOTH {
        let s = sessions();
        let cookie = a.get(&s, "/login", "").await.cookie();
        let planted = format!("{cookie}; __Host-session=planted");
        let r = a.get(&s, "/read", &planted).await;
        assert_eq!(r.body, "none", "{a:?}");
        assert!(
            r.set_cookies().is_empty(),
            "{a:?}: the genuine cookie is not deleted"
        );
        assert_eq!(r.conflict, Some(CookieConflict::DuplicatePrefixed), "{a:?}");
        // Look-alike names are other cookies.
        let lookalike = format!("\u{2000}{cookie}; __host-session=x");
        assert_eq!(a.get(&s, "/read", &lookalike).await.body, "none", "{a:?}");
    }
}
