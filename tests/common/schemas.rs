//! The JSON Schemas of docs/schemas, for the tests that check real output against them.

use std::path::Path;

/// Every schema file, loaded with its `$id` so that references between them resolve.
fn all() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schemas");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("docs/schemas") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a schema file");
        let schema: serde_json::Value = serde_json::from_str(&text).expect("a schema is JSON");
        let id = schema["$id"].as_str().expect("every schema has an $id").to_string();
        let file = path.file_name().and_then(|f| f.to_str()).expect("a name").to_string();
        assert!(id.ends_with(&file), "{file}: $id {id} names another file");
        out.push((id, schema));
    }
    out
}

/// The schema of `shape` (`passchip.demo/1`), ready to validate.
pub fn validator(shape: &str) -> jsonschema::Validator {
    let file = format!("{}.schema.json", shape.replace('/', "-"));
    let schemas = all();
    let (_, schema) = schemas
        .iter()
        .find(|(id, _)| id.ends_with(&format!("/{file}")))
        .unwrap_or_else(|| panic!("no schema for {shape}"));
    let mut options = jsonschema::options();
    for (id, s) in &schemas {
        options = options.with_resource(id.clone(), jsonschema::Resource::from_contents(s.clone()));
    }
    options.build(schema).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Asserts that `value` has the shape its `schema` field names (or `shape`).
pub fn assert_valid(shape: &str, value: &serde_json::Value) {
    let v = validator(shape);
    let errors: Vec<String> = v.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{shape} does not match docs/schemas:\n{}\n{value:#}", errors.join("\n"));
}

/// The file names of every schema, for the test that each is exercised.
#[allow(dead_code)]
pub fn names() -> Vec<String> {
    all().into_iter().filter_map(|(id, _)| id.rsplit('/').next().map(String::from)).collect()
}
