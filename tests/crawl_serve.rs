//! The fixture server (src/serve.rs) answers as `_routes.toml` says, and
//! records what it was asked: the crawler's tests and the demo rely on it.

mod common;

use common::*;

async fn get(url: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .header("User-Agent", "serve-test")
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_answer_as_configured() {
    let s = serve(&fixture("crawl-serve")).await;
    let base = s.base_url();

    let r = get(&format!("{base}/page.html")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html");
    assert_eq!(r.text().await.unwrap(), "<html><body>page</body></html>\n");

    assert_eq!(
        get(&format!("{base}/dir/")).await.text().await.unwrap(),
        "<html><body>dir index</body></html>\n"
    );
    assert_eq!(get(&format!("{base}/missing.html")).await.status(), 404);
    assert_eq!(get(&format!("{base}/../Cargo.toml")).await.status(), 404);

    let r = get(&format!("{base}/gone.html?x=1")).await;
    assert_eq!(r.status(), 410);
    assert_eq!(r.text().await.unwrap(), "gone");

    let r = get(&format!("{base}/moved.html")).await;
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/page.html");

    let r = get(&format!("{base}/gbk.html")).await;
    assert_eq!(r.headers()["content-type"], "text/html; charset=GBK");
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        b"<html><body>\xd6\xd0\xce\xc4</body></html>\n"
    );

    for _ in 0..2 {
        let r = get(&format!("{base}/flaky.html")).await;
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "3");
    }
    assert_eq!(get(&format!("{base}/flaky.html")).await.status(), 200);

    let client = reqwest::Client::new();
    let head = client
        .head(format!("{base}/nohead.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(get(&format!("{base}/nohead.pdf")).await.status(), 200);

    assert_eq!(
        get(&format!("{base}/prefix/any/thing.html")).await.status(),
        404
    );
    let r = get(&format!("{base}/slow.html")).await;
    assert_eq!(r.text().await.unwrap(), "late");

    let reqs = s.requests();
    assert_eq!(reqs[0].path_and_query, "/page.html");
    assert_eq!(reqs[0].user_agent, "serve-test");
    assert_eq!(reqs[0].method, "GET");
    assert!(reqs.iter().any(|r| r.method == "HEAD"));
    let slow = reqs
        .iter()
        .find(|r| r.path_and_query == "/slow.html")
        .unwrap();
    assert!(slow.finished.unwrap() - slow.started >= std::time::Duration::from_millis(300));
    assert_eq!(s.hits("/flaky.html"), 3);
    assert_eq!(s.max_in_flight(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jcms_dataproxy_slices_records_by_form_and_query() {
    let s = serve(&fixture("crawl-serve")).await;
    let body = reqwest::Client::new()
        .post(format!(
            "{}/dataproxy.jsp?startrecord=3&endrecord=5&perpage=3",
            s.base_url()
        ))
        .form(&[("columnid", "42"), ("unitid", "1")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>7</totalrecord><recordset>"));
    assert!(body.ends_with("</recordset></datastore>"));
    assert_eq!(body.matches("<record>").count(), 3);
    assert!(body.contains("第3条") && body.contains("第5条"));
    assert!(!body.contains("第2条") && !body.contains("第6条"));
    // The last slice runs past the end: only what exists.
    let body = get(&format!(
        "{}/dataproxy.jsp?startrecord=7&endrecord=9&perpage=3&columnid=42",
        s.base_url()
    ))
    .await
    .text()
    .await
    .unwrap();
    assert_eq!(body.matches("<record>").count(), 1);
    assert!(body.contains("第7条"));
    // No such column.
    let r = get(&format!("{}/dataproxy.jsp?columnid=99", s.base_url())).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_counts_concurrent_requests() {
    let s = serve(&fixture("crawl-serve")).await;
    let url = format!("{}/slow.html", s.base_url());
    let (a, b, c) = tokio::join!(get(&url), get(&url), get(&url));
    for r in [a, b, c] {
        assert_eq!(r.status(), 200);
    }
    assert_eq!(s.max_in_flight(), 3);
    assert_eq!(s.max_in_flight_per_host(), 3);
    assert!(s.requests().iter().all(|r| r.finished.is_some()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_non_loopback_address() {
    let err =
        govaudit::serve::serve_dir(fixture("crawl-serve"), "0.0.0.0:0".parse().unwrap()).await;
    assert!(err.is_err());
}
