package io.switchboard.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.switchboard.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's view of the cluster's members, by Switchboard node id (a member attribute). Hazelcast lets any
 * process that reaches a member port join, so a member counts only once {@link MemberProbe} trusts it: until
 * then (and for good, if refused) its node id is not live, its sessions are neither shown nor routed to, and the
 * oldest trusted member purges them from the rooms map. Reads are local: Hazelcast keeps the member list on every
 * member, so {@code /health} and presence never wait on the network.
 *
 * <p>A starting node is ready only once the members already there trust it too: it asks each of them over
 * the (authenticated) event bus, and each answers when its own check of the newcomer has passed. So a node
 * serves nobody before the cluster counts it, and no delta or frame of its sessions arrives anywhere early.
 */
public final class ClusterMembership {

  private static final System.Logger LOG = System.getLogger(ClusterMembership.class.getName());
  /** Member attribute holding the Switchboard node id. */
  public static final String NODE_ATTRIBUTE = "switchboard.node";
  /** A probe that failed for a reason that may pass (a timeout) is tried again this often before refusing. */
  private static final int PROBE_ATTEMPTS = 3;
  private static final long PROBE_RETRY_MS = 1000;
  /** How long a starting node waits for the others to trust it, and a member for a newcomer to appear. */
  private static final long ADMISSION_WAIT_MS = 20_000;
  private static final long MEMBER_LOOKUP_RETRY_MS = 100;

  /** What presence hears of: members becoming trusted, members gone, this side of a partition merged back. */
  public interface Listener {
    void trusted(String nodeId);

    void left(String nodeId);

    void merged();
  }

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final MemberProbe probe;
  private final String localNode;
  private final Set<UUID> trusted = ConcurrentHashMap.newKeySet();
  private final Map<UUID, String> refused = new ConcurrentHashMap<>();
  /** One check per member, however often it is asked for (at start and by the join event, say). */
  private final Map<UUID, Future<Boolean>> checks = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private UUID membershipListener;
  private UUID lifecycleListener;

  /** @param localNode this node's Switchboard node id */
  public ClusterMembership(Vertx vertx, HazelcastInstance hazelcast, MemberProbe probe, String localNode) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.probe = probe;
    this.localNode = localNode;
  }

  /**
   * Starts following the membership and authenticates the members already there. Fails when there are others
   * and none of them can be trusted: this member is the one that does not belong (another CA, say), and it
   * says why instead of serving a cluster of one.
   */
  public Future<Void> start() {
    membershipListener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        authenticate(event.getMember());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        Member member = event.getMember();
        boolean wasTrusted = trusted.remove(member.getUuid());
        refused.remove(member.getUuid());
        checks.remove(member.getUuid());
        if (wasTrusted) {
          listeners.forEach(l -> l.left(nodeId(member)));
        }
      }
    });
    lifecycleListener = hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
        listeners.forEach(Listener::merged);
      }
    });
    List<Member> others = new ArrayList<>();
    hazelcast.getCluster().getMembers().forEach(m -> {
      if (!m.localMember()) {
        others.add(m);
      }
    });
    List<Future<Boolean>> checks = new ArrayList<>();
    others.forEach(m -> checks.add(authenticate(m)));
    Future<Void> answering = vertx.eventBus().consumer(Addresses.nodeMembership(localNode), this::onAdmissionQuery)
      .completion();
    return answering.compose(v -> Future.join(checks)).transform(ignored -> {
      boolean anyTrusted = checks.stream().anyMatch(check -> Boolean.TRUE.equals(check.result()));
      if (others.isEmpty() || anyTrusted) {
        return awaitAdmission();
      }
      return Future.failedFuture("no cluster member could be authenticated, so this member does not belong to "
        + "this cluster: " + String.join("; ", refused.values()));
    });
  }

  /**
   * Asks every trusted member whether it trusts this node too. Never fails: a member that does not answer
   * has logged why (it refused this node's certificate), and this node goes on with those that did.
   */
  private Future<Void> awaitAdmission() {
    List<Future<?>> answers = new ArrayList<>();
    DeliveryOptions wait = new DeliveryOptions().setSendTimeout(ADMISSION_WAIT_MS);
    for (String node : liveNodes()) {
      if (!node.equals(localNode)) {
        answers.add(vertx.eventBus().request(Addresses.nodeMembership(node), localNode, wait)
          .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "cluster member {0} has not accepted this node: {1}",
            node, e.getMessage())));
      }
    }
    return Future.join(answers).otherwiseEmpty().mapEmpty();
  }

  /** A newcomer asks whether this node trusts it: the answer waits for this node's own check of it. */
  private void onAdmissionQuery(Message<Object> query) {
    if (!(query.body() instanceof String node)) {
      query.fail(400, "expected a node id");
      return;
    }
    awaitTrusted(node, System.nanoTime() + ADMISSION_WAIT_MS * 1_000_000).onComplete(ar -> {
      if (ar.succeeded()) {
        query.reply(localNode);
      } else {
        query.fail(403, ar.cause().getMessage());
      }
    });
  }

  private Future<Void> awaitTrusted(String node, long deadline) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (node.equals(member.getAttribute(NODE_ATTRIBUTE))) {
        return authenticate(member).compose(trusted -> trusted ? Future.succeededFuture()
          : Future.failedFuture("member " + node + " is refused"));
      }
    }
    if (System.nanoTime() > deadline) {
      return Future.failedFuture("no member " + node + " in the cluster");
    }
    Promise<Void> later = Promise.promise();
    vertx.setTimer(MEMBER_LOOKUP_RETRY_MS, id -> awaitTrusted(node, deadline).onComplete(later));
    return later.future();
  }

  /** Stops following the membership; the node is leaving. */
  public void stop() {
    if (hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getCluster().removeMembershipListener(membershipListener);
      hazelcast.getLifecycleService().removeLifecycleListener(lifecycleListener);
    }
  }

  /** Callbacks arrive on Hazelcast's or Vert.x's threads: a listener moves them where it needs them. */
  public Runnable listen(Listener listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Completes with whether the member is trusted; never fails. */
  private Future<Boolean> authenticate(Member member) {
    return checks.computeIfAbsent(member.getUuid(), uuid -> {
      Promise<Boolean> decided = Promise.promise();
      attempt(member, 1, decided);
      return decided.future();
    });
  }

  private void attempt(Member member, int attempt, Promise<Boolean> decided) {
    probe.authenticate(member).onComplete(ar -> {
      if (!isMember(member)) {
        decided.complete(false); // it left while being checked
      } else if (ar.succeeded()) {
        trusted.add(member.getUuid());
        LOG.log(System.Logger.Level.INFO, "cluster member {0} at {1} authenticated", nodeId(member),
          member.getAddress());
        listeners.forEach(l -> l.trusted(nodeId(member)));
        decided.complete(true);
      } else if (attempt < PROBE_ATTEMPTS) {
        vertx.setTimer(PROBE_RETRY_MS, id -> attempt(member, attempt + 1, decided));
      } else {
        String reason = "member " + nodeId(member) + " at " + member.getAddress() + " refused: "
          + ar.cause().getMessage();
        refused.put(member.getUuid(), reason);
        LOG.log(System.Logger.Level.WARNING, "cluster " + reason
          + " (its sessions are ignored; check that every member's certificate comes from the same cluster CA)");
        decided.complete(false);
      }
    });
  }

  private boolean isMember(Member member) {
    return hazelcast.getLifecycleService().isRunning() && hazelcast.getCluster().getMembers().contains(member);
  }

  private boolean counts(Member member) {
    return member.localMember() || trusted.contains(member.getUuid());
  }

  private static String nodeId(Member member) {
    String id = member.getAttribute(NODE_ATTRIBUTE);
    return id == null ? "(not a Switchboard node)" : id;
  }

  /** Trusted members, this one included; 0 once Hazelcast has stopped. */
  public int memberCount() {
    if (!hazelcast.getLifecycleService().isRunning()) {
      return 0;
    }
    int count = 0;
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (counts(member)) {
        count++;
      }
    }
    return count;
  }

  /** Hazelcast members that joined but are not trusted (refused, or still being checked). */
  public int untrustedCount() {
    return hazelcast.getLifecycleService().isRunning()
      ? hazelcast.getCluster().getMembers().size() - memberCount() : 0;
  }

  /** Node ids of the trusted members, this one included. */
  public Set<String> liveNodes() {
    Set<String> nodes = new TreeSet<>();
    for (Member member : hazelcast.getCluster().getMembers()) {
      String id = member.getAttribute(NODE_ATTRIBUTE);
      if (id != null && counts(member)) {
        nodes.add(id);
      }
    }
    return nodes;
  }

  /** The oldest trusted member does the cluster's housekeeping (purging members of lost nodes). */
  public boolean isOldest() {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (counts(member)) {
        return member.localMember();
      }
    }
    return false;
  }

  /** A trusted member already carries this node id: two nodes would share event-bus addresses. */
  public boolean idTakenByAnother(String nodeId) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (!member.localMember() && counts(member) && nodeId.equals(member.getAttribute(NODE_ATTRIBUTE))) {
        return true;
      }
    }
    return false;
  }
}
