//! The uploads bucket on S3: presigned PUTs for clients, whole-object reads for the
//! import worker (the size is checked before the body is read).

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_s3::{error::SdkError, presigning::PresigningConfig};
use dashtam_domain::{
    StoreError,
    imports::{Upload, UploadStore},
};

#[derive(Debug, Clone)]
pub struct S3Uploads {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl S3Uploads {
    pub fn new(client: aws_sdk_s3::Client, bucket: String) -> Self {
        Self { client, bucket }
    }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("s3 {what}: {e}"))
}

#[async_trait]
impl UploadStore for S3Uploads {
    async fn presign_put(&self, key: &str, expires_in: Duration) -> Result<String, StoreError> {
        let config =
            PresigningConfig::expires_in(expires_in).map_err(|e| unavailable("presign", e))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| unavailable("presign", e))?;
        Ok(request.uri().to_owned())
    }

    async fn fetch(&self, key: &str, max_bytes: u64) -> Result<Upload, StoreError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => object,
            Err(SdkError::ServiceError(e)) if e.err().is_no_such_key() => {
                return Ok(Upload::Missing);
            }
            Err(e) => {
                return Err(unavailable(
                    "get",
                    aws_sdk_s3::error::DisplayErrorContext(e),
                ));
            }
        };
        let size = object
            .content_length()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        if size > max_bytes {
            return Ok(Upload::TooLarge { size });
        }
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| unavailable("read", e))?
            .into_bytes();
        Ok(Upload::File(Vec::from(bytes)))
    }
}
