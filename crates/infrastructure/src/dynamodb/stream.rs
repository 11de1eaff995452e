//! Reading the table's DynamoDB stream the way a Lambda event source mapping does: used
//! by the local stack (and tests) to run the outbox relay without Lambda.

use std::collections::HashMap;

use aws_sdk_dynamodbstreams::{
    Client,
    error::DisplayErrorContext,
    types::{OperationType, ShardIteratorType},
};
use dashtam_domain::{StoreError, events::DomainEvent};

use super::outbox_event;

fn unavailable(op: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("dynamodb streams {op}: {e}"))
}

/// A reader over every shard of one table's stream, from the oldest record kept.
pub struct StreamReader {
    streams: Client,
    stream_arn: String,
    /// Open shards and the iterator to read each from next.
    iterators: HashMap<String, String>,
    /// Shards read to their end.
    closed: Vec<String>,
}

impl StreamReader {
    /// Finds the table's stream. Fails if the table has none.
    pub async fn open(sdk: &aws_config::SdkConfig, table: &str) -> Result<Self, StoreError> {
        let streams = Client::new(sdk);
        let described = aws_sdk_dynamodb::Client::new(sdk)
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| unavailable("DescribeTable", DisplayErrorContext(e)))?;
        let stream_arn = described
            .table
            .and_then(|t| t.latest_stream_arn)
            .ok_or_else(|| unavailable("DescribeTable", format!("{table} has no stream")))?;
        Ok(Self {
            streams,
            stream_arn,
            iterators: HashMap::new(),
            closed: Vec::new(),
        })
    }

    /// The outbox events inserted since the last call, oldest first per shard. Records
    /// that are not outbox inserts are skipped; an unreadable outbox item is logged and
    /// skipped (retrying cannot repair it).
    pub async fn next_events(&mut self) -> Result<Vec<DomainEvent>, StoreError> {
        self.discover_shards().await?;
        let mut events = Vec::new();
        let shards: Vec<(String, String)> = self
            .iterators
            .iter()
            .map(|(s, i)| (s.clone(), i.clone()))
            .collect();
        for (shard, iterator) in shards {
            let out = self
                .streams
                .get_records()
                .shard_iterator(iterator)
                .limit(100)
                .send()
                .await
                .map_err(|e| unavailable("GetRecords", DisplayErrorContext(e)))?;
            for record in out.records.unwrap_or_default() {
                if record.event_name != Some(OperationType::Insert) {
                    continue;
                }
                let Some(image) = record.dynamodb.and_then(|d| d.new_image) else {
                    continue;
                };
                match outbox_event(image.into()) {
                    Some(Ok(event)) => events.push(event),
                    Some(Err(error)) => tracing::error!(%error, "unreadable outbox item skipped"),
                    None => {}
                }
            }
            match out.next_shard_iterator {
                Some(next) => {
                    self.iterators.insert(shard, next);
                }
                None => {
                    self.iterators.remove(&shard);
                    self.closed.push(shard);
                }
            }
        }
        Ok(events)
    }

    async fn discover_shards(&mut self) -> Result<(), StoreError> {
        let described = self
            .streams
            .describe_stream()
            .stream_arn(&self.stream_arn)
            .send()
            .await
            .map_err(|e| unavailable("DescribeStream", DisplayErrorContext(e)))?;
        let shards = described
            .stream_description
            .and_then(|d| d.shards)
            .unwrap_or_default();
        for shard in shards {
            let Some(id) = shard.shard_id else { continue };
            if self.iterators.contains_key(&id) || self.closed.contains(&id) {
                continue;
            }
            let iterator = self
                .streams
                .get_shard_iterator()
                .stream_arn(&self.stream_arn)
                .shard_id(&id)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await
                .map_err(|e| unavailable("GetShardIterator", DisplayErrorContext(e)))?
                .shard_iterator;
            if let Some(iterator) = iterator {
                self.iterators.insert(id, iterator);
            }
        }
        Ok(())
    }
}
