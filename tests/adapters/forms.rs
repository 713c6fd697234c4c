//! CSRF-checked forms and headers, and flash messages.

use super::apps::{BOTH, Req, sessions};

#[actix_web::test]
async fn a_form_or_header_needs_the_sessions_token() {
    for a in BOTH {
        let s = sessions();
        // No session: no token can be valid.
        let r = a
            .send(&s, Req::post("/form", "text=hi&csrf_token=guess"))
            .await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (403, "invalid or missing CSRF token"),
            "{a:?}"
        );

        let page = a.get(&s, "/token", "").await;
        let (cookie, token) = (page.cookie(), page.body.clone());
        assert!(!token.is_empty(), "{a:?}");
        let body = format!("text=hello&csrf_token={token}");
        let ok = a.send(&s, Req::post("/form", &body).cookie(&cookie)).await;
        assert_eq!((ok.status, ok.body.as_str()), (200, "hello"), "{a:?}");

        for bad in [
            "text=hello",
            "text=hello&csrf_token=",
            "text=hello&csrf_token=AAAA",
        ] {
            let r = a.send(&s, Req::post("/form", bad).cookie(&cookie)).await;
            assert_eq!(r.status, 403, "{a:?} {bad}");
        }
        // The right token for another session.
        let other = a.get(&s, "/token", "").await;
        let body = format!("text=hello&csrf_token={}", other.body);
        assert_eq!(
            a.send(&s, Req::post("/form", &body).cookie(&cookie))
                .await
                .status,
            403,
            "{a:?}"
        );
        // A body that is not the form.
        let broken = format!("csrf_token={token}");
        assert_eq!(
            a.send(&s, Req::post("/form", &broken).cookie(&cookie))
                .await
                .status,
            400,
            "{a:?}"
        );

        let api = Req::post("/api", "").cookie(&cookie);
        assert_eq!(
            a.send(&s, api.clone()).await.status,
            403,
            "{a:?}: no header"
        );
        let r = a.send(&s, api.header("x-csrf-token", &token)).await;
        assert_eq!((r.status, r.body.as_str()), (200, "ok"), "{a:?}");
    }
}

#[actix_web::test]
async fn a_flash_is_shown_once_on_the_next_request() {
    for a in BOTH {
        let s = sessions();
        let set = a.get(&s, "/flash", "").await;
        assert_eq!(set.body, "queued", "{a:?}");
        let lines = set.set_cookies();
        assert_eq!(lines.len(), 1, "{a:?}: the flash cookie only, no session");
        assert!(lines[0].starts_with("__Host-session-flash="), "{a:?}");
        let shown = a.get(&s, "/take-flash", &set.cookie()).await;
        assert_eq!(shown.body, "Saved.", "{a:?}");
        assert_eq!(shown.removals(), ["__Host-session-flash"], "{a:?}");
        // A forged flash cookie shows nothing, and is removed.
        let forged = a
            .get(&s, "/take-flash", "__Host-session-flash=forged")
            .await;
        assert_eq!(
            (forged.body.as_str(), forged.removals()),
            ("", vec!["__Host-session-flash"]),
            "{a:?}"
        );
    }
}
