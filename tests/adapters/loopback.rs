//! End to end over real HTTP on loopback, for both adapters: a real axum
//! server (`axum::serve`) and a real actix-web `HttpServer`, each with the
//! table's routes, and reqwest with its cookie store as the browser.
//!
//! reqwest's cookie store sends `Secure` cookies over https only, so these
//! servers use a plain name without `Secure`; the browser test
//! (scripts/browser-test.sh) covers the default `__Host-` attributes.

use super::apps::{Adapter, BOTH, key};
use reqwest::cookie::{CookieStore, Jar};
use sealed_session::revocation::{AnyStore, MemoryStore, Revocation};
use sealed_session::web::Sessions;
use sealed_session::{Chunking, CookieAttributes, KeyRing, Sealer};
use std::sync::Arc;

fn sessions() -> Sessions<AnyStore> {
    let sealer = Sealer::builder(KeyRing::new(key(1)))
        .with_cookie_name("sid")
        .with_attributes(CookieAttributes::default().with_secure(false))
        .build()
        .unwrap();
    Sessions::any(Revocation::new(sealer, MemoryStore::new(1000).unwrap()).unwrap())
        .with_chunking(Chunking::new())
        .unwrap()
}

/// A server of `adapter` on a free loopback port; stopped when the
/// returned guard drops.
async fn serve(adapter: Adapter, sessions: &Sessions<AnyStore>) -> (String, Stop) {
    match adapter {
        Adapter::Axum => {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let app = super::axum_app::app(sessions);
            let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            (base, Stop::Axum(task))
        }
        Adapter::Actix => {
            let sessions = sessions.clone();
            let server = actix_web::HttpServer::new(move || {
                actix_web::App::new()
                    .wrap(sessions.middleware::<String>())
                    .configure(super::actix_app::routes)
            })
            .workers(1)
            .bind(("127.0.0.1", 0))
            .unwrap();
            let base = format!("http://{}", server.addrs()[0]);
            let server = server.run();
            let handle = server.handle();
            actix_web::rt::spawn(server);
            (base, Stop::Actix(handle))
        }
    }
}

enum Stop {
    Axum(tokio::task::JoinHandle<()>),
    Actix(actix_web::dev::ServerHandle),
}

impl Stop {
    async fn stop(self) {
        match self {
            Stop::Axum(task) => task.abort(),
            Stop::Actix(handle) => handle.stop(false).await,
        }
    }
}

struct Browser {
    jar: Arc<Jar>,
    client: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        Browser {
            jar,
            client,
            base: base.into(),
        }
    }

    /// Status, Set-Cookie lines and body of a GET of `path`.
    async fn get(&self, path: &str) -> (u16, Vec<String>, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let set = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        (status, set, res.text().await.unwrap())
    }

    /// What the jar sends.
    fn cookies(&self) -> String {
        self.jar
            .cookies(&self.base.parse().unwrap())
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    }
}

#[actix_web::test]
async fn a_browser_logs_in_grows_shrinks_logs_out_and_a_replay_is_refused() {
    for a in BOTH {
        let s = sessions();
        let (base, stop) = serve(a, &s).await;
        let b = Browser::new(&base);
        assert_eq!(b.get("/read").await.2, "none", "{a:?}");
        let (status, set, _) = b.get("/login").await;
        assert_eq!((status, set.len()), (200, 1), "{a:?}");
        let (_, set, body) = b.get("/read").await;
        assert_eq!(body, "alice", "{a:?}");
        assert!(set.is_empty(), "{a:?}: unchanged, no Set-Cookie");

        // Larger than one cookie: chunks in the jar, and back to one.
        let (status, set, _) = b.get("/fill/4000").await;
        assert_eq!(
            (status, set.len()),
            (200, 3),
            "{a:?}: two chunks and the plain one removed"
        );
        assert!(
            b.cookies().contains("sid.0=") && !b.cookies().contains("sid="),
            "{a:?} {}",
            b.cookies()
        );
        assert_eq!(b.get("/read").await.2.len(), 4000, "{a:?}");
        b.get("/fill/10").await;
        let jar = b.cookies();
        assert!(
            jar.starts_with("sid=") && !jar.contains("sid.0"),
            "{a:?} {jar}"
        );

        let stolen = b.cookies();
        assert_eq!(b.get("/logout").await.2, "out", "{a:?}");
        assert_eq!(b.cookies(), "", "{a:?}: the jar dropped the removed cookie");
        let replay = b
            .client
            .get(format!("{base}/read"))
            .header("cookie", &stolen)
            .send()
            .await
            .unwrap();
        assert_eq!(
            replay.text().await.unwrap(),
            "none",
            "{a:?}: the stolen cookie is refused"
        );
        stop.stop().await;
    }
}

/// A handler that panics halfway through a change, on a real server: the
/// client never gets a success, nothing is sealed, and the cookie it holds
/// still reads as before.
#[actix_web::test]
async fn a_panic_inside_a_change_is_no_success_and_seals_nothing() {
    for a in BOTH {
        let s = sessions();
        let (base, stop) = serve(a, &s).await;
        let b = Browser::new(&base);
        b.get("/login").await;
        let before = b.cookies();
        let res = b.client.get(format!("{base}/half")).send().await;
        if let Ok(res) = res {
            assert!(res.status().is_server_error(), "{a:?}: {}", res.status());
            assert!(res.headers().get("set-cookie").is_none(), "{a:?}");
        }
        assert_eq!(b.cookies(), before, "{a:?}");
        assert_eq!(
            b.get("/read").await.2,
            "alice",
            "{a:?}: the half change is gone"
        );
        stop.stop().await;
    }
}
