//! Training files for organisers, authorised with the same bearer token as
//! `/graphql`: a session's check-in QR image and a course's CSV exports.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::Viewer;
use crate::catalog::trace;
use crate::error::AppError;
use crate::http::AppState;
use crate::ids::{CourseId, SessionId};
use crate::training::export;
use crate::training::service::{find_session, require_manager};

fn viewer(state: &AppState, headers: &HeaderMap) -> Viewer {
    Viewer::from_authorization(
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        &state.keys,
    )
}

/// The plain-text answer for an error, with the status its code calls for.
fn error(err: &AppError) -> Response {
    let status = match err {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) | AppError::OutOfStock { .. } => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(cause) | AppError::Unavailable { cause, .. } => {
            tracing::error!(error = ?cause, "training file failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    let mut res = (status, err.to_string()).into_response();
    if status == StatusCode::UNAUTHORIZED
        && let Ok(value) = "Bearer".parse()
    {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    res
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// `GET /training/sessions/{id}/checkin.svg`: the QR image of the session's
/// check-in code, for the course's organisers to show in the room.
pub async fn checkin_svg(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = SessionId::parse_str(&id, "id") else {
        return not_found();
    };
    let viewer = viewer(&state, &headers);
    let result = async {
        viewer.require_user()?;
        let session = find_session(state.db.conn(), id)
            .await?
            .ok_or_else(|| AppError::not_found("session"))?;
        require_manager(&state.db, &viewer, CourseId::from(session.course_id)).await?;
        trace::qr_svg(&session.checkin_code)
    }
    .await;
    match result {
        Ok(svg) => (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            svg,
        )
            .into_response(),
        Err(err) => error(&err),
    }
}

fn csv_file(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `GET /exports/courses/{id}/participants.csv`.
pub async fn participants_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = CourseId::parse_str(&id, "id") else {
        return not_found();
    };
    match export::participants_csv(&state.db, &viewer(&state, &headers), id).await {
        Ok(body) => csv_file("participants.csv", body),
        Err(err) => error(&err),
    }
}

/// `GET /exports/courses/{id}/attendance.csv`.
pub async fn attendance_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = CourseId::parse_str(&id, "id") else {
        return not_found();
    };
    match export::attendance_csv(&state.db, &viewer(&state, &headers), id).await {
        Ok(body) => csv_file("attendance.csv", body),
        Err(err) => error(&err),
    }
}
