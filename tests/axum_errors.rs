//! Session errors are responses: the documented handler pattern (`?` on
//! every session call, returning `Result<_, sealed_session::Error>`)
//! answers a failure with its status and a generic body, never with 200
//! and never with the reason in the body; the reason is in the response
//! extensions for an outer layer to log. Before, the documented
//! `.map_err(|e| e.to_string())` answered 200 with "revocation list is full".

#[path = "axum_support/mod.rs"]
mod axum_support;

use axum::Router;
use axum::routing::get;
use axum_support::{Handle, key, sealer, send};
use http::StatusCode;
use sealed_session::axum::{SessionError, Sessions, status_of};
use sealed_session::revocation::{MemoryStore, Revocation};
use sealed_session::{Error, KeyRing, Session, UnavailableReason};
use std::sync::Arc;

async fn logout(session: Handle) -> Result<&'static str, Error> {
    session.logout().await?;
    Ok("bye")
}

#[tokio::test]
async fn a_logout_the_store_cannot_record_is_503_not_200() {
    // Room for one anonymous logout.
    let store = Arc::new(
        MemoryStore::builder(4)
            .with_anonymous_limit(1)
            .build()
            .unwrap(),
    );
    let sessions = Sessions::new(Revocation::new(sealer(KeyRing::new(key(1))), store).unwrap());
    let app = Router::new()
        .route("/logout", get(logout))
        .layer(sessions.layer::<String>());
    let cookie = || {
        let value = sessions
            .current()
            .sealer()
            .seal_value(&Session::new("anon".to_string()))
            .unwrap();
        format!("__Host-session={value}")
    };
    let first = send(&app, "/logout", Some(&cookie())).await;
    assert_eq!((first.status, first.body.as_str()), (StatusCode::OK, "bye"));
    let full = send(&app, "/logout", Some(&cookie())).await;
    assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(full.body, "session store unavailable");
    assert!(matches!(
        full.error,
        Some(SessionError(Error::RevocationFull { .. }))
    ));
    // The logout was not recorded: the cookie is not removed as if it had been.
    assert!(full.removals().is_empty(), "{:?}", full.set_cookies);
}

#[test]
fn every_error_maps_to_a_status_and_a_body_without_internals() {
    use axum::response::IntoResponse;
    let cases = [
        (
            Error::RevocationUnavailable {
                reason: UnavailableReason::Timeout,
            },
            503,
        ),
        (Error::RevocationFull { limit: 9 }, 503),
        (
            Error::Revoked {
                reason: sealed_session::RevokedReason::SessionId,
            },
            401,
        ),
        (Error::Expired, 400),
        (Error::Serialize, 500),
        (
            Error::TooLarge {
                size: 5000,
                limit: 4096,
            },
            500,
        ),
        (
            Error::SchemaMismatch {
                found: 1,
                expected: 2,
            },
            500,
        ),
    ];
    for (error, status) in cases {
        assert_eq!(status_of(&error).as_u16(), status, "{error}");
        let response = error.clone().into_response();
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(
            response.extensions().get::<SessionError>(),
            Some(&SessionError(error.clone()))
        );
        let body = futures_body(response);
        assert!(!body.contains(&error.to_string()), "{body}");
        assert!(!body.contains("5000") && !body.contains("4096"), "{body}");
    }
}

fn futures_body(response: axum::response::Response) -> String {
    let bytes = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(axum::body::to_bytes(response.into_body(), 1024))
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}
