//! `/payments/{number}/vietqr.png|svg`: an order's VietQR code to scan, and
//! `/webhooks/bank-transfers`: the bank's signed transfer notices.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::catalog::trace::{qr_png, qr_svg};
use crate::error::AppError;
use crate::http::AppState;
use crate::orders::OrderStatus;
use crate::orders::inputs::normalise_order_number;
use crate::payments::vietqr;
use crate::payments::webhook::{self, Delivery, TransferNotice};

/// The header carrying the notice's HMAC-SHA256, in hex.
pub const SIGNATURE: &str = "x-signature";

fn internal(err: &AppError) -> Response {
    tracing::error!(error = ?err, "payment route failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// The payload of an order awaiting a VietQR transfer; `None` for anything
/// else (unknown, paid, cash on delivery). The order number is not secret
/// (it is read over the phone) and the payload shows only the
/// cooperative's account, the amount and the number.
async fn payload_of(state: &AppState, number: &str) -> Result<Option<String>, AppError> {
    let Some(number) = normalise_order_number(number) else {
        return Ok(None);
    };
    let Some(order) = crate::orders::service::find_by_memo(
        state.db.conn(),
        &crate::orders::inputs::memo_of(&number),
    )
    .await?
    else {
        return Ok(None);
    };
    if order.status != OrderStatus::PendingPayment {
        return Ok(None);
    }
    Ok(match (&order.bank_bin, &order.bank_account_number) {
        (Some(bin), Some(account)) => Some(vietqr::payload(
            bin,
            account,
            order.total_vnd,
            &order.payment_memo,
        )),
        _ => None,
    })
}

const NOT_AWAITING: &str = "no order awaiting a VietQR transfer has this number";

/// The code as a PNG (6 px per module).
pub async fn vietqr_png(State(state): State<AppState>, Path(number): Path<String>) -> Response {
    match payload_of(&state, &number).await {
        Ok(Some(payload)) => match qr_png(&payload, 6) {
            Ok(png) => (
                [
                    (header::CONTENT_TYPE, "image/png"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                png,
            )
                .into_response(),
            Err(err) => internal(&err),
        },
        Ok(None) => (StatusCode::NOT_FOUND, NOT_AWAITING).into_response(),
        Err(err) => internal(&err),
    }
}

/// The code as SVG.
pub async fn vietqr_svg(State(state): State<AppState>, Path(number): Path<String>) -> Response {
    match payload_of(&state, &number).await {
        Ok(Some(payload)) => match qr_svg(&payload) {
            Ok(svg) => (
                [
                    (header::CONTENT_TYPE, "image/svg+xml"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                svg,
            )
                .into_response(),
            Err(err) => internal(&err),
        },
        Ok(None) => (StatusCode::NOT_FOUND, NOT_AWAITING).into_response(),
        Err(err) => internal(&err),
    }
}

/// A transfer notice: 401 without a valid `X-Signature` (nothing stored),
/// 413 over 64 KiB, 400 when it is not a notice, 409 for a known
/// transaction id with another amount, memo or account (nothing stored,
/// logged and counted for review), otherwise 200 with what became of it
/// (a repeat answers 200 with `repeated: true` and changes nothing).
pub async fn bank_transfer(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let notice = match verified_notice(&state, &headers, &body) {
        Ok(notice) => notice,
        Err((status, error)) => return refused(status, error),
    };
    match webhook::receive(&state.db, &state.events, notice).await {
        Ok(received) => answer(&state, &received),
        Err(AppError::Invalid { field, message }) => {
            refused(StatusCode::BAD_REQUEST, format!("{field}: {message}"))
        }
        Err(err) => internal(&err),
    }
}

/// A notice refused with `status`, saying why.
fn refused(status: StatusCode, error: String) -> Response {
    (status, axum::Json(json!({ "error": error }))).into_response()
}

/// The notice in `body` once its signature is checked; otherwise the
/// status and reason to answer: 401 without a valid `X-Signature`, 400 when
/// the body is not a notice.
fn verified_notice(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TransferNotice, (StatusCode, String)> {
    let signature = headers
        .get(SIGNATURE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !webhook::signature_is_valid(
        state
            .config
            .payments
            .webhook_secret
            .expose_secret()
            .as_bytes(),
        body,
        signature,
    ) {
        tracing::warn!("bank transfer notice refused: bad or missing signature");
        return Err((
            StatusCode::UNAUTHORIZED,
            "bad or missing X-Signature".to_owned(),
        ));
    }
    serde_json::from_slice(body).map_err(|err| {
        (
            StatusCode::BAD_REQUEST,
            format!("not a transfer notice: {err}"),
        )
    })
}

/// The bank's answer: 409 for a mismatch (logged and counted for review),
/// otherwise 200 with what became of the transfer.
fn answer(state: &AppState, received: &webhook::Received) -> Response {
    if received.delivery == Delivery::Mismatched {
        // Staff should look: a bank resending one transaction with
        // other figures is a fault or a forgery with a leaked secret.
        tracing::warn!(
            transfer.transaction_id = %received.transfer.transaction_id,
            transfer.id = %received.transfer.id,
            "bank transfer notice refused: a known transaction id with another amount, memo or account"
        );
        state.metrics.bank_transfer_mismatch();
        return refused(
            StatusCode::CONFLICT,
            "this transactionId was already received with another amount, memo or account; nothing was stored".to_owned(),
        );
    }
    axum::Json(json!({
        "transferId": received.transfer.id,
        "outcome": received.transfer.outcome.to_string(),
        "orderId": received.transfer.order_id,
        "repeated": received.delivery == Delivery::Repeated,
    }))
    .into_response()
}
