"""A queue replica: the SQS data plane of one AZ, as a process the node agent starts.

    python -m azlab.nodes.sqs.server --replica-id sqs-lab-1a --listen 127.11.0.1:30000 \
        --replication-listen 127.11.0.1:30001 --call-listen 127.11.0.1:30002 \
        --data-dir ~/.azlab/sqs/sqs-lab-1a --region lab-1

It serves the node contract `azlab.member.v1.Member` and grpc.health.v1 (the
controller's Configure, with `SqsReplicaSettings`, and Status, with
`SqsReplicaDetail`) and, each on its own port, the replication stream (the leader's
appends, `stream`) and the call stream (`azlab.sqs.v1.Sqs`'s calls, answered
only while it leads: the controller forwards every call to the leader,
`azlab.common.sqs.calls`). The translation proto <-> model lives
here; the rules live in the model and in `replication`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import signal
import time
from pathlib import Path
from typing import Any

import uvloop
from google.protobuf.message import Message as ProtoMessage

from azlab.common.errors import InvalidParameterValue
from azlab.common.members import serve_member
from azlab.common.sqs import model as sqs_model
from azlab.common.sqs.calls import METHODS, serve_calls
from azlab.nodes.sqs.replication import Replica
from azlab.nodes.sqs.stream import StreamPeers, serve_appends
from azlab.member.v1 import member_pb2, member_pb2_grpc
from azlab.sqs.v1 import sqs_pb2
from azlab.sqs.v1.replica_pb2 import SqsReplicaDetail, SqsReplicaSettings

log = logging.getLogger(__name__)
LONG_POLL_TICK_S = 0.1  # delayed and in-flight messages become visible by the clock, not by an event


def attributes_to_model(values) -> dict[str, dict[str, str]]:
    out = {}
    for name, v in values.items():
        value = {"DataType": v.data_type}
        if v.data_type.startswith("Binary"):
            value["BinaryValue"] = base64.b64encode(v.binary_value).decode()
        else:
            value["StringValue"] = v.string_value
        out[name] = value
    return out


def attributes_to_proto(values: dict[str, dict[str, str]]) -> dict[str, sqs_pb2.MessageAttributeValue]:
    return {
        name: sqs_pb2.MessageAttributeValue(
            data_type=v["DataType"], string_value=v.get("StringValue", ""),
            binary_value=base64.b64decode(v.get("BinaryValue", "")))
        for name, v in values.items()
    }


def _failed(failures: list[sqs_model.BatchFailure]) -> list[sqs_pb2.BatchResultErrorEntry]:
    return [sqs_pb2.BatchResultErrorEntry(id=f.id, sender_fault=f.sender_fault, code=f.code, message=f.message)
            for f in failures]


def _optional(request: ProtoMessage, field: str) -> Any:
    return getattr(request, field) if request.HasField(field) else None


class SqsCalls:
    """azlab.sqs.v1.Sqs on the leader, served on the call stream (`azlab.common.sqs.calls`):
    proto -> model command -> commit on a majority -> proto."""

    def __init__(self, replica: Replica):
        self.replica = replica

    @property
    def model(self) -> sqs_model.SqsModel:
        self.replica.require_leader()
        return self.replica.model

    async def CreateQueue(self, request):
        url, records = self.model.create_queue(request.queue_name, dict(request.attributes), dict(request.tags),
                                               time.time())
        await self.replica.commit(records)
        return sqs_pb2.CreateQueueResponse(queue_url=url)

    async def GetQueueUrl(self, request):
        return sqs_pb2.GetQueueUrlResponse(queue_url=self.model.get_queue_url(request.queue_name))

    async def ListQueues(self, request):
        urls, token = self.model.list_queues(request.queue_name_prefix, _optional(request, "max_results"),
                                             request.next_token)
        return sqs_pb2.ListQueuesResponse(queue_urls=urls, next_token=token)

    async def DeleteQueue(self, request):
        await self.replica.commit(self.model.delete_queue(request.queue_url))
        return sqs_pb2.DeleteQueueResponse()

    async def GetQueueAttributes(self, request):
        attributes = self.model.get_queue_attributes(request.queue_url, list(request.attribute_names), time.time())
        return sqs_pb2.GetQueueAttributesResponse(attributes=attributes)

    async def SetQueueAttributes(self, request):
        await self.replica.commit(self.model.set_queue_attributes(request.queue_url, dict(request.attributes),
                                                                  time.time()))
        return sqs_pb2.SetQueueAttributesResponse()

    async def SendMessage(self, request):
        result, records = self.model.send_message(
            request.queue_url, request.message_body, time.time(), _optional(request, "delay_seconds"),
            attributes_to_model(request.message_attributes), request.message_deduplication_id,
            request.message_group_id)
        await self.replica.commit(records)
        return sqs_pb2.SendMessageResponse(
            message_id=result.message_id, md5_of_message_body=result.md5_of_message_body,
            md5_of_message_attributes=result.md5_of_message_attributes, sequence_number=result.sequence_number)

    async def SendMessageBatch(self, request):
        entries = [{
            "Id": e.id, "MessageBody": e.message_body, "DelaySeconds": _optional(e, "delay_seconds"),
            "MessageAttributes": attributes_to_model(e.message_attributes),
            "MessageDeduplicationId": e.message_deduplication_id, "MessageGroupId": e.message_group_id,
        } for e in request.entries]
        sent, failed, records = self.model.send_message_batch(request.queue_url, entries, time.time())
        await self.replica.commit(records)
        return sqs_pb2.SendMessageBatchResponse(
            successful=[sqs_pb2.SendMessageBatchResultEntry(
                id=entry_id, message_id=r.message_id, md5_of_message_body=r.md5_of_message_body,
                md5_of_message_attributes=r.md5_of_message_attributes, sequence_number=r.sequence_number)
                for entry_id, r in sent],
            failed=_failed(failed))

    async def ReceiveMessage(self, request):
        queue = self.model.queue(request.queue_url)
        wait = _optional(request, "wait_time_seconds")
        if wait is None:
            wait = queue.int_attribute("ReceiveMessageWaitTimeSeconds")
        sqs_model.check_range("WaitTimeSeconds", wait, 0, sqs_model.MAX_WAIT_S)
        deadline = time.monotonic() + wait
        names = [*request.attribute_names, *request.message_system_attribute_names]
        while True:
            changed = self.replica.changed
            received, records = self.model.receive_message(
                request.queue_url, time.time(), _optional(request, "max_number_of_messages"),
                _optional(request, "visibility_timeout"), names, list(request.message_attribute_names))
            await self.replica.commit(records)
            remaining = deadline - time.monotonic()
            if received or remaining <= 0:
                break
            try:
                await asyncio.wait_for(changed.wait(), min(remaining, LONG_POLL_TICK_S))
            except asyncio.TimeoutError:
                pass
        return sqs_pb2.ReceiveMessageResponse(messages=[
            sqs_pb2.Message(
                message_id=m.message_id, receipt_handle=m.receipt_handle, md5_of_body=m.md5_of_body, body=m.body,
                attributes=m.attributes, md5_of_message_attributes=m.md5_of_message_attributes,
                message_attributes=attributes_to_proto(m.message_attributes))
            for m in received])

    async def DeleteMessage(self, request):
        await self.replica.commit(self.model.delete_message(request.queue_url, request.receipt_handle))
        return sqs_pb2.DeleteMessageResponse()

    async def DeleteMessageBatch(self, request):
        entries = [{"Id": e.id, "ReceiptHandle": e.receipt_handle} for e in request.entries]
        done, failed, records = self.model.delete_message_batch(request.queue_url, entries)
        await self.replica.commit(records)
        return sqs_pb2.DeleteMessageBatchResponse(
            successful=[sqs_pb2.DeleteMessageBatchResultEntry(id=i) for i in done], failed=_failed(failed))

    async def ChangeMessageVisibility(self, request):
        await self.replica.commit(self.model.change_message_visibility(
            request.queue_url, request.receipt_handle, request.visibility_timeout, time.time()))
        return sqs_pb2.ChangeMessageVisibilityResponse()

    async def ChangeMessageVisibilityBatch(self, request):
        entries = [{"Id": e.id, "ReceiptHandle": e.receipt_handle, "VisibilityTimeout": e.visibility_timeout}
                   for e in request.entries]
        done, failed, records = self.model.change_message_visibility_batch(request.queue_url, entries, time.time())
        await self.replica.commit(records)
        return sqs_pb2.ChangeMessageVisibilityBatchResponse(
            successful=[sqs_pb2.ChangeMessageVisibilityBatchResultEntry(id=i) for i in done], failed=_failed(failed))

    async def PurgeQueue(self, request):
        await self.replica.commit(self.model.purge_queue(request.queue_url, time.time()))
        return sqs_pb2.PurgeQueueResponse()

    async def TagQueue(self, request):
        await self.replica.commit(self.model.tag_queue(request.queue_url, dict(request.tags)))
        return sqs_pb2.TagQueueResponse()

    async def UntagQueue(self, request):
        await self.replica.commit(self.model.untag_queue(request.queue_url, list(request.tag_keys)))
        return sqs_pb2.UntagQueueResponse()

    async def ListQueueTags(self, request):
        return sqs_pb2.ListQueueTagsResponse(tags=self.model.list_queue_tags(request.queue_url))


class ReplicaMember(member_pb2_grpc.MemberServicer):
    """azlab.member.v1.Member over this AZ's replica: its epoch and leader, how far its log reaches."""

    def __init__(self, replica: Replica):
        self.replica = replica

    async def Configure(self, request, context):
        settings = SqsReplicaSettings()
        if not request.settings.Unpack(settings):
            raise InvalidParameterValue(f"settings must be {SqsReplicaSettings.DESCRIPTOR.full_name}, "
                                        f"not {request.settings.type_url or 'empty'}")
        self.replica.configure(request.epoch, request.leader, dict(settings.peers), settings.queue_url_base)
        return await self.Status(request, context)

    async def Status(self, request, context):
        r = self.replica
        status = member_pb2.MemberStatus(member_id=r.replica_id, epoch=r.epoch, leader=r.leader_id, role=r.role,
                                         position=[r.log.last_epoch, r.log.last_index])
        status.detail.Pack(SqsReplicaDetail(commit_index=r.commit_index))
        return status


async def serve(replica_id: str, listen: str, replication_listen: str, call_listen: str, data_dir: Path,
                region: str) -> None:
    replica = Replica(replica_id, data_dir, region, StreamPeers().send_append)
    host, port = replication_listen.rsplit(":", 1)
    appends = await serve_appends(replica, host, int(port))
    host, port = call_listen.rsplit(":", 1)
    servicer = SqsCalls(replica)
    calls = await serve_calls({m: getattr(servicer, m) for m in METHODS if hasattr(servicer, m)}, host, int(port))
    server, health_servicer = await serve_member(ReplicaMember(replica), listen)
    log.info("%s serving on %s (epoch %d, %d log entries)", replica_id, listen, replica.epoch, replica.log.last_index)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await health_servicer.enter_graceful_shutdown()
    appends.close()
    calls.close()
    await server.stop(1.0)
    replica.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m azlab.nodes.sqs.server", description=__doc__.splitlines()[0])
    parser.add_argument("--replica-id", required=True)
    parser.add_argument("--listen", required=True, help="host:port of its node contract (azlab.member.v1.Member) and health")
    parser.add_argument("--replication-listen", required=True, help="host:port of its replication stream")
    parser.add_argument("--call-listen", required=True, help="host:port of its call stream")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--region", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # uvloop: each acknowledged call crosses this loop several times (call stream, replication, fsync);
    # its callbacks cost a fraction of asyncio's own.
    uvloop.run(serve(args.replica_id, args.listen, args.replication_listen, args.call_listen, args.data_dir,
                      args.region))


if __name__ == "__main__":
    main()
