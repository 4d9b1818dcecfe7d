//! Imports over HTTP on both engines: our export into a new account gives the same export back;
//! a Loop Habit Tracker zip built here from its documented layout (habits, dates, YES/NO/SKIP
//! and the old numeric values) imports, and merges again without doubling a day; a bad file of
//! each kind is refused with its name and line, and changes nothing.

use crate::support::{TestServer, error_message};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::io::Write;

async fn import(
    server: &TestServer,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    for (key, value) in fields {
        form = form.text(key.to_string(), value.to_string());
    }
    let response = server
        .authed(Method::POST, "/v5/users/import", token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn export(server: &TestServer, token: &str) -> Value {
    let response = server
        .authed(Method::GET, "/v5/users/export", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The export without what differs between accounts: ids, the user and the time of export.
fn content(export: &Value) -> Value {
    let panels: Vec<Value> = export["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let entries: Vec<Value> = p["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| json!([e["timestamp"], e["is_complete"], e["is_skip"]]))
                .collect();
            json!([
                p["title"],
                p["description"],
                p["created_at"],
                p["position"],
                entries
            ])
        })
        .collect();
    json!(panels)
}

/// A zip of `files` (path, text), as Loop Habit Tracker lays its export out.
fn zip_of(files: &[(&str, String)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, text) in files {
        out.start_file(*path, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn habits(names: &[&str]) -> String {
    let mut text = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n".to_owned();
    for (i, name) in names.iter().enumerate() {
        text.push_str(&format!(
            "{:03},{name},Did you?,About {name},1,1,#FF0000\n",
            i + 1
        ));
    }
    text
}

async fn titles(server: &TestServer, token: &str) -> Vec<String> {
    server.titles(token).await
}

async fn our_export_comes_back_the_same_in_another_account(server: TestServer) {
    let (_, ada) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&ada, "Read").await["id"]
        .as_i64()
        .unwrap();
    let walk = server.create_panel(&ada, "Walk").await["id"]
        .as_i64()
        .unwrap();
    for day in 0..4 {
        server.tap(&ada, read, day % 2 == 0).await;
        let (status, _) = server
            .send_json(
                Method::POST,
                &format!("/v5/panels/{walk}/entries"),
                &ada,
                &json!({"is_complete": false, "is_skip": day == 1}),
            )
            .await;
        assert_eq!(status, 200);
        server.clock.advance(chrono::Duration::days(1));
    }
    let original = export(&server, &ada).await;
    let bytes = serde_json::to_vec(&original).unwrap();
    let (_, bob) = server.new_account("bob@example.org").await;
    let (status, report) = import(&server, &bob, "export.json", bytes.clone(), &[]).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["data"],
        json!({"panels_created": 2, "panels_matched": 0, "days_imported": 8, "days_skipped_existing": 0})
    );
    assert_eq!(content(&export(&server, &bob).await), content(&original));
    let receipt = server.mails_to("bob@example.org").await;
    let receipt = receipt
        .iter()
        .find(|m| m.contains("Subject: Your import into Nine Panels"));
    assert!(
        receipt.is_some_and(|m| m.contains("Imported 8 days into 2 panels")),
        "{receipt:?}"
    );
    // Again, merging: every day is there already.
    let (status, again) = import(
        &server,
        &bob,
        "export.json",
        bytes.clone(),
        &[("mode", "merge")],
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        again["data"],
        json!({"panels_created": 0, "panels_matched": 2, "days_imported": 0, "days_skipped_existing": 8})
    );
    assert_eq!(content(&export(&server, &bob).await), content(&original));
    // Replacing swaps everything for the file's.
    server.create_panel(&bob, "Extra").await;
    let (status, _) = import(&server, &bob, "export.json", bytes, &[("mode", "replace")]).await;
    assert_eq!(status, 200);
    assert_eq!(content(&export(&server, &bob).await), content(&original));
    server.stop().await;
}

async fn a_loop_export_imports_with_its_days_and_values(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    // The test clock is 15 June 2026, London.
    let files = [
        ("Habits.csv", habits(&["Read", "Méditer 🧘", "Walk"])),
        (
            "001 Read/Checkmarks.csv",
            "Date,Value,Notes\n2026-06-14,YES_MANUAL,\n2026-06-13,SKIP,\n2026-06-12,NO,\n2026-06-11,YES_AUTO,\n2026-06-10,UNKNOWN,\n".to_owned(),
        ),
        ("002 Méditer 🧘/Checkmarks.csv", "2026-06-14,2\n2026-06-13,3\n2026-06-12,0\n2026-06-11,1\n".to_owned()),
        ("Checkmarks.csv", "Date,Read,Méditer 🧘,Walk,\n2026-06-14,2,2,-1,\n".to_owned()),
    ];
    let (status, report) = import(
        &server,
        &token,
        "Loop Habits CSV 2026-06-15.zip",
        zip_of(&files),
        &[],
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["data"],
        json!({"panels_created": 3, "panels_matched": 0, "days_imported": 8, "days_skipped_existing": 0})
    );
    assert_eq!(
        titles(&server, &token).await,
        ["Read", "Méditer 🧘", "Walk"]
    );
    let (_, panels) = server.get_as("/v5/panels", &token).await;
    let read = panels["data"][0]["id"].as_i64().unwrap();
    let calm = panels["data"][1]["id"].as_i64().unwrap();
    assert_eq!(panels["data"][0]["description"], "About Read");
    for panel in [read, calm] {
        let (_, year) = server
            .get_as(&format!("/v5/panels/{panel}/calendar?year=2026"), &token)
            .await;
        let days = year["data"]["days"].as_str().unwrap();
        // 11 June is the 162nd day; the panel starts at its earliest imported day.
        assert_eq!(&days[160..167], ".10s10.", "{panel}: {days}");
    }
    let (_, history) = server
        .get_as(&format!("/v5/panels/{read}/history"), &token)
        .await;
    let stamps: Vec<&str> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    assert_eq!(stamps[0], "2026-06-14T11:00:00Z", "noon in London (BST)");
    let (status, again) = import(&server, &token, "loop.zip", zip_of(&files), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        again["data"],
        json!({"panels_created": 0, "panels_matched": 3, "days_imported": 0, "days_skipped_existing": 8})
    );
    server.stop().await;
}

/// A file's name and bytes, the other fields sent, and the start of the 422's message.
type Refusal<'a> = (&'a str, Vec<u8>, Vec<(&'a str, &'a str)>, String);

async fn bad_files_are_refused_by_name_and_line_and_change_nothing(server: TestServer) {
    let (_, token) = server.new_account("ada@example.org").await;
    server.create_panel(&token, "Kept").await;
    let before = export(&server, &token).await;
    let ten: Vec<String> = (1..=10).map(|n| format!("Habit {n}")).collect();
    let ten: Vec<&str> = ten.iter().map(String::as_str).collect();
    let long = "L".repeat(101);
    let cases: Vec<Refusal> = vec![
        ("notes.txt", b"just some notes".to_vec(), vec![], "notes.txt: neither a Nine Panels export".to_owned()),
        ("broken.zip", b"PK\x03\x04 not really".to_vec(), vec![], "broken.zip: not a zip".to_owned()),
        ("empty.zip", zip_of(&[("Scores.csv", "x".to_owned())]), vec![], "empty.zip: a Loop Habit Tracker export holds Habits.csv".to_owned()),
        (
            "dates.zip",
            zip_of(&[
                ("Habits.csv", habits(&["Read"])),
                ("001 Read/Checkmarks.csv", "2026-06-14,YES_MANUAL\n2026-02-30,NO\n".to_owned()),
            ]),
            vec![],
            "001 Read/Checkmarks.csv, line 2: \"2026-02-30\" is not a date".to_owned(),
        ),
        ("ten.zip", zip_of(&[("Habits.csv", habits(&ten))]), vec![], "the file holds 10 habits, and nine is the most: name the habits to take with only".to_owned()),
        ("long.zip", zip_of(&[("Habits.csv", habits(&[&long]))]), vec![], "Habits.csv, line 2: title: must be at most 100 characters".to_owned()),
        ("nul.json", br#"{"format":"ninepanels-export","version":1,"exported_at":"2026-06-15T00:00:00Z","user":{"id":1,"email":"a@b.org","name":"A","time_zone":null},"panels":[{"id":1,"created_at":"2026-06-01T00:00:00Z","title":"R\u0000","description":null,"position":0,"entries":[]}]}"#.to_vec(), vec![], "nul.json, panel 1: title:".to_owned()),
        ("cut.json", br#"{"format":"ninepanels-export","version":1,"panels":["#.to_vec(), vec![], "cut.json: ".to_owned()),
        ("ok.zip", zip_of(&[("Habits.csv", habits(&["Read"]))]), vec![("mode", "sideways")], "mode: must be merge or replace".to_owned()),
        (
            "future.zip",
            zip_of(&[("Habits.csv", habits(&["Read"])), ("001 Read/Checkmarks.csv", "2026-06-16,YES_MANUAL\n".to_owned())]),
            vec![],
            "file: \"Read\" has a day after today (2026-06-16)".to_owned(),
        ),
        ("ok.zip", zip_of(&[("Habits.csv", habits(&["Read"]))]), vec![("only", "Swim")], "only: the file has no habit named \"Swim\"".to_owned()),
    ];
    for (name, bytes, fields, says) in cases {
        let (status, body) = import(&server, &token, name, bytes, &fields).await;
        assert_eq!(status, 422, "{name}: {body}");
        let message = error_message(&body, 422);
        assert!(message.starts_with(&says), "{name}: {message}");
        assert_eq!(
            content(&export(&server, &token).await),
            content(&before),
            "{name} changed nothing"
        );
    }
    // Nine of the ten, named with `only`, fit beside none; beside "Kept" they do not.
    let nine = ten[..9].join(",");
    let (status, body) = import(
        &server,
        &token,
        "ten.zip",
        zip_of(&[("Habits.csv", habits(&ten))]),
        &[("only", &nine)],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error_message(&body, 422).starts_with("the import would leave you 10 panels"),
        "{body}"
    );
    let (status, body) = import(
        &server,
        &token,
        "ten.zip",
        zip_of(&[("Habits.csv", habits(&ten))]),
        &[("only", &nine), ("mode", "replace")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(titles(&server, &token).await.len(), 9);
    let too_big = vec![b' '; 10 * 1024 * 1024 + 1];
    let (status, _) = import(&server, &token, "big.json", too_big, &[]).await;
    assert_eq!(status, 413);
    server.stop().await;
}

async fn loop_zip(server: &TestServer, token: &str) -> Vec<u8> {
    let response = server
        .authed(Method::GET, "/v5/users/export?format=loop", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    response.bytes().await.unwrap().to_vec()
}

/// The text of each file of a zip, by path.
fn unzipped(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut text = String::new();
            std::io::Read::read_to_string(&mut file, &mut text).unwrap();
            (file.name().to_owned(), text)
        })
        .collect()
}

async fn a_loop_zip_we_export_imports_back_the_same(server: TestServer) {
    let (_, ada) = server.new_account("ada@example.org").await;
    let read = server.create_panel(&ada, "Read").await["id"]
        .as_i64()
        .unwrap();
    let (status, _) = server
        .send_json(
            Method::PATCH,
            &format!("/v5/panels/{read}"),
            &ada,
            &json!({"description": "A chapter"}),
        )
        .await;
    assert_eq!(status, 200);
    server.clock.advance(chrono::Duration::days(1));
    let walk = server.create_panel(&ada, "Walk, far").await["id"]
        .as_i64()
        .unwrap();
    for day in 0..5 {
        server.tap(&ada, read, day % 2 == 0).await;
        if day != 2 {
            let body = json!({"is_complete": day == 4, "is_skip": day == 1});
            let path = format!("/v5/panels/{walk}/entries");
            assert_eq!(
                server.send_json(Method::POST, &path, &ada, &body).await.0,
                200
            );
        }
        server.clock.advance(chrono::Duration::days(1));
    }
    let zip = loop_zip(&server, &ada).await;
    let files = unzipped(&zip);
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        [
            "001 Read/Checkmarks.csv",
            "002 Walk, far/Checkmarks.csv",
            "Checkmarks.csv",
            "Habits.csv"
        ]
    );
    assert_eq!(
        files["001 Read/Checkmarks.csv"].lines().count(),
        8,
        "header and 7 days"
    );
    assert!(files["002 Walk, far/Checkmarks.csv"].contains(",SKIP,"));
    let (_, carol) = server.new_account("carol@example.org").await;
    let (status, report) = import(&server, &carol, "loop.zip", zip.clone(), &[]).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(unzipped(&loop_zip(&server, &carol).await), files);
    server.stop().await;
}

crate::e2e_on_both_engines!(
    a_loop_zip_we_export_imports_back_the_same,
    our_export_comes_back_the_same_in_another_account,
    a_loop_export_imports_with_its_days_and_values,
    bad_files_are_refused_by_name_and_line_and_change_nothing,
);
