//! The OpenAPI 3.0 document of the server (`GET /api/openapi.json`), written by hand: the
//! shared parts (info, components, the common error answers); each route's operation is in
//! its file under `routes/`.

use serde_json::{json, Value};

use crate::http::{MAX_BODY, MAX_FORM_BODY, MAX_URI};
use crate::routes::MAX_REFRESH_PAIRS;

/// An error answer of this description (the `Error` schema).
pub(crate) fn error_ref(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    })
}

/// The answers of a route: 200 `ok`, the errors `extra` (status, description) and the
/// errors every route may give.
pub(crate) fn responses(ok: Value, extra: &[(&str, &str)]) -> Value {
    answers("200", ok, extra)
}

/// The answers of a route whose success is `status` (e.g. a 303 redirect): `ok`, the
/// errors `extra` (status, description) and the errors every route may give (the ones
/// below the application, a request hyper cannot parse or a connection over the per-client
/// cap, included: they have the same JSON shape).
pub(crate) fn answers(status: &str, ok: Value, extra: &[(&str, &str)]) -> Value {
    let mut r = serde_json::Map::new();
    r.insert(status.into(), ok);
    for (code, d) in extra {
        r.insert((*code).into(), error_ref(d));
    }
    for (code, d) in [
        (
            "400",
            "The request could not be parsed: a malformed request line or header (e.g. a \
             negative `Content-Length`).",
        ),
        (
            "408",
            "The request body did not arrive within `body_timeout_secs` of the headers (the \
             connection is closed).",
        ),
        (
            "401",
            "A token is configured and the request lacks it or has a wrong one.",
        ),
        (
            "403",
            "A loopback server got a `Host` header that is not localhost.",
        ),
        ("413", "The request body is larger than the route's limit."),
        (
            "414",
            "The request target (path and query) is longer than the limit.",
        ),
        (
            "431",
            "More than 100 request headers, or a request head too large to read.",
        ),
        (
            "500",
            "Internal error (never a crash: a panicking handler answers this).",
        ),
        (
            "503",
            "The client's address has `max_connections_per_client` connections open already \
             (answered on connecting, and the connection closed).",
        ),
    ] {
        r.entry(code).or_insert_with(|| error_ref(d));
    }
    Value::Object(r)
}

pub(crate) fn json_ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

pub(crate) fn schema(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

pub(crate) fn date_query(name: &str, description: &str) -> Value {
    json!({
        "name": name, "in": "query", "required": false, "description": description,
        "schema": {"type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}
    })
}

/// An HTML answer.
pub(crate) fn html_ok(description: &str) -> Value {
    json!({"description": description, "content": {"text/html": {"schema": {"type": "string"}}}})
}

/// The `id` path parameter of the pair routes.
pub(crate) fn pair_id() -> Value {
    json!({"$ref": "#/components/parameters/PairId"})
}

/// The `clock` query parameter of the pair routes.
pub(crate) fn clock() -> Value {
    json!({"$ref": "#/components/parameters/Clock"})
}

/// The 400 of a pair route taking only `clock`.
pub(crate) const BAD_CLOCK: (&str, &str) = (
    "400",
    "Invalid pair id or `clock`, an unknown parameter, or the exchange clock asked of a \
     pair without an every-day leg against an exchange leg.",
);

/// The 503 of a pair route.
pub(crate) const NO_DATA_CLOCK: (&str, &str) = (
    "503",
    "A leg is not in the store yet, or the exchange clock lacks the every-day leg's \
     intraday bars (or the signal rules cannot be evaluated).",
);

/// The 404 of a pair route.
pub(crate) const UNKNOWN_PAIR: (&str, &str) = ("404", "Unknown pair.");

/// The document.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Lockstep",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The local dashboard and JSON API of Lockstep: are two markets moving in \
                 lockstep? Every error answer is `{{\"error\": {{\"status\": <code>, \
                 \"message\": \"...\"}}}}`, those made below the routes included (a \
                 request that cannot be parsed, 400; a request target over 64 KiB, 414; more \
                 than 100 headers, 431; a connection over the per-client cap, 503). Limits: \
                 request target {MAX_URI} bytes (414), body {MAX_BODY} bytes ({MAX_FORM_BODY} \
                 for the login form; 413), read within `body_timeout_secs` (408). When a token \
                 is configured every route, pages included, requires `Authorization: Bearer \
                 <token>`."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {}],
        "paths": crate::routes::paths(),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "Required by every route when the server has a token (always for a non-loopback address)."}},
            "parameters": {
                "PairId": {"name": "id", "in": "path", "required": true,
                    "description": "The pair's id (see /api/pairs), e.g. eth-usd_rut.",
                    "schema": {"$ref": "#/components/schemas/PairId"}},
                "Clock": {"name": "clock", "in": "query", "required": false,
                    "description": "The daily clock of the pair's analysis (default: the pair's `clock` in the configuration, `utc` unless set): `utc`, each leg's own daily close (crypto 00:00 UTC, equities 16:00 New York); `exchange`, the every-day leg's price at the exchange's close (16:00 New York, 13:00 on early closes) from its stored intraday bars, with the signals, backtest and charts on those prices. With stored intraday bars of the every-day leg the report compares both clocks (`clocks`) either way.",
                    "schema": {"$ref": "#/components/schemas/Clock"}},
            },
            "schemas": {
                "PairId": {"type": "string", "minLength": 1, "maxLength": 32,
                    "description": "1 to 32 of A-Z a-z 0-9 ^ = . _ -, without `..` and not `.`.",
                    "pattern": "^(?:[A-Za-z0-9^=_-]+(?:\\.[A-Za-z0-9^=_-]+)*\\.?|(?:\\.[A-Za-z0-9^=_-]+)+\\.?)$"},
                "Clock": {"type": "string", "enum": ["utc", "exchange"], "default": "utc"},
                "Error": {
                    "type": "object", "required": ["error"],
                    "properties": {"error": {"type": "object", "required": ["status", "message"],
                        "properties": {"status": {"type": "integer"}, "message": {"type": "string"}}}}
                },
                "Health": {
                    "type": "object", "required": ["status", "version", "pairs"],
                    "properties": {
                        "status": {"type": "string", "enum": ["ok"]},
                        "version": {"type": "string"},
                        "started_at": {"type": "string", "format": "date-time"},
                        "pairs": {"type": "integer"},
                        "store": {"type": "object"},
                        "refresh": {"type": "object"},
                    }
                },
                "Leg": {
                    "type": "object", "required": ["symbol", "stored", "bars"],
                    "properties": {
                        "symbol": {"type": "string"},
                        "stored": {"type": "boolean"},
                        "provider": {"type": "string", "nullable": true},
                        "first": {"type": "string", "format": "date", "nullable": true},
                        "last": {"type": "string", "format": "date", "nullable": true},
                        "bars": {"type": "integer"},
                        "last_refresh": {"type": "string", "format": "date-time", "nullable": true},
                        "last_failure": {"type": "string", "nullable": true},
                        "kind": {"type": "string", "enum": ["exchange", "crypto"]},
                        "next_refresh": {"type": "string", "format": "date-time", "nullable": true},
                        "last_attempt": {"type": "string", "format": "date-time", "nullable": true},
                        "last_error": {"type": "string", "nullable": true},
                    }
                },
                "Pair": {
                    "type": "object", "required": ["id", "a", "b", "windows", "clock", "legs"],
                    "properties": {
                        "id": {"$ref": "#/components/schemas/PairId"},
                        "a": {"type": "string"},
                        "b": {"type": "string"},
                        "windows": {"type": "array", "items": {"type": "integer"}},
                        "clock": {"$ref": "#/components/schemas/Clock"},
                        "page": {"type": "string"},
                        "legs": {"type": "array", "items": schema("Leg"), "minItems": 2, "maxItems": 2},
                    }
                },
                "Series": {
                    "type": "object",
                    "required": ["pair", "a", "b", "dates", "price_a", "price_b", "norm_a", "norm_b", "rolling"],
                    "properties": {
                        "pair": {"type": "string"}, "a": {"type": "string"}, "b": {"type": "string"},
                        "from": {"type": "string", "format": "date", "nullable": true},
                        "to": {"type": "string", "format": "date", "nullable": true},
                        "dates": {"type": "array", "items": {"type": "string", "format": "date"}},
                        "price_a": {"type": "array", "items": {"type": "number"}},
                        "price_b": {"type": "array", "items": {"type": "number"}},
                        "norm_a": {"type": "array", "items": {"type": "number"}},
                        "norm_b": {"type": "array", "items": {"type": "number"}},
                        "rolling": {"type": "array", "items": {
                            "type": "object", "required": ["window", "corr", "beta"],
                            "properties": {
                                "window": {"type": "integer"},
                                "corr": {"type": "array", "items": {"type": "number", "nullable": true}},
                                "beta": {"type": "array", "items": {"type": "number", "nullable": true}},
                            }
                        }},
                    }
                },
                "Symbols": {
                    "type": "object", "required": ["symbols", "watchlist"],
                    "properties": {
                        "symbols": {"type": "array", "items": {"type": "object",
                            "required": ["symbol", "bars"],
                            "properties": {"symbol": {"type": "string"},
                                "first": {"type": "string", "format": "date", "nullable": true},
                                "last": {"type": "string", "format": "date", "nullable": true},
                                "bars": {"type": "integer"}}}},
                        "watchlist": {"type": "array", "items": {"type": "object",
                            "required": ["id", "a", "b"],
                            "properties": {"id": {"$ref": "#/components/schemas/PairId"},
                                "a": {"type": "string"}, "b": {"type": "string"}}}},
                    }
                },
                "Figures": {
                    "type": "object", "required": ["a", "b", "figures", "windows"],
                    "properties": {
                        "a": {"type": "string"}, "b": {"type": "string"},
                        "pair": {"type": "string", "nullable": true},
                        "from": {"type": "string", "format": "date", "nullable": true},
                        "to": {"type": "string", "format": "date", "nullable": true},
                        "first": {"type": "string", "format": "date", "nullable": true},
                        "last": {"type": "string", "format": "date", "nullable": true},
                        "windows": {"type": "array", "items": {"type": "integer"}},
                        "computed_at": {"type": "string", "format": "date-time"},
                        "figures": {"type": "object", "description": "Plotly figures ({data, layout, config}) by name: overlay, correlation, momentum, equity (with a backtest).",
                            "additionalProperties": {"type": "object", "required": ["data", "layout", "config"]}},
                    }
                },
                "Generation": {
                    "type": "object", "required": ["generation"],
                    "properties": {"generation": {"type": "integer", "minimum": 0}}
                },
                "Report": {
                    "type": "object",
                    "description": "lockstep_report::Report: legs, params, period, performance, windows, lead_lag, regimes, structure, liquidity, series, and `clocks` (both clocks side by side) when intraday bars of the every-day leg are stored.",
                    "required": ["a", "b", "params", "period", "performance", "windows", "series"],
                    "additionalProperties": true
                },
                "SignalsReport": {
                    "type": "object",
                    "description": "lockstep_report::signals_view::SignalsReport: pair, evaluation, current, triggers.",
                    "required": ["pair", "evaluation", "triggers"],
                    "additionalProperties": true
                },
                "Delivery": {
                    "type": "object",
                    "properties": {
                        "sink": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "delivered"]},
                        "attempts": {"type": "integer"}, "last_error": {"type": "string", "nullable": true},
                        "delivered_at": {"type": "integer", "nullable": true},
                        "next_attempt_at": {"type": "integer", "nullable": true},
                    }
                },
                "Alert": {
                    "type": "object",
                    "required": ["id", "key", "pair", "kind", "subject", "direction", "date", "message", "created_at", "deliveries"],
                    "properties": {
                        "id": {"type": "integer"}, "key": {"type": "string"},
                        "pair": {"type": "string", "description": "A/B, e.g. ETH-USD/^RUT."},
                        "kind": {"type": "string", "enum": ["rule", "correlation"]},
                        "subject": {"type": "string"},
                        "direction": {"type": "string", "enum": ["on", "off", "up", "down"]},
                        "date": {"type": "string", "format": "date"},
                        "value": {"type": "number", "nullable": true},
                        "threshold": {"type": "number", "nullable": true},
                        "message": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "deliveries": {"type": "array", "items": schema("Delivery")},
                    }
                },
                "RefreshRequest": {
                    "type": "object", "additionalProperties": false,
                    "properties": {"pairs": {"type": "array", "items": {"$ref": "#/components/schemas/PairId"}, "maxItems": MAX_REFRESH_PAIRS,
                        "description": "Pair ids whose symbols to refresh (default: every pair)."}}
                },
                "RefreshReport": {
                    "type": "object",
                    "required": ["started_at", "finished_at", "symbols", "pairs", "alerts", "deliveries"],
                    "properties": {
                        "started_at": {"type": "string", "format": "date-time"},
                        "finished_at": {"type": "string", "format": "date-time"},
                        "symbols": {"type": "array", "items": {
                            "type": "object", "required": ["symbol", "status"],
                            "properties": {
                                "symbol": {"type": "string"},
                                "status": {"type": "string", "enum": ["ok", "error", "skipped"]},
                                "provider": {"type": "string", "nullable": true},
                                "added": {"type": "integer"}, "revised": {"type": "integer"},
                                "last": {"type": "string", "format": "date", "nullable": true},
                                "message": {"type": "string", "nullable": true},
                            }
                        }},
                        "pairs": {"type": "array", "items": {"type": "string"}},
                        "alerts": {"type": "array", "items": schema("Alert")},
                        "deliveries": {"type": "object", "properties": {
                            "delivered": {"type": "integer"}, "failed": {"type": "integer"}, "pending": {"type": "integer"}
                        }},
                    }
                },
            }
        }
    })
}
