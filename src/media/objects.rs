//! The storage calls media makes, each turning the SDK's errors into
//! [`AppError`]s: a store that cannot be reached is a clear `INTERNAL`
//! "media storage is unavailable", a missing object is `None`.

use std::time::Duration;

use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;

use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// What a HEAD of an object says.
#[derive(Clone, Debug)]
pub struct ObjectHead {
    pub content_length: Option<i64>,
    pub content_type: Option<String>,
}

/// An error of a storage call: unavailable when the store could not be
/// reached or did not answer, internal otherwise.
fn storage_error<E, R>(what: &str, err: SdkError<E, R>) -> AppError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let unreachable = matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    );
    let cause = anyhow::anyhow!("{what}: {}", DisplayErrorContext(err));
    if unreachable {
        AppError::Unavailable {
            message: "media storage is unavailable right now; try again later",
            cause,
        }
    } else {
        AppError::internal(cause)
    }
}

fn presigning(ttl: Duration) -> AppResult<PresigningConfig> {
    PresigningConfig::expires_in(ttl).map_err(AppError::internal)
}

/// A presigned PUT of `key` that storage accepts only with exactly this
/// content type and length (and checksum, when given).
pub async fn presign_put(
    storage: &Storage,
    key: &str,
    content_type: &str,
    content_length: u64,
    checksum_sha256: Option<&str>,
    ttl: Duration,
) -> AppResult<PresignedRequest> {
    let length = i64::try_from(content_length).map_err(AppError::internal)?;
    let mut put = storage
        .client()
        .put_object()
        .bucket(storage.bucket())
        .key(key)
        .content_type(content_type)
        .content_length(length);
    if let Some(checksum) = checksum_sha256 {
        put = put.checksum_sha256(checksum);
    }
    put.presigned(presigning(ttl)?)
        .await
        .map_err(|e| storage_error("presigning an upload", e))
}

/// A presigned GET of `key`, valid for `ttl`.
pub async fn presign_get(storage: &Storage, key: &str, ttl: Duration) -> AppResult<String> {
    let request = storage
        .client()
        .get_object()
        .bucket(storage.bucket())
        .key(key)
        .presigned(presigning(ttl)?)
        .await
        .map_err(|e| storage_error("presigning a download", e))?;
    Ok(request.uri().to_owned())
}

/// The object's size and type, or `None` when there is no such object.
pub async fn head(storage: &Storage, key: &str) -> AppResult<Option<ObjectHead>> {
    let result = storage
        .client()
        .head_object()
        .bucket(storage.bucket())
        .key(key)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Some(ObjectHead {
            content_length: out.content_length(),
            content_type: out.content_type().map(str::to_owned),
        })),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
        Err(err) => Err(storage_error("reading an object's head", err)),
    }
}

/// The object's bytes, or its first `first` bytes only.
pub async fn get(storage: &Storage, key: &str, first: Option<usize>) -> AppResult<Vec<u8>> {
    let mut get = storage
        .client()
        .get_object()
        .bucket(storage.bucket())
        .key(key);
    if let Some(n) = first {
        get = get.range(format!("bytes=0-{}", n.saturating_sub(1)));
    }
    let out = get
        .send()
        .await
        .map_err(|e| storage_error("reading an object", e))?;
    let bytes = out
        .body
        .collect()
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("reading an object's body: {e}")))?;
    Ok(bytes.to_vec())
}

/// Copies the object at `from` to `to` inside the bucket, its content type
/// with it; `false` when there is no object at `from`.
pub async fn copy(storage: &Storage, from: &str, to: &str) -> AppResult<bool> {
    let result = storage
        .client()
        .copy_object()
        .bucket(storage.bucket())
        .copy_source(format!("{}/{}", storage.bucket(), from))
        .key(to)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(err)
            if err
                .as_service_error()
                .and_then(ProvideErrorMetadata::code)
                .is_some_and(|code| code == "NoSuchKey") =>
        {
            Ok(false)
        }
        Err(err) => Err(storage_error("copying an object", err)),
    }
}

/// Stores `bytes` at `key`.
pub async fn put(
    storage: &Storage,
    key: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> AppResult<()> {
    storage
        .client()
        .put_object()
        .bucket(storage.bucket())
        .key(key)
        .content_type(content_type)
        .body(ByteStream::from(bytes))
        .send()
        .await
        .map_err(|e| storage_error("writing an object", e))?;
    Ok(())
}

/// Deletes `key`; deleting what is not there succeeds.
pub async fn delete(storage: &Storage, key: &str) -> AppResult<()> {
    storage
        .client()
        .delete_object()
        .bucket(storage.bucket())
        .key(key)
        .send()
        .await
        .map_err(|e| storage_error("deleting an object", e))?;
    Ok(())
}
