use aws_sdk_sqs::{Client, error::DisplayErrorContext};

/// Moves up to `max` messages from a dead-letter queue back to the queue they failed on,
/// once the cause is fixed. Each message is sent to `to` before it is deleted from
/// `dlq`, so a crash in between duplicates a message rather than losing it (the
/// consumers deduplicate by event id). Answers how many moved.
///
/// On AWS, `aws sqs start-message-move-task --source-arn <DLQ ARN>` does the same
/// server-side; this one also runs against the local emulator.
pub async fn redrive(sqs: &Client, dlq: &str, to: &str, max: usize) -> Result<usize, String> {
    let mut moved = 0;
    while moved < max {
        let batch = i32::try_from((max - moved).min(10)).unwrap_or(10);
        let received = sqs
            .receive_message()
            .queue_url(dlq)
            .max_number_of_messages(batch)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(|e| format!("receive from {dlq}: {}", DisplayErrorContext(e)))?;
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() {
            break;
        }
        for m in messages {
            let (Some(body), Some(handle)) = (m.body, m.receipt_handle) else {
                continue;
            };
            sqs.send_message()
                .queue_url(to)
                .message_body(body)
                .send()
                .await
                .map_err(|e| format!("send to {to}: {}", DisplayErrorContext(e)))?;
            sqs.delete_message()
                .queue_url(dlq)
                .receipt_handle(handle)
                .send()
                .await
                .map_err(|e| format!("delete from {dlq}: {}", DisplayErrorContext(e)))?;
            moved += 1;
        }
    }
    Ok(moved)
}
