"""Who leads the queue replicas, as the front end learns it from their statuses (no controller in the loop)."""

from __future__ import annotations

from azlab.cluster.sqs.router import leader_from_statuses
from azlab.member.v1.member_pb2 import MemberStatus


def status(replica_id: str, epoch: int, role: str, leader_id: str = "") -> MemberStatus:
    return MemberStatus(member_id=replica_id, epoch=epoch, role=role, leader=leader_id)


def test_the_replica_that_leads_under_the_highest_epoch_leads():
    assert leader_from_statuses([status("a", 3, "follower", "b"), status("b", 3, "leader", "b"),
                                 status("c", 3, "follower", "b")]) == ("b", 3)


def test_an_old_leader_that_missed_the_election_is_not_followed():
    # a was cut off under epoch 2 and still thinks it leads; b and c were told epoch 3 with c leading
    assert leader_from_statuses([status("a", 2, "leader", "a"), status("b", 3, "follower", "c"),
                                 status("c", 3, "leader", "c")]) == ("c", 3)


def test_followers_name_the_leader_before_it_has_heard():
    # the controller configures followers first: the leader still answers NotLeader, and the caller asks again
    assert leader_from_statuses([status("a", 4, "fenced"), status("b", 4, "follower", "a"),
                                 status("c", 4, "follower", "a")]) == ("a", 4)


def test_no_leader_while_an_election_fences_the_replicas():
    assert leader_from_statuses([status("a", 5, "fenced"), status("b", 5, "fenced"),
                                 status("c", 4, "leader", "c")]) == ("", 5)


def test_no_answer_is_no_leader():
    assert leader_from_statuses([]) == ("", 0)
