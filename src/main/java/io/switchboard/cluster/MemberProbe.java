package io.switchboard.cluster;

import com.hazelcast.cluster.Member;
import io.vertx.core.Future;

/**
 * Decides whether another Hazelcast member is one of ours. Hazelcast's open-source edition lets any process that
 * reaches a member port and knows the cluster name join; a member is trusted only once this says so, and until
 * then its sessions are neither routed to nor shown.
 */
@FunctionalInterface
public interface MemberProbe {

  /** Succeeds when {@code member} is trusted; fails with a message that says why not. */
  Future<Void> authenticate(Member member);

  /** {@code cluster.insecure}: every member is trusted as it is. */
  static MemberProbe trustEveryone() {
    return member -> Future.succeededFuture();
  }
}
