//! Issue 16 item 6: the JSON API's request bodies under generated input.
//! Whatever JSON (or almost-JSON) arrives at a POST route, the answer is
//! never a 5xx, and every refusal is the API's own JSON error.
use axum::body::Body;
use axum::http::Request;
use proptest::prelude::*;

mod common;
use common::world::world;
use common::Browser;

/// JSON values shaped like the API's bodies: its field names, with values
/// of any type, nested a little; and byte strings that are not JSON.
fn body() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::String),
        Just(serde_json::json!("aisha@example.nl")),
        Just(serde_json::json!("123456")),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("email".to_owned()),
                    Just("password".to_owned()),
                    Just("code".to_owned()),
                    Just("token".to_owned()),
                    Just("new_password".to_owned()),
                    Just("public_computer".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        8 => value.prop_map(|v| v.to_string()),
        1 => ".{0,60}",
        1 => Just("{\"email\": ".to_owned()),
    ]
}

#[test]
fn no_body_makes_the_api_fail() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let w = rt.block_on(world());
    let routes = [
        "/api/v1/auth/login",
        "/api/v1/auth/sms",
        "/api/v1/auth/code",
        "/api/v1/auth/logout",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password",
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 120,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(0..routes.len(), body(), any::<bool>()),
            |(r, json, bearer)| {
                let mut b: Browser = w.browser();
                let mut req = Request::post(routes[r]).header("content-type", "application/json");
                if bearer {
                    req = req.header("authorization", format!("Bearer {}", "a".repeat(64)));
                }
                let page = rt.block_on(b.send(req.body(Body::from(json.clone())).expect("req")));
                prop_assert!(
                    page.status.as_u16() < 500,
                    "{} {json} answered {}: {}",
                    routes[r],
                    page.status,
                    page.body
                );
                if page.status.is_client_error() {
                    let v: serde_json::Value = serde_json::from_str(&page.body).map_err(|e| {
                        TestCaseError::fail(format!("not JSON ({e}): {}", page.body))
                    })?;
                    prop_assert!(
                        v.get("error").is_some_and(|e| e.is_string()),
                        "{}",
                        page.body
                    );
                }
                Ok(())
            },
        )
        .expect("every answer below 500, every refusal JSON");
}
