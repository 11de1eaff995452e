//! Reading the table's DynamoDB stream the way a Lambda event source mapping does: used
//! by the local stack (and tests) to run the outbox relay without Lambda.
//!
//! The reader keeps no long-lived shard iterator. It remembers, per shard, the sequence
//! number of the last record it handed out and processed, and asks for a fresh iterator
//! after it on every poll. Real streams need that anyway (iterators expire after 15
//! minutes, shards close and split, records are trimmed after 24 h), and it keeps the
//! reader on the shard the table really writes to, whatever an emulator does to its
//! copies.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodbstreams::{
    Client,
    error::{DisplayErrorContext, SdkError},
    operation::get_shard_iterator::GetShardIteratorError,
    types::{OperationType, Shard, ShardIteratorType},
};
use dashtam_domain::{StoreError, platform::events::DomainEvent};

use super::outbox_event;

/// Records asked for per shard and poll (GetRecords allows 1,000).
const BATCH: i32 = 100;

fn unavailable(op: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("dynamodb streams {op}: {e}"))
}

/// A reader over every shard of one table's stream, from the oldest record kept.
pub struct StreamReader {
    streams: Client,
    stream_arn: String,
    /// Per shard: the sequence number of the last processed record (absent: none yet).
    positions: HashMap<String, String>,
    /// Positions reached by the last batch, and the shards it read to their end: taken
    /// over when the next batch is asked for (the caller asks again only once it has
    /// processed the last one).
    reached: HashMap<String, String>,
    closing: Vec<String>,
    /// Shards read to their end (closed by DynamoDB, no further records).
    finished: HashSet<String>,
}

/// Of the listed shards (id, parent), those to read now: not read to their end, and whose
/// parent, while the stream still lists it, has been read to its end, so that records
/// stay in order across a split.
fn readable(listed: &[(String, Option<String>)], finished: &HashSet<String>) -> Vec<String> {
    let ids: HashSet<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
    listed
        .iter()
        .filter(|(id, parent)| {
            let parent_pending = parent
                .as_deref()
                .is_some_and(|p| ids.contains(p) && !finished.contains(p));
            !finished.contains(id) && !parent_pending
        })
        .map(|(id, _)| id.clone())
        .collect()
}

/// What one shard gave in one poll.
struct ShardRead {
    events: Vec<DomainEvent>,
    last_sequence: Option<String>,
    finished: bool,
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
            positions: HashMap::new(),
            reached: HashMap::new(),
            closing: Vec::new(),
            finished: HashSet::new(),
        })
    }

    /// The outbox events inserted after the last batch, oldest first per shard. Asking
    /// again means the last batch was processed: a caller that fails to process a batch
    /// must retry that batch, not ask for the next one (the local relay retries until it
    /// is published). If this call fails, nothing moves: the same records come again.
    ///
    /// Records that are not outbox inserts are skipped; an unreadable outbox item is
    /// logged and skipped (retrying cannot repair it).
    pub async fn next_events(&mut self) -> Result<Vec<DomainEvent>, StoreError> {
        for (shard, sequence) in self.reached.drain() {
            self.positions.insert(shard, sequence);
        }
        self.finished.extend(self.closing.drain(..));
        let shards = self.readable_shards().await?;
        let mut events = Vec::new();
        let mut reached = HashMap::new();
        let mut closing = Vec::new();
        for shard in shards {
            let after = self.positions.get(&shard).cloned();
            let Some(read) = self.read_shard(&shard, after).await? else {
                closing.push(shard);
                continue;
            };
            events.extend(read.events);
            if let Some(sequence) = read.last_sequence {
                reached.insert(shard.clone(), sequence);
            }
            if read.finished {
                closing.push(shard);
            }
        }
        self.reached = reached;
        self.closing = closing;
        Ok(events)
    }

    /// The shards to read now (see [`readable`]). Forgets finished shards the stream no
    /// longer lists (trimmed away).
    async fn readable_shards(&mut self) -> Result<Vec<String>, StoreError> {
        let listed: Vec<(String, Option<String>)> = self
            .describe_shards()
            .await?
            .into_iter()
            .filter_map(|s| Some((s.shard_id?, s.parent_shard_id)))
            .collect();
        let ids: HashSet<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
        self.finished.retain(|s| ids.contains(s.as_str()));
        self.positions.retain(|s, _| ids.contains(s.as_str()));
        Ok(readable(&listed, &self.finished))
    }

    async fn describe_shards(&self) -> Result<Vec<Shard>, StoreError> {
        let mut shards = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let described = self
                .streams
                .describe_stream()
                .stream_arn(&self.stream_arn)
                .set_exclusive_start_shard_id(start.take())
                .send()
                .await
                .map_err(|e| unavailable("DescribeStream", DisplayErrorContext(e)))?;
            let Some(description) = described.stream_description else {
                return Ok(shards);
            };
            shards.extend(description.shards.unwrap_or_default());
            match description.last_evaluated_shard_id {
                Some(last) => start = Some(last),
                None => return Ok(shards),
            }
        }
    }

    /// One GetRecords on `shard` from a fresh iterator after `after`. None when the
    /// shard is gone from the stream (trimmed away entirely).
    async fn read_shard(
        &self,
        shard: &str,
        after: Option<String>,
    ) -> Result<Option<ShardRead>, StoreError> {
        let Some(iterator) = self.iterator(shard, after).await? else {
            return Ok(None);
        };
        let out = self
            .streams
            .get_records()
            .shard_iterator(iterator)
            .limit(BATCH)
            .send()
            .await
            .map_err(|e| unavailable("GetRecords", DisplayErrorContext(e)))?;
        let mut read = ShardRead {
            events: Vec::new(),
            last_sequence: None,
            // No next iterator: the shard is closed and this read reached its end.
            finished: out.next_shard_iterator.is_none(),
        };
        for record in out.records.unwrap_or_default() {
            let Some(change) = record.dynamodb else {
                continue;
            };
            if let Some(sequence) = change.sequence_number {
                read.last_sequence = Some(sequence);
            }
            if record.event_name != Some(OperationType::Insert) {
                continue;
            }
            let Some(image) = change.new_image else {
                continue;
            };
            match outbox_event(image.into()) {
                Some(Ok(event)) => read.events.push(event),
                Some(Err(error)) => tracing::error!(%error, "unreadable outbox item skipped"),
                None => {}
            }
        }
        Ok(Some(read))
    }

    /// A fresh iterator just after `after`, or at the oldest record kept when nothing
    /// was read yet, or when `after` has been trimmed away (those records are lost to
    /// the stream; their outbox items stay in the table until TTL and show as relay lag).
    async fn iterator(
        &self,
        shard: &str,
        after: Option<String>,
    ) -> Result<Option<String>, StoreError> {
        let request = |kind: ShardIteratorType, sequence: Option<String>| {
            self.streams
                .get_shard_iterator()
                .stream_arn(&self.stream_arn)
                .shard_id(shard)
                .shard_iterator_type(kind)
                .set_sequence_number(sequence)
                .send()
        };
        let got = match after {
            Some(sequence) => {
                match request(
                    ShardIteratorType::AfterSequenceNumber,
                    Some(sequence.clone()),
                )
                .await
                {
                    Err(SdkError::ServiceError(e))
                        if matches!(
                            e.err(),
                            GetShardIteratorError::TrimmedDataAccessException(_)
                        ) =>
                    {
                        tracing::error!(
                            shard,
                            sequence,
                            "stream records trimmed before they were relayed; reading from the oldest kept"
                        );
                        request(ShardIteratorType::TrimHorizon, None).await
                    }
                    other => other,
                }
            }
            None => request(ShardIteratorType::TrimHorizon, None).await,
        };
        match got {
            Ok(out) => Ok(out.shard_iterator),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), GetShardIteratorError::ResourceNotFoundException(_)) =>
            {
                tracing::info!(shard, "stream shard gone");
                Ok(None)
            }
            Err(e) => Err(unavailable("GetShardIterator", DisplayErrorContext(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(id: &str, parent: Option<&str>) -> (String, Option<String>) {
        (id.to_owned(), parent.map(str::to_owned))
    }

    fn finished(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn children_of_a_split_wait_for_their_parent_to_be_read_to_its_end() {
        let listed = [
            shard("p", None),
            shard("c1", Some("p")),
            shard("c2", Some("p")),
        ];
        assert_eq!(readable(&listed, &finished(&[])), ["p"]);
        assert_eq!(readable(&listed, &finished(&["p"])), ["c1", "c2"]);
        assert!(readable(&listed, &finished(&["p", "c1", "c2"])).is_empty());
    }

    #[test]
    fn a_child_whose_parent_was_trimmed_away_is_read_at_once() {
        let listed = [shard("c", Some("gone")), shard("open", None)];
        assert_eq!(readable(&listed, &finished(&[])), ["c", "open"]);
    }

    #[test]
    fn a_grandchild_waits_for_its_own_parent_not_the_grandparent() {
        let listed = [
            shard("a", None),
            shard("b", Some("a")),
            shard("c", Some("b")),
        ];
        assert_eq!(readable(&listed, &finished(&["a"])), ["b"]);
        assert_eq!(readable(&listed, &finished(&["a", "b"])), ["c"]);
    }
}
